// ./heatstream replay … — see `usage` in plan.ts and services/replay/README.md.
// Settings come from the environment like the services': HS_NATS__URL/USER/PASSWORD and
// HS_QUESTDB__URL/USER/PASSWORD (./heatstream replay fills them from .data/secrets.env).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { events } from '@heatstream/contracts';
import { questDbConnectionProperties } from '@heatstream/questdb';
import {
  ConfigError,
  StartupError,
  baseConfigProperties,
  connectClient,
  loadConfig,
} from '@heatstream/runtime';
import { CheckpointError } from './checkpoint.ts';
import { PlanError, Target, parsePlan, usage } from './plan.ts';
import { runReplay } from './run.ts';
import { deriveTarget } from './targets/derive.ts';
import { liveTarget } from './targets/live.ts';
import { questDbTarget } from './targets/questdb.ts';
import type { ReplayTarget } from './targets/target.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const say = (line: string): void => {
  process.stderr.write(`[replay] ${line}\n`);
};

async function run(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    process.stdout.write(usage);
    return argv.length === 0 ? 2 : 0;
  }
  const plan = parsePlan(argv, root);
  const config = loadConfig(
    Type.Object(
      {
        nats: baseConfigProperties.nats,
        questdb: Type.Object(questDbConnectionProperties, { additionalProperties: false, default: {} }),
      },
      // Only these keys matter here; the environment may hold other services' settings.
      { additionalProperties: true },
    ),
  );
  // The runtime's one NATS connect, with replay's rights from contracts/src/access.ts.
  const client = await connectClient(config, 'replay');
  const controller = new AbortController();
  const interrupt = (): void => {
    if (!controller.signal.aborted)
      say('interrupting: finishing the batch in hand, then saving the checkpoint');
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let target: ReplayTarget | undefined;
  try {
    target =
      plan.target === Target.questdb
        ? await questDbTarget(config.questdb, plan.refreshViews)
        : plan.target === Target.derive
          ? deriveTarget(client, plan.derivation ?? '', plan.stream)
          : liveTarget(client, plan.speed);
    const report = await runReplay(plan, {
      source: client,
      events,
      target,
      say,
      signal: controller.signal,
    });
    return report.completed ? 0 : 130;
  } finally {
    await target?.close();
    await client.drain();
  }
}

try {
  process.exitCode = await run();
} catch (error) {
  if (error instanceof PlanError) {
    for (const problem of error.problems) say(problem);
    process.stderr.write(`\n${usage}`);
    process.exitCode = 2;
  } else if (
    error instanceof ConfigError ||
    error instanceof CheckpointError ||
    error instanceof StartupError
  ) {
    say(error.message);
    process.exitCode = 2;
  } else {
    say(`failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
