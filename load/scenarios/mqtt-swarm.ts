// MQTT devices (issue 16): a swarm of mqtt.js connections, each a load device with its own
// credentials (the inventory the start put into Mosquitto's password and ACL files) and a retained
// last will `{"online":false}` on heatpump/<id>/status/online, as the firmware has. Connections
// ramp up by stage; each device says it is online and publishes one batch of 30 readings (QoS 1:
// the latency is publish → PUBACK). Then a reconnect storm: every connection is cut at once (so
// every will fires), all reconnect at the same moment and publish a second batch.
import mqtt, { type MqttClient } from 'mqtt';
import { batch } from '../../services/acq-cellular/test/wire.ts';
import type { LoadDevice } from '../harness/system.ts';
import { check, ErrorCounter, latencyOf, type ScenarioResult } from '../harness/stats.ts';
import { load1 } from '../results.ts';
import { READINGS_PER_BATCH } from './http-batch.ts';

export interface MqttSwarmOptions {
  url: string;
  devices: readonly LoadDevice[];
  stages: readonly number[];
  /** Unix seconds of the first reading (apart from the HTTP scenario's). */
  startS: number;
  /** Connections opened at once during the ramp. */
  concurrency: number;
  progress: (line: string) => void;
}

const online = JSON.stringify({ online: true, fw: 'load-1.0.0', intervalS: 300 });

async function connectDevice(url: string, d: LoadDevice): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: d.id,
    username: d.id,
    password: d.secret,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
    will: {
      topic: `heatpump/${d.id}/status/online`,
      payload: Buffer.from(JSON.stringify({ online: false })),
      qos: 1,
      retain: true,
    },
  });
}

/** Online, then one batch; resolves at the batch's PUBACK with its latency in ms. */
async function publishBatch(client: MqttClient, d: LoadDevice, startS: number): Promise<number> {
  await client.publishAsync(`heatpump/${d.id}/status/online`, online, { qos: 1, retain: true });
  const body = JSON.stringify(batch(d.id, READINGS_PER_BATCH, startS));
  const t0 = performance.now();
  await client.publishAsync(`heatpump/${d.id}/data`, body, { qos: 1 });
  return performance.now() - t0;
}

export async function mqttSwarm(
  o: MqttSwarmOptions,
): Promise<ScenarioResult & { publishedReadings: number }> {
  const errors = new ErrorCounter();
  const connectMs: number[] = [];
  const publishMs: number[] = [];
  const clients = new Map<string, MqttClient>();
  const details: Record<string, number | string> = {};
  let published = 0;
  const started = performance.now();
  const one = async (d: LoadDevice, startS: number, into: number[]): Promise<void> => {
    try {
      const t0 = performance.now();
      const client = await connectDevice(o.url, d);
      into.push(performance.now() - t0);
      client.on('error', () => undefined); // counted where it matters: a failed connect or publish
      clients.set(d.id, client);
      publishMs.push(await publishBatch(client, d, startS));
      published += READINGS_PER_BATCH;
    } catch (error) {
      errors.add((error as NodeJS.ErrnoException).code ?? (error as Error).message.slice(0, 60));
    }
  };

  let connected = 0;
  for (const [s, wanted] of o.stages.entries()) {
    const upTo = Math.min(wanted, o.devices.length);
    const t0 = performance.now();
    const stageDevices = o.devices.slice(connected, upTo);
    for (let i = 0; i < stageDevices.length; i += o.concurrency) {
      await Promise.all(stageDevices.slice(i, i + o.concurrency).map((d) => one(d, o.startS, connectMs)));
    }
    connected = upTo;
    details[`ramp stage ${s + 1}: connections`] = clients.size;
    details[`ramp stage ${s + 1}: seconds`] = Number(((performance.now() - t0) / 1000).toFixed(1));
    o.progress(`mqtt: ${clients.size} devices connected and published (stage ${s + 1}/${o.stages.length})`);
  }
  const rampSeconds = (performance.now() - started) / 1000;

  // The storm: cut every socket (no DISCONNECT, so the broker sends each will), then all at once.
  const swarm = o.devices.slice(0, connected);
  for (const client of clients.values()) client.stream.destroy();
  await Promise.all([...clients.values()].map((c) => c.endAsync(true).catch(() => undefined)));
  clients.clear();
  o.progress(`mqtt: ${swarm.length} connections cut; reconnecting all at once`);
  const stormMs: number[] = [];
  const stormStart = performance.now();
  await Promise.all(swarm.map((d) => one(d, o.startS + 300, stormMs)));
  const stormSeconds = (performance.now() - stormStart) / 1000;
  o.progress(`mqtt: ${stormMs.length}/${swarm.length} reconnected in ${stormSeconds.toFixed(1)} s`);
  await Promise.all([...clients.values()].map((c) => c.endAsync().catch(() => undefined)));

  const latency = latencyOf(publishMs);
  const storm = latencyOf(stormMs);
  const ramp = latencyOf(connectMs);
  const seconds = (performance.now() - started) / 1000;
  return {
    name: 'mqtt-swarm',
    title: 'MQTT devices: ramp, batches with last wills, reconnect storm',
    throughput: published / seconds,
    throughputUnit: 'readings/s (PUBACKed)',
    seconds,
    latency,
    ok: publishMs.length,
    errors: errors.total,
    load: load1(),
    thresholds: [
      check({ name: 'connect errors', value: errors.total, op: '==', limit: 0, unit: '' }),
      check({ name: 'batch publish → PUBACK p99', value: latency.p99, op: '<=', limit: 2000, unit: 'ms' }),
      check({
        name: 'reconnect storm: all back within',
        value: stormMs.length === swarm.length ? stormSeconds : Number.NaN,
        op: '<=',
        limit: 60,
        unit: 's',
      }),
    ],
    details: {
      ...details,
      'ramp seconds': Number(rampSeconds.toFixed(1)),
      'ramp connect p50 ms': Number(ramp.p50.toFixed(1)),
      'ramp connect p99 ms': Number(ramp.p99.toFixed(1)),
      'storm connections': swarm.length,
      'storm reconnected': stormMs.length,
      'storm connect p50 ms': Number(storm.p50.toFixed(1)),
      'storm connect p95 ms': Number(storm.p95.toFixed(1)),
      'storm connect p99 ms': Number(storm.p99.toFixed(1)),
      'storm seconds': Number(stormSeconds.toFixed(1)),
    },
    notes: [`errors: ${errors.toString()}`],
    publishedReadings: published,
  };
}
