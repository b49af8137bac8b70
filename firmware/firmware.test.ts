// The firmware's host build inside the project's test command: the C++ host suite (one node test
// per C++ case), the contract test (every message the real encoder produces, held to
// contracts/schemas/cellular-*.v1.json), and the firmware in the loop: the real main loop against
// a real Mosquitto with a password file and an ACL, its cellular link cut and restored.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  CellularAlertV1,
  CellularBatchV1,
  CellularCommandResultV1,
  CellularCommandV1,
  CellularStatusV1,
  type CellularBatchV1 as Batch,
} from '@heatstream/contracts';
import { eventually, startMosquitto, tempDir } from '@heatstream/testkit';
import { connectAsync } from 'mqtt';

const FIRMWARE = fileURLToPath(new URL('.', import.meta.url));
const make = spawnSync('make', ['-s', '-C', FIRMWARE, 'all'], { encoding: 'utf8' });
const built = make.status === 0;
const bin = (name: string) => join(FIRMWARE, 'build', name);

/** The schema a device message on `topic` must satisfy. */
function schemaFor(topic: string): TSchema | undefined {
  if (topic.endsWith('/data')) return CellularBatchV1;
  if (topic.endsWith('/status/online')) return CellularStatusV1;
  if (topic.endsWith('/alerts')) return CellularAlertV1;
  if (topic.endsWith('/cmd/result')) return CellularCommandResultV1;
  if (topic.endsWith('/cmd')) return CellularCommandV1;
  return undefined;
}

function assertConforms(topic: string, payload: string): void {
  const schema = schemaFor(topic);
  assert.ok(schema, `no schema for ${topic}`);
  const value: unknown = JSON.parse(payload);
  const errors = [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, [], `${topic} ${payload}`);
}

void describe('firmware host build', () => {
  void it('builds with make and g++', () => {
    assert.equal(make.status, 0, `make failed:\n${make.stdout}${make.stderr}`);
  });

  const suite = built ? spawnSync(bin('host-tests'), { encoding: 'utf8' }) : undefined;
  const lines = suite?.stdout.split('\n') ?? [];
  void describe('host test suite', () => {
    for (const [i, line] of lines.entries()) {
      const m = /^(ok|FAIL) (\w+)$/.exec(line);
      if (!m) continue;
      void it(m[2] ?? '', () => {
        const details = lines
          .slice(i + 1)
          .filter((_, k, rest) => rest.slice(0, k + 1).every((l) => l.startsWith('  ')));
        assert.equal(m[1], 'ok', details.join('\n'));
      });
    }
    void it('ran every case and reported "N passed, 0 failed"', () => {
      assert.ok(suite, 'not built');
      const summary = /^(\d+) passed, (\d+) failed$/m.exec(suite.stdout);
      assert.ok(summary, suite.stdout + suite.stderr);
      assert.ok(Number(summary[1]) >= 25, summary[0]);
      assert.equal(summary[2], '0');
      assert.equal(suite.status, 0);
    });
  });

  void it('encodes every message to the cellular schemas (contract test)', () => {
    assert.ok(built, 'not built');
    const out = spawnSync(bin('host-tests'), ['--samples'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const messages = out.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]);
    const topics = new Set(messages.map(([t]) => t.replace(/^heatpump\/[^/]+\//, '')));
    assert.deepEqual([...topics].sort(), ['alerts', 'cmd/result', 'data', 'status/online']);
    for (const [topic, payload] of messages) assertConforms(topic, payload);
    const batch = JSON.parse(messages.find(([t]) => t.endsWith('/data'))?.[1] ?? '') as Batch;
    const first = batch.readings[0];
    assert.ok(first);
    assert.equal(first.ambientTemp, null, 'an open thermistor is null, not 0');
    assert.equal(first.valid.ambientTemp, false);
    // And the schema rejects what the cloud must reject.
    assert.equal(Value.Check(CellularBatchV1, { ...batch, readings: [] }), false);
    assert.equal(Value.Check(CellularBatchV1, { ...batch, readings: [{ ...first, voltage: '230' }] }), false);
    assert.equal(Value.Check(CellularBatchV1, { ...batch, extra: 1 }), false);
  });
});

void describe('firmware in the loop', () => {
  void it('publishes, answers commands, keeps its readings through a cut link and a RESET', async () => {
    assert.ok(built, 'not built');
    const dir = await tempDir('firmware');
    const device = 'rm-t1';
    const devicePassword = `dev-${String(process.pid)}-${String(Date.now())}`;
    const watcherPassword = `watch-${String(process.pid)}`;
    const passwd = join(dir, 'passwd');
    for (const [i, [user, pw]] of [
      [device, devicePassword],
      ['watcher', watcherPassword],
    ].entries()) {
      const r = spawnSync(
        'mosquitto_passwd',
        [...(i === 0 ? ['-c'] : []), '-b', passwd, user ?? '', pw ?? ''],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
    }
    // The device may write only its own data/status/alerts/results and read only its own commands.
    writeFileSync(
      join(dir, 'acl'),
      [
        `user ${device}`,
        ...['data', 'status/online', 'alerts', 'cmd/result'].map(
          (t) => `topic write heatpump/${device}/${t}`,
        ),
        `topic read heatpump/${device}/cmd`,
        'user watcher',
        'topic read heatpump/#',
        'topic write heatpump/+/cmd',
        '',
      ].join('\n'),
    );
    const broker = await startMosquitto({
      own: true,
      config: [
        `user ${userInfo().username}`,
        'allow_anonymous false',
        `password_file ${passwd}`,
        `acl_file ${join(dir, 'acl')}`,
      ].join('\n'),
    });
    const port = new URL(broker.url).port;
    const watcher = await connectAsync(broker.url, {
      username: 'watcher',
      password: watcherPassword,
      reconnectPeriod: 200,
    });
    const seen: { topic: string; payload: string }[] = [];
    watcher.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await watcher.subscribeAsync('heatpump/#', { qos: 1 });

    const smsLog = join(dir, 'sms.log');
    const sms = () => (existsSync(smsLog) ? readFileSync(smsLog, 'utf8') : '');
    const sim = spawn(
      bin('heatpump-sim'),
      [
        ...['--device', device, '--mqtt', `127.0.0.1:${port}`, '--sample-ms', '1000', '--publish-ms', '2000'],
        ...[
          '--admin',
          '+4915100000001',
          '--authorised',
          '+4915100000002',
          '--capacity',
          '200',
          '--max-batch',
          '100',
        ],
        ...['--flash', join(dir, `${device}.flash`), '--sms-log', smsLog],
      ],
      {
        env: { PATH: process.env.PATH ?? '', HS_DEVICE_PASSWORD: devicePassword },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let log = '';
    sim.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => {
      sim.on('exit', (code) => {
        resolve(code);
      });
    });
    const feed = (line: string) => sim.stdin.write(`${line}\n`);
    const on = (leaf: string) => seen.filter((m) => m.topic === `heatpump/${device}/${leaf}`);
    const readingTimes = () =>
      on('data').flatMap((m) =>
        (JSON.parse(m.payload) as Batch).readings.map((r) => Date.parse(r.time) / 1000),
      );
    const lastOnline = () => JSON.parse(on('status/online').at(-1)?.payload ?? '{}') as { online?: boolean };

    try {
      // Network time starts at a fixed instant, so the readings' times are the device's own.
      const t0 = 1764642600;
      feed(
        `t=${String(t0)} inletTemp=30 outletTemp=35 ambientTemp=5 compressorTemp=70 voltage=231 current=7 ` +
          'pressureHigh=280 pressureLow=90 compressor=1 fan=1 defrost=0 csq=20',
      );
      await eventually(
        'the device online and a first batch',
        () => lastOnline().online === true && readingTimes().length >= 2,
        30_000,
      );
      // Stamped from the fed network time (the first sample may precede it and is not buffered).
      const first = readingTimes()[0] ?? 0;
      assert.ok(first >= t0 && first < t0 + 60, String(first));

      watcher.publish(`heatpump/${device}/cmd`, JSON.stringify({ id: 's-1', command: 'STATUS' }), { qos: 1 });
      const result = await eventually('the STATUS result', () =>
        on('cmd/result').find((m) => m.payload.includes('"id":"s-1"')),
      );
      const answer = JSON.parse(result.payload) as { ok: boolean; status?: { capacity: number } };
      assert.equal(answer.ok, true);
      assert.equal(answer.status?.capacity, 200);

      feed('sms 004915100000002 STATUS');
      feed('sms +4917600000000 RESET');
      await eventually('the SMS reply', () => sms().includes('to 004915100000002: rm-t1 In30C'));
      await eventually('the stranger ignored', () =>
        log.includes('SMS from unauthorised +4917600000000 ignored'),
      );

      feed('voltage=253');
      await eventually('the alert', () => on('alerts').find((m) => m.payload.includes('"state":"raised"')));
      await eventually('the alert SMS', () => sms().includes('to +4915100000001: rm-t1 CRITICAL Voltage'));
      feed('voltage=231');

      // The cell drops: the broker publishes the last will; readings pile up on the device.
      const onlineBefore = on('status/online').length;
      const before = readingTimes().length;
      feed('link down');
      await eventually(
        'the last will',
        () => on('status/online').length > onlineBefore && lastOnline().online === false,
      );
      await eventually(
        'two failed GPRS attempts',
        () => log.includes('GPRS connect failed (2 in a row)'),
        30_000,
      );
      const lastBeforeCut = Math.max(...readingTimes());
      feed('link up');
      await eventually(
        'the backlog after the reconnect',
        () => lastOnline().online === true && readingTimes().length > before + 5,
        60_000,
      );
      const times = readingTimes();
      // Oldest first, each reading once, under its own time, none lost across the cut.
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
        assert.ok(gap >= 1 && gap <= 2, `reading ${String(i)}: gap ${String(gap)} s in ${times.join(',')}`);
      }
      const backlog = on('data').find((m) =>
        (JSON.parse(m.payload) as Batch).readings.some((r) => Date.parse(r.time) / 1000 > lastBeforeCut),
      );
      assert.ok(backlog);
      assert.ok(
        (JSON.parse(backlog.payload) as Batch).readings.length >= 3,
        'the outage came as one late batch',
      );

      // RESET: the device restarts and restores its buffer from flash.
      watcher.publish(`heatpump/${device}/cmd`, JSON.stringify({ id: 'r-1', command: 'RESET' }), { qos: 1 });
      await eventually('the RESET result', () =>
        on('cmd/result').find((m) => m.payload.includes('"id":"r-1"')),
      );
      await eventually('a second boot', () => (log.match(/boot: firmware/g) ?? []).length === 2);
      await eventually(
        'online again after the reset',
        () => lastOnline().online === true && log.includes('restarting (RESET)'),
      );

      for (const m of seen) assertConforms(m.topic, m.payload);
      sim.stdin.end();
      assert.equal(await exited, 0, log);
      await eventually('offline after an orderly stop', () => lastOnline().online === false);
    } finally {
      sim.kill();
      await watcher.endAsync();
      await broker.stop();
    }
  });
});
