import { probe, type QuestDbConnection } from '@heatstream/questdb';
import { StartupError, type Logger } from '@heatstream/runtime';

/** Start-up waits for QuestDB a while (it may start after us), then fails with the reason. */
export async function waitForStore(conn: QuestDbConnection, timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const problem = await probe(conn);
    if (problem === undefined) return;
    if (Date.now() >= deadline)
      throw new StartupError(`QuestDB not available after ${timeoutMs} ms: ${problem}`);
    if (attempt === 1) log.warn({ problem }, 'waiting for QuestDB');
    await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5_000)));
  }
}
