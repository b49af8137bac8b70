// The fault switch of a running simulator: an HTTP endpoint that sets the faults set by hand
// (FaultPlan.set), so a demo or a system test can make a device misbehave without a restart —
// e.g. the meter's unit answering exception 04 until told otherwise, which acquisition reports as
// unavailable and alerting as offline. It listens on loopback by default and has no login: it is a
// simulator's switch, not part of a real installation.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from '@heatstream/runtime';
import { FaultFields } from './config.ts';
import type { FaultPlan } from './faults.ts';

export const FaultList = Type.Array(Type.Object(FaultFields, { additionalProperties: false }));
export type FaultList = Static<typeof FaultList>;

const MAX_BODY = 64 * 1024;

export class FaultControl {
  readonly #server: Server;
  readonly #plan: FaultPlan;
  readonly #log: Logger;
  #faults: FaultList = [];

  constructor(plan: FaultPlan, log: Logger) {
    this.#plan = plan;
    this.#log = log;
    this.#server = createServer((req, res) => {
      this.#handle(req)
        .then(([status, body]) => {
          reply(res, status, body);
        })
        .catch((error: unknown) => {
          this.#log.warn({ err: error }, 'fault control request failed');
          reply(res, 500, { error: 'internal error' });
        });
    });
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async start(host: string, port: number): Promise<void> {
    this.#server.listen(port, host);
    await once(this.#server, 'listening');
    this.#log.info({ host, port: this.port }, 'fault control listening: PUT /faults, DELETE /faults');
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req: IncomingMessage): Promise<[number, unknown]> {
    if (req.url !== '/faults') return [404, { error: 'only /faults is here' }];
    if (req.method === 'GET') return [200, this.#faults];
    if (req.method === 'DELETE') return this.#set([]);
    if (req.method !== 'PUT') return [405, { error: 'GET, PUT or DELETE' }];
    let body = '';
    for await (const chunk of req as AsyncIterable<Buffer>) {
      body += chunk.toString('utf8');
      if (body.length > MAX_BODY) return [413, { error: 'body too large' }];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return [400, { error: `not JSON: ${(error as Error).message}` }];
    }
    // One fault or a list: the list replaces every fault set by hand before.
    const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
    const problems = [...Value.Errors(FaultList, list)].map((e) => `${e.path || '/'}: ${e.message}`);
    if (problems.length > 0) return [400, { error: 'invalid faults', problems }];
    return this.#set(list as FaultList);
  }

  #set(faults: FaultList): [number, unknown] {
    this.#faults = faults;
    this.#plan.set(faults);
    this.#log.warn({ faults }, faults.length > 0 ? 'faults injected by hand' : 'faults set by hand cleared');
    return [200, faults];
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
