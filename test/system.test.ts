// The whole system as a new user runs it: ./heatstream start's script on free ports with a fresh
// data folder, the printed URL opened in Chromium, live data from every simulated device and a COP
// now for every demo site; one trace from an acquisition poll to the browser push across
// processes; no process holding a secret not its own; a second start refused; a lost QuestDB
// noticed while the rest keeps running; nats-server, QuestDB, Mosquitto and a service killed and
// restarted by the start command; history kept across a restart; Ctrl-C to the whole group
// stopping everything once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { sql } from '@heatstream/questdb';
import {
  freePort,
  repoRoot,
  spawnServer,
  tempDir,
  waitUntil,
  type ServerProcess,
  launchChromium,
  scrape,
} from '@heatstream/testkit';
import {
  allowedSecrets,
  groupMembers,
  START_COMMAND_PORT_COUNT,
  closed,
  killServer,
  dataProbes,
  dataSecrets,
  pidWithEnv,
  startCommandPorts,
  processes,
  secretsHeld,
} from './processes.ts';
import { otlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

let otlp: OtlpReceiver;
let data: string;
let env: NodeJS.ProcessEnv;
let system: ServerProcess | undefined;
let browser: Browser;
let dashboard: { url: string; password: string };
let storedBefore = 0;
const shots = join(repoRoot, 'test-results/screenshots');

const startScript = join(repoRoot, 'scripts/start.sh');

async function startSystem(): Promise<{ url: string; password: string }> {
  // setsid: the start script leads a process group of its own, as in a terminal, so the Ctrl-C
  // test can signal that group without signalling this test.
  system = spawnServer('setsid', ['bash', startScript], env);
  const current = system;
  let banner: RegExpExecArray | null = null;
  await waitUntil(
    'the start banner',
    () =>
      Promise.resolve(
        (banner = /Dashboard {2}(http:\/\/\S+) {3}log in as admin, password: (\S+)/.exec(
          current.output(),
        )) !== null,
      ),
    current,
    180_000,
  );
  const [, url, password] = banner as unknown as [string, string, string];
  return { url, password };
}

async function stopSystem(): Promise<void> {
  await system?.stop(60_000);
  system = undefined;
}

const probes = (): Map<string, number> => dataProbes(data);
const readiness = async (service: string): Promise<{ status: number; body: { reason?: string } }> => {
  const res = await fetch(`http://127.0.0.1:${probes().get(service)}/readyz`);
  return { status: res.status, body: (await res.json()) as { reason?: string } };
};
const secrets = (): Record<string, string> => dataSecrets(data);
async function countReadings(): Promise<number> {
  const conn = {
    url: `http://127.0.0.1:${env.HS_QUESTDB_HTTP_PORT}`,
    user: 'heatstream',
    password: secrets().QUESTDB_PASSWORD ?? '',
  };
  const [[count] = []] = (await sql(conn, 'select count() from readings')) as [number][];
  return count ?? 0;
}

before(async () => {
  await mkdir(shots, { recursive: true });
  otlp = await otlpReceiver();
  data = await tempDir('system');
  const ports = await Promise.all(Array.from({ length: START_COMMAND_PORT_COUNT }, () => freePort()));
  env = {
    HS_ROOT: repoRoot,
    HS_DATA: data,
    ...startCommandPorts(ports, [otlp.port]),
    HS_OTEL__ENDPOINT: otlp.url,
  };
  browser = await launchChromium();
});

// Each part may be missing when `before` failed; closing what exists keeps the file from hanging.
after(async () => {
  (otlp as OtlpReceiver | undefined)?.close();
  await (browser as Browser | undefined)?.close();
  await stopSystem();
});

describe('the whole system, as a new user starts it', () => {
  test('the printed URL shows live data from every simulated device within a minute, and a COP for every site', async () => {
    dashboard = await startSystem();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboard.url);
    await page.getByLabel('User').fill('admin');
    await page.getByLabel('Password').fill(dashboard.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Four demo sites: the start page is the fleet, one row per site; the overview has the cards.
    for (const site of ['cabin', 'home', 'remote', 'villa'])
      await page.locator(`tr[data-site="${site}"]`).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'system-fleet.png'), fullPage: true });
    await page.getByRole('link', { name: 'Sites' }).click();
    for (const device of ['wpm', 'meter', 'lg', 'villa-meter', 'villa-room-living', 'villa-vitocal']) {
      await page.locator(`[data-device="${device}"] [data-metric]`).first().waitFor({ timeout: 60_000 });
    }
    // Issue 13, as a new user: within two minutes every demo site shows a COP now (the demo house
    // starts below its target, so the compressor runs from the first minute: simulators.yaml).
    const copNow = await Promise.all(
      ['home', 'cabin'].map(async (site) => {
        const now = page
          .locator(`[data-site-cop="${site}"] [data-cop="now"]`)
          .filter({ hasText: /^\d+\.\d$/ });
        await now.waitFor({ timeout: 120_000 });
        return Number(await now.textContent());
      }),
    );
    for (const cop of copNow) assert.ok(cop >= 1.5 && cop <= 7, `a heat pump's COP, not ${cop}`);
    await page.locator('#conn.live').waitFor();
    // Each card records the measurement time of the last reading pushed to it.
    const meter = page.locator('[data-device="meter"]');
    await meter.and(page.locator('[data-updated]')).waitFor({ timeout: 30_000 });
    const first = await meter.getAttribute('data-updated');
    await waitUntil(
      'a second live reading of the meter',
      async () => (await meter.getAttribute('data-updated')) !== first,
      undefined,
      30_000,
    );
    await page.screenshot({ path: join(shots, 'system-overview.png'), fullPage: true });
    await page.close();
  });

  test('one trace runs from an acquisition poll through publish, the QuestDB write and the push', async () => {
    const needed = (traceId: string): boolean => {
      const t = otlp.spans.filter((s) => s.traceId === traceId);
      return (
        t.some((s) => s.service === 'acq-modbus' && s.name.startsWith('poll ')) &&
        t.some((s) => s.service === 'acq-modbus' && s.name.startsWith('publish readings.v1.')) &&
        t.some((s) => s.service === 'ingest' && s.name.startsWith('store readings.v1.')) &&
        t.some((s) => s.service === 'gateway' && s.name === 'push reading')
      );
    };
    let traceId: string | undefined;
    await waitUntil(
      'a complete trace',
      () =>
        Promise.resolve(
          (traceId = [...new Set(otlp.spans.map((s) => s.traceId))].find(needed)) !== undefined,
        ),
      undefined,
      60_000,
    );
    const trace = otlp.spans.filter((s) => s.traceId === traceId);
    const poll = trace.find((s) => s.name.startsWith('poll '));
    assert.equal(poll?.parentSpanId, '', 'the poll is the root of the trace');
    const publish = trace.find((s) => s.name.startsWith('publish readings.v1.'));
    assert.equal(publish?.parentSpanId, poll.spanId, 'the publish happens inside the poll');
    const publishes = new Set(trace.filter((s) => s.name.startsWith('publish ')).map((s) => s.spanId));
    for (const s of trace.filter((x) => x.service !== 'acq-modbus')) {
      assert.ok(
        publishes.has(s.parentSpanId ?? ''),
        `${s.service} ${s.name} continues a publish span of the poll`,
      );
    }
    for (const name of ['store readings.v1.', 'push reading']) {
      const s = trace.find((x) => x.name.startsWith(name));
      assert.equal(s?.parentSpanId, publish.spanId, `${name} continues the reading's publish`);
    }
    // Log lines carry the trace id: acq-modbus logs its first state change inside a poll.
    const logged =
      readFileSync(join(data, 'logs/acq-modbus.log'), 'utf8').match(/"traceId":"([0-9a-f]{32})"/g) ?? [];
    assert.ok(logged.length > 0, 'acq-modbus log lines carry trace ids');
    const loggedIds = new Set(logged.map((l) => l.slice(11, 43)));
    assert.ok(
      otlp.spans.some((s) => loggedIds.has(s.traceId) && s.service === 'acq-modbus'),
      'and they are the ids of exported traces',
    );
  });

  test('every service answers /metrics on its loopback probe port; ingest counts the readings it acked', async () => {
    for (const [service, port] of probes()) {
      const scraped = await scrape(`http://127.0.0.1:${port}/metrics`);
      assert.ok(scraped.families.size > 0, `${service} serves Prometheus text`);
    }
    const readings = { stream: 'READINGS', consumer: 'ingest-readings' };
    const ingest = `http://127.0.0.1:${probes().get('ingest')}/metrics`;
    const first = (await scrape(ingest)).value('heatstream_consumer_acked_total', readings) ?? 0;
    assert.ok(first > 0, 'ingest has acked readings since the start');
    await waitUntil(
      'more readings acked',
      async () => ((await scrape(ingest)).value('heatstream_consumer_acked_total', readings) ?? 0) > first,
      system,
      30_000,
    );
  });

  test('no process holds a secret that is not its own; none but the operator the NATS admin password', () => {
    const all = secrets();
    const group = system?.child.pid ?? 0;
    const seen = new Set<string>();
    for (const p of processes()) {
      const held = secretsHeld(p.environ, all);
      if (p.group !== group) {
        // This test, the machine's other processes: nothing of this system's secrets.
        assert.deepEqual(held, [], `pid ${p.pid} (${p.cmdline.slice(0, 80)}) outside the start holds none`);
        continue;
      }
      const allowed = allowedSecrets(p.cmdline, all);
      assert.ok(allowed, `pid ${p.pid} (${p.cmdline.slice(0, 80)}) is one the start command starts`);
      assert.deepEqual(held, allowed, `pid ${p.pid} (${p.cmdline.slice(0, 80)}) holds its own only`);
      assert.ok(!held.includes('NATS_PASSWORD_ADMIN'));
      seen.add(/services\/([a-z-]+)\//.exec(p.cmdline)?.[1] ?? p.cmdline.split(' ')[0] ?? '');
    }
    // The scan found the services, each with its own password, so the assertions above saw them.
    for (const service of ['ingest', 'gateway', 'alerting', 'simulators', 'acq-modbus', 'acq-shelly', 'cop'])
      assert.ok(seen.has(service), `${service} was checked`);
    assert.ok(
      [...seen].some((c) => c.endsWith('nats-server')),
      'nats-server was checked',
    );
  });

  test('a second start on the same data folder refuses, names the running one and stops nothing', async () => {
    const before = groupMembers(system?.child.pid ?? 0).map((p) => p.pid);
    const second = spawnServer('bash', [startScript], env);
    await closed(second, 60_000);
    assert.equal(second.child.exitCode, 1, second.output());
    assert.match(second.output(), new RegExp(`already running on ${data} \\(pid ${system?.child.pid}\\)`));
    assert.doesNotMatch(second.output(), /\[start\] stopping|stopped; data kept/);
    const after = groupMembers(system?.child.pid ?? 0).map((p) => p.pid);
    assert.deepEqual(after, before, 'every process of the first start still runs');
    assert.equal((await readiness('gateway')).status, 200);
  });

  test('a killed QuestDB is noticed while the rest keeps running, and is back within 15 s', async (t) => {
    storedBefore = await countReadings();
    assert.ok(storedBefore > 0, 'readings are stored');
    const logged = (service: string): number =>
      readFileSync(join(data, `logs/${service}.log`), 'utf8').length;
    const since = { ingest: logged('ingest'), gateway: logged('gateway') };
    const logSince = (service: 'ingest' | 'gateway'): string =>
      readFileSync(join(data, `logs/${service}.log`), 'utf8').slice(since[service]);
    t.diagnostic(
      `questdb answered ${await killServer(system, 'questdb', 'io.questdb', Number(env.HS_QUESTDB_HTTP_PORT))} ms after kill -9`,
    );
    // QuestDB is back before a readiness poll could be sure to see it gone: the logged transitions
    // tell. Ingest writes every second or so and sees it gone; the gateway only probes every 5 s
    // and QuestDB may be back sooner (3 s measured), so it need not have noticed, but whatever it
    // noticed it must have seen end, and it must be ready.
    const lostAndBack = /questdb unavailable[\s\S]*questdb available again/;
    await waitUntil(
      'ingest to log QuestDB lost and back',
      () => Promise.resolve(lostAndBack.test(logSince('ingest'))),
      system,
      60_000,
    );
    await waitUntil(
      'the gateway to be ready, having logged QuestDB back if it logged it lost',
      async () =>
        (!logSince('gateway').includes('questdb unavailable') || lostAndBack.test(logSince('gateway'))) &&
        (await readiness('gateway')).status === 200,
      system,
      60_000,
    );
    assert.equal((await readiness('acq-modbus')).status, 200, 'acquisition goes on');
    await waitUntil(
      'new readings stored',
      async () => (await countReadings()) > storedBefore,
      system,
      60_000,
    );
  });

  test('a killed nats-server and Mosquitto are back within 15 s, and the system serves again', async (t) => {
    const killedAt = Date.now();
    const acqLogBefore = readFileSync(join(data, 'logs/acq-modbus.log'), 'utf8').length;
    t.diagnostic(
      `nats answered ${await killServer(system, 'nats', 'nats-server', Number(env.HS_NATS_PORT))} ms after kill -9`,
    );
    const stored = await countReadings();
    for (const service of probes().keys()) {
      await waitUntil(
        `${service} to be ready again`,
        async () => (await readiness(service)).status === 200,
        system,
        60_000,
      );
    }
    await waitUntil(
      'readings stored after the NATS restart',
      async () => (await countReadings()) > stored,
      system,
      60_000,
    );
    // Nothing polled while NATS was down is lost: acq-modbus keeps it in its outbox and sends it
    // when NATS is back, so once the outbox is empty and a poll after the restart is stored, the
    // meter's stored readings have no gap of a missed poll across the outage. 1.5 intervals: one
    // missed poll is a gap of two, and a busy machine may delay a single poll by a second or two.
    // (A reading sent twice would not show here: QuestDB's DEDUP keys (ts, site, device) keep one
    // row; services/acq-modbus/test/outage.test.ts holds the stream to every poll exactly once.)
    const intervalMs = 5000;
    const meterTimes = async (): Promise<number[]> =>
      (
        (await sql(
          {
            url: `http://127.0.0.1:${env.HS_QUESTDB_HTTP_PORT}`,
            user: 'heatstream',
            password: secrets().QUESTDB_PASSWORD ?? '',
          },
          `select ts from readings where device = 'meter' and ts >= '${new Date(killedAt - 15_000).toISOString()}' order by ts`,
        )) as [string][]
      ).map(([ts]) => Date.parse(ts));
    const backAt = Date.now();
    await waitUntil(
      "acq-modbus' outbox to be sent and a poll after the NATS restart to be stored",
      async () => {
        const ready = (await (
          await fetch(`http://127.0.0.1:${probes().get('acq-modbus')}/readyz`)
        ).json()) as {
          outbox?: { messages: number };
        };
        return ready.outbox?.messages === 0 && ((await meterTimes()).at(-1) ?? 0) > backAt + intervalMs;
      },
      system,
      60_000,
    );
    const times = await meterTimes();
    const gap = Math.max(0, ...times.slice(1).map((ts, i) => ts - (times[i] ?? ts)));
    t.diagnostic(
      `the meter's largest gap between stored readings across the NATS restart: ${gap} ms (polled every ${intervalMs} ms, ${times.length} readings)`,
    );
    // Measured: how much waited in the outbox (none when no poll fell into the short outage).
    const sent = [
      ...readFileSync(join(data, 'logs/acq-modbus.log'), 'utf8')
        .slice(acqLogBefore)
        .matchAll(/"sent":(\d+)[^\n]*outbox sent/g),
    ].reduce((n, m) => n + Number(m[1]), 0);
    t.diagnostic(`acq-modbus sent ${sent} messages from its outbox after the NATS restart`);
    assert.ok((times[0] ?? Infinity) < killedAt, 'the readings span the outage from before the kill');
    assert.ok(gap < 1.5 * intervalMs, `no poll lost across the NATS restart: largest gap ${gap} ms`);
    t.diagnostic(
      `mosquitto answered ${await killServer(system, 'mosquitto', 'mosquitto -c', Number(env.HS_MQTT_PORT))} ms after kill -9`,
    );
  });

  test('a killed service comes back', async () => {
    const acq = pidWithEnv(`HS_HTTP__PORT=${probes().get('acq-modbus')}`, 'services/acq-modbus');
    assert.ok(acq);
    process.kill(acq, 'SIGKILL');
    await waitUntil(
      'acq-modbus to be started again',
      async () => {
        const again = pidWithEnv(`HS_HTTP__PORT=${probes().get('acq-modbus')}`, 'services/acq-modbus');
        return (
          again !== undefined &&
          again !== acq &&
          (await readiness('acq-modbus').catch(() => ({ status: 0 }))).status === 200
        );
      },
      undefined,
      60_000,
    );
    assert.equal((await readiness('simulators')).status, 200, 'the others kept running');
  });

  test('stopping and starting again keeps the history and the users', async () => {
    await stopSystem();
    dashboard = await startSystem();
    await waitUntil(
      'the readings of the first run',
      async () => (await countReadings().catch(() => 0)) >= storedBefore,
      undefined,
      60_000,
    );
    const login = await fetch(`${dashboard.url}api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: dashboard.password }),
    });
    assert.equal(login.status, 200, 'the admin created on the first start still logs in');
  });

  test('Ctrl-C to the whole process group stops everything once, restarting nothing', async () => {
    const current = system;
    assert.ok(current?.child.pid);
    const group = current.child.pid;
    assert.ok(groupMembers(group).length > 10, 'the system runs');
    const banner = 'Press Ctrl-C to stop.';
    assert.ok(current.output().includes(banner));
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group at once.
    process.kill(-group, 'SIGINT');
    await closed(current, 60_000);
    system = undefined;
    const output = current.output();
    const said = output.slice(output.lastIndexOf(banner));
    const how = `exit ${current.child.exitCode} ${current.child.signalCode}; console:\n${said}`;
    assert.equal(said.match(/\[start\] stopping/g)?.length, 1, how);
    assert.match(said, /\[start\] stopped; data kept/, how);
    assert.doesNotMatch(said, /restarted|starting it again|exited with code|killed by signal/, how);
    assert.equal(current.child.exitCode, 0, how);
    assert.deepEqual(
      groupMembers(group).map((p) => p.cmdline),
      [],
      'nothing of the system is left running',
    );
  });
});
