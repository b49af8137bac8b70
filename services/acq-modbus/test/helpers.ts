// Test helpers: a pymodbus peer serving a register image, a recorder of what reaches NATS, polling.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  portOpen,
  spawnServer,
  tempDir,
  waitUntil,
  type NatsFixture,
  type ServerProcess,
} from '@heatstream/testkit';
import {
  encodeDefinition,
  planReads,
  RegisterImage,
  type ModbusDefinition,
  type RegisterKind,
} from '@heatstream/devices';
import type { MetricName } from '@heatstream/contracts';

/** The register image a device with these values shows, every address of every planned read set. */
export function deviceImage(
  def: ModbusDefinition,
  values: Partial<Record<MetricName, number>>,
): RegisterImage {
  const image = new RegisterImage();
  for (const b of planReads(def)) for (let a = b.start; a < b.start + b.count; a++) image.set(b.kind, a, 0);
  return encodeDefinition(def, values, image);
}

type ImageJson = Record<string, Partial<Record<RegisterKind, Record<string, number>>>>;

export function imageJson(units: Record<number, RegisterImage>): ImageJson {
  const kinds: RegisterKind[] = ['coil', 'discrete', 'input', 'holding'];
  return Object.fromEntries(
    Object.entries(units).map(([unit, image]) => [
      unit,
      Object.fromEntries(
        kinds.map((k) => [
          k,
          Object.fromEntries(image.addresses(k).map((a) => [String(a), image.get(k, a) ?? 0])),
        ]),
      ),
    ]),
  );
}

// Debian's python3-pymodbus lives in the system interpreter's dist-packages; a pyenv python3 first
// on PATH would not see it.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const script = fileURLToPath(new URL('./pymodbus-server.py', import.meta.url));
const bridge = fileURLToPath(new URL('./pty-bridge.py', import.meta.url));

/** A pseudo-terminal whose other side talks to `tcpPort`: a serial port for RTU tests. */
export async function startSerialBridge(
  tcpPort: number,
): Promise<{ path: string; server: ServerProcess } & AsyncDisposable> {
  const server = spawnServer(python, [bridge, String(tcpPort)]);
  let path = '';
  await waitUntil(
    'pty bridge',
    () => {
      path = /^(\/dev\/\S+)$/m.exec(server.output())?.[1] ?? '';
      return Promise.resolve(path !== '');
    },
    server,
    10_000,
  );
  return { path, server, [Symbol.asyncDispose]: () => server.stop(1_000) };
}

export interface Peer extends AsyncDisposable {
  port: number;
  server: ServerProcess;
  stop(): Promise<void>;
}

/** Starts pymodbus' TCP server (MBAP framing, or RTU framing over TCP) on `port` (default: a free one). */
export async function startPymodbus(
  units: Record<number, RegisterImage>,
  options: { framer?: 'tcp' | 'rtu'; port?: number } = {},
): Promise<Peer> {
  const dir = await tempDir('pymodbus');
  const file = join(dir, 'image.json');
  await writeFile(file, JSON.stringify(imageJson(units)));
  const port = options.port ?? (await freePort());
  const server = spawnServer(python, [script, String(port), file, options.framer ?? 'tcp']);
  await waitUntil('pymodbus', () => portOpen(port), server, 20_000);
  const stop = (): Promise<void> => server.stop(2_000);
  return { port, server, stop, [Symbol.asyncDispose]: stop };
}

export interface Seen {
  subject: string;
  msgId: string | undefined;
  event: { type: string; time: string; data: Record<string, unknown> };
}

/** Everything published on readings and device subjects, in order (on a client closed with `nats`). */
export async function recordEvents(nats: NatsFixture): Promise<{ seen: Seen[] }> {
  const nc = await nats.client();
  const seen: Seen[] = [];
  const sub = nc.subscribe('>');
  void (async () => {
    for await (const m of sub) {
      if (!m.subject.startsWith('readings.') && !m.subject.startsWith('devices.')) continue;
      seen.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), event: m.json() });
    }
  })();
  await nc.flush();
  return { seen };
}

export const statesOf = (seen: readonly Seen[], device: string): string[] =>
  seen
    .filter((s) => s.event.type === 'heatstream.device-status.v1' && s.event.data.device === device)
    .map((s) => s.event.data.state as string);

export const readingsOf = (seen: readonly Seen[], device: string): Seen[] =>
  seen.filter((s) => s.event.type === 'heatstream.reading.v1' && s.event.data.device === device);
