// Request/reply over core NATS: `request` asks and waits for one answer; the answering side is
// `serve` (subscribe.ts). The trace continues across the hop (W3C headers). A server whose handler
// fails answers with the NATS services convention (`Nats-Service-Error` headers), which the
// requester turns into a RequestError, so a crash is not mistaken for an answer.
import {
  errors as natsErrors,
  headers as natsHeaders,
  type MsgHdrs,
  type NatsConnection,
} from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import type { ServiceAccess } from '@heatstream/contracts';
import { headerReader } from './nats.ts';
import { checkSubject } from './rights.ts';
import { injectTraceHeaders } from './telemetry.ts';

export interface Reply {
  readonly data: Uint8Array;
  string(): string;
  /** The payload parsed as JSON; not validated, so the caller checks or casts it. */
  json(): unknown;
  header(name: string): string | undefined;
}

export interface RequestOptions {
  /** How long to wait for the answer; default 10 s. */
  timeoutMs?: number;
  headers?: Readonly<Record<string, string>>;
}

export type Request = (
  subject: string,
  data: Uint8Array | string,
  options?: RequestOptions,
) => Promise<Reply>;

/** A request got no answer, or an answer saying the server failed. */
export class RequestError extends Error {
  override name = 'RequestError';
  readonly subject: string;
  constructor(subject: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.subject = subject;
  }
}

/** Nobody subscribes to the subject: the serving service is not running. */
export class NoRespondersError extends RequestError {
  override name = 'NoRespondersError';
}

/** Headers a server sets on the answer when its handler failed (NATS services convention). */
export const ServiceErrorHeader = { message: 'Nats-Service-Error', code: 'Nats-Service-Error-Code' } as const;

const decoder = new TextDecoder();

export function replyOf(data: Uint8Array, headers: MsgHdrs | undefined): Reply {
  return {
    data,
    string: () => decoder.decode(data),
    json: () => JSON.parse(decoder.decode(data)) as unknown,
    header: headerReader(headers),
  };
}

export interface RequesterDeps {
  nc: NatsConnection;
  tracer: Tracer;
  service: string;
  rights: ServiceAccess | undefined;
}

export function requester({ nc, tracer, service, rights }: RequesterDeps): Request {
  return async (subject, data, options = {}) => {
    checkSubject(service, rights, 'requests', subject);
    const timeout = options.timeoutMs ?? 10_000;
    return tracer.startActiveSpan(`request ${subject}`, { kind: SpanKind.CLIENT }, async (span) => {
      span.setAttributes({ 'messaging.system': 'nats', 'messaging.destination.name': subject });
      try {
        const headers = natsHeaders();
        for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
        injectTraceHeaders(headers, trace.setSpan(context.active(), span));
        let msg;
        try {
          msg = await nc.request(subject, data, { timeout, headers });
        } catch (error) {
          throw requestFailure(subject, timeout, error);
        }
        const failed = msg.headers?.get(ServiceErrorHeader.message);
        if (failed) throw new RequestError(subject, `the server of ${subject} failed: ${failed}`);
        return replyOf(msg.data, msg.headers);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

function requestFailure(subject: string, timeoutMs: number, error: unknown): RequestError {
  const cause = { cause: error };
  if (error instanceof natsErrors.RequestError && error.isNoResponders())
    return new NoRespondersError(subject, `nothing answers requests on ${subject}`, cause);
  if (error instanceof natsErrors.NoRespondersError)
    return new NoRespondersError(subject, `nothing answers requests on ${subject}`, cause);
  if (error instanceof natsErrors.TimeoutError || (error as Error).cause instanceof natsErrors.TimeoutError)
    return new RequestError(subject, `no answer on ${subject} within ${timeoutMs} ms`, cause);
  return new RequestError(subject, `request on ${subject} failed: ${(error as Error).message}`, cause);
}
