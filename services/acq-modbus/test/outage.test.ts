// Nothing read is lost at the edge: acq-modbus polls the simulator (its own process) across a
// kill and restart of nats-server, and every reading it took is in READINGS afterwards, in the
// order taken, exactly once — those taken during the outage through the runtime's outbox.
// The service runs as its own process too, as deployed; its debug log names every reading it took.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { subjects } from '@heatstream/contracts';
import {
  eventually,
  freePort,
  killNodeProcesses,
  natsFixture,
  portOpen,
  runNode,
  spawnServer,
  tempDir,
  waitUntil,
  type NatsFixture,
  type NodeProcess,
  type ServerProcess,
} from '@heatstream/testkit';

const simulatorMain = fileURLToPath(new URL('../../simulators/src/main.ts', import.meta.url));
const acqModbusMain = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let nats: NatsFixture;
let simulator: ServerProcess;
let modbusPort: number;

before(async () => {
  nats = await natsFixture({ own: true, connect: { maxReconnectAttempts: -1, reconnectTimeWait: 100 } });
  modbusPort = await freePort();
  simulator = spawnServer(process.execPath, [simulatorMain], {
    HS_NATS__URL: nats.url,
    HS_MODBUS__PORT: String(modbusPort),
    HS_LOG__LEVEL: 'warn',
  });
  await waitUntil('simulator', () => portOpen(modbusPort), simulator, 20_000);
});

after(async () => {
  await killNodeProcesses();
  await simulator.stop(2_000);
  await nats[Symbol.asyncDispose]();
});

interface Taken {
  msgId: string;
  queued: boolean;
}
const taken = (p: NodeProcess): Taken[] =>
  p
    .output()
    .split('\n')
    .filter((l) => l.includes('"msg":"reading published"'))
    .map((l) => JSON.parse(l) as Taken);

test('every poll’s reading reaches the stream exactly once across a NATS restart', async () => {
  const httpPort = await freePort();
  const acq = runNode(acqModbusMain, {
    HS_NATS__URL: nats.url,
    HS_HTTP__PORT: String(httpPort),
    HS_LOG__LEVEL: 'debug',
    HS_OUTBOX__DIR: join(await tempDir('acq-modbus-outage'), 'outbox'),
    HS_DEVICES: JSON.stringify([
      {
        id: 'wpm',
        site: 'sim',
        definition: 'stiebel-eltron-wpm',
        host: '127.0.0.1',
        port: modbusPort,
        intervalMs: 200,
      },
    ]),
  });
  const outbox = async (): Promise<{ messages: number }> =>
    ((await (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).json()) as { outbox: { messages: number } })
      .outbox;
  await eventually('five readings stored', () => taken(acq).filter((t) => !t.queued).length >= 5);

  await nats.server.kill();
  await eventually(
    'ten readings kept while NATS is down',
    () => taken(acq).filter((t) => t.queued).length >= 10,
  );
  await nats.server.restart();
  await eventually('the outbox sent and five readings published directly again', async () => {
    const all = taken(acq);
    const lastQueued = all.findLastIndex((t) => t.queued);
    return (await outbox()).messages === 0 && all.slice(lastQueued + 1).length >= 5;
  });
  acq.child.kill('SIGTERM');
  assert.equal(await acq.exited, 0, acq.output());

  const subject = subjects.reading('sim', 'wpm');
  const info = await nats.jsm.streams.info('READINGS', { subjects_filter: subject });
  const stored: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await nats.jsm.streams.getMessage('READINGS', { seq }).catch(() => null);
    if (m?.subject === subject) stored.push(m.header.get('Nats-Msg-Id'));
  }
  const all = taken(acq);
  assert.ok(all.some((t) => t.queued) && all.some((t) => !t.queued));
  assert.deepEqual(
    stored,
    all.map((t) => t.msgId),
    'every reading taken, in order, once',
  );
});
