// The HTTP batch endpoint for modems where HTTP is easier than MQTT:
//   POST /v1/devices/<id>/batch   Authorization: Bearer <device secret>   [Content-Encoding: gzip]
// with the same JSON as `heatpump/<id>/data`. The body limit applies to the bytes received and,
// for gzip, again to what they inflate to (a small bomb must not fill the memory).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from '@heatstream/runtime';
import { tokenMatches, type InventoryDevice } from './inventory.ts';
import { RejectKind, type Outcome, type Receiver } from './receiver.ts';

const inflate = promisify(gunzip);
const PATH = /^\/v1\/devices\/([A-Za-z0-9_-]{1,64})\/batch$/;

export interface HttpBatchOptions {
  host: string;
  port: number;
  maxBytes: number;
  devices: ReadonlyMap<string, InventoryDevice>;
  receiver: Receiver;
  log: Logger;
}

/** The body, stopping at `limit` + 1 bytes so an oversize one is known without reading it all. */
async function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; oversize: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    chunks.push(chunk);
    if (size > limit) return { bytes: Buffer.concat(chunks), oversize: true };
  }
  return { bytes: Buffer.concat(chunks), oversize: false };
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const statusOf = (outcome: Outcome): number =>
  outcome.ok
    ? 200
    : outcome.kind === RejectKind.oversize
      ? 413
      : outcome.kind === RejectKind.unknownDevice
        ? 404
        : 400;

export async function startHttpBatch(options: HttpBatchOptions): Promise<{ server: Server; port: number }> {
  const { devices, receiver, log, maxBytes } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://device');
    const m = PATH.exec(url.pathname);
    if (!m) {
      answer(res, 404, { error: 'POST /v1/devices/<id>/batch' });
      return;
    }
    if (req.method !== 'POST') {
      answer(res, 405, { error: 'POST only' });
      return;
    }
    const id = m[1] ?? '';
    const origin = `http:${url.pathname}`;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const device = devices.get(id);
    const { bytes, oversize } = await readBody(req, maxBytes);
    if (!device) {
      const outcome = await receiver.reject(
        origin,
        RejectKind.unknownDevice,
        `unknown device ${JSON.stringify(id)}: not in the inventory`,
        bytes,
      );
      answer(res, 404, { error: outcome.ok ? '' : outcome.reason });
      return;
    }
    // Refused without a dead letter: bytes from whoever lacks the device's token are no device's data.
    if (token === undefined || !tokenMatches(device, token)) {
      answer(res, 401, { error: `device ${id}: missing or wrong bearer token` });
      return;
    }
    if (oversize) {
      res.setHeader('connection', 'close');
      const outcome = await receiver.reject(
        origin,
        RejectKind.oversize,
        `body over the limit of ${maxBytes} bytes`,
        bytes,
      );
      answer(res, 413, { error: outcome.ok ? '' : outcome.reason });
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    let body: Buffer;
    if (encoding === 'gzip') {
      try {
        body = await inflate(bytes, { maxOutputLength: maxBytes });
      } catch (error) {
        const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        const reason = tooBig
          ? `gzip body inflates past the limit of ${maxBytes} bytes`
          : `gzip body is corrupt: ${(error as Error).message}`;
        const outcome = await receiver.reject(
          origin,
          tooBig ? RejectKind.oversize : RejectKind.invalid,
          reason,
          bytes,
        );
        answer(res, tooBig ? 413 : 400, { error: outcome.ok ? '' : outcome.reason });
        return;
      }
    } else if (encoding === 'identity') {
      body = bytes;
    } else {
      answer(res, 415, { error: `content-encoding ${encoding}: send gzip or none` });
      return;
    }
    const outcome = await receiver.batch(origin, id, body);
    if (outcome.ok) {
      const { stored, droppedSensors } = outcome;
      answer(res, 200, { stored, droppedSensors });
    } else {
      answer(res, statusOf(outcome), { error: outcome.reason });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Not stored: the device keeps the batch and sends it again.
      log.error({ err: error }, 'HTTP batch failed');
      if (!res.headersSent) answer(res, 503, { error: 'not stored, send again later' });
      else res.destroy();
    });
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
