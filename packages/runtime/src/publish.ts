import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { ContractError, encodeEvent, type Envelope, type EventRegistry } from '@heatstream/contracts';
import { abortable, backoffDelay, systemClock, type Clock } from './clock.ts';
import { PublishError } from './errors.ts';
import type { Logger } from './logger.ts';
import { headersOf } from './nats.ts';
import type { Outbox, OutboxFill } from './outbox.ts';
import { injectTraceHeaders } from './telemetry.ts';

export interface PublishOptions {
  /** Deduplication id; defaults to the event id. Derive it from device + measurement time for readings. */
  msgId?: string;
  /** Extra headers, e.g. for dead letters. */
  headers?: Record<string, string>;
}

/** A publish the outbox took instead of JetStream: on disk, sent once NATS confirms again. */
export interface Queued {
  queued: true;
  /**
   * Why: NATS was disconnected, or the outbox held earlier publishes (nothing was sent), or the
   * error of the one attempt made — after which JetStream may in fact have stored it (a resend is
   * then dropped as a duplicate).
   */
  reason: string;
  stream?: undefined;
  seq?: undefined;
  duplicate?: undefined;
}

/** JetStream's acknowledgement, or (a service with an outbox) `Queued`. */
export type Published = PubAck | Queued;

export type Publish = (subject: string, event: Envelope, options?: PublishOptions) => Promise<Published>;

export interface PublisherDeps {
  js: JetStreamClient;
  events: EventRegistry;
  tracer: Tracer;
  /** Attempts before giving up when JetStream does not confirm (server restarting, leader moving). */
  attempts?: number;
  /** Aborted when the service stops: no more retries, the delay before one ends. */
  stopping?: AbortSignal;
  /**
   * Aborted when the service is stopping and NATS is unreachable: the attempt in flight stops
   * waiting for a confirmation that cannot arrive. (While NATS is up, an attempt begun before the
   * stop, e.g. by the handler in hand, is waited for.)
   */
  giveUp?: AbortSignal;
  clock?: Clock;
}

/** Delays between attempts: doubling from 400 ms to 5 s. */
const retryBackoff = { initialMs: 400, maxMs: 5_000 };
const PUBLISH_TIMEOUT_MS = 5_000;

interface Prepared {
  data: Uint8Array;
  msgId: string;
  headers: MsgHdrs;
}

/** Validation, encoding, the producer span and its trace headers: shared by both publishers. */
function prepared<T>(
  events: EventRegistry,
  tracer: Tracer,
  subject: string,
  event: Envelope,
  options: PublishOptions,
  send: (p: Prepared, span: Span) => Promise<T>,
): Promise<T> {
  const issues = events.validate(event.type, event);
  if (issues.length > 0) throw new ContractError(`refusing to publish an invalid ${event.type}`, issues);
  const data = encodeEvent(event);
  const msgId = options.msgId ?? event.id;
  return tracer.startActiveSpan(`publish ${subject}`, { kind: SpanKind.PRODUCER }, async (span) => {
    span.setAttributes({
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'messaging.message.id': msgId,
    });
    try {
      const headers = natsHeaders();
      for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
      injectTraceHeaders(headers, trace.setSpan(context.active(), span));
      return await send({ data, msgId, headers }, span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Validates the event against its schema, then publishes it with `Nats-Msg-Id` and the trace
 * context. Retries reuse the message id, so JetStream's duplicate window stores the event once.
 */
export function createPublisher({
  js,
  events,
  tracer,
  attempts = 5,
  stopping,
  giveUp,
  clock = systemClock,
}: PublisherDeps): Publish {
  return (subject, event, options = {}) =>
    prepared(events, tracer, subject, event, options, async ({ data, msgId, headers }, span) => {
      let lastError: unknown;
      let attempt = 0;
      while (attempt < attempts) {
        attempt++;
        try {
          const sent = js.publish(subject, data, { msgID: msgId, headers, timeout: PUBLISH_TIMEOUT_MS });
          const ack = await (giveUp ? abortable(sent, giveUp) : sent);
          span.setAttribute('messaging.nats.duplicate', ack.duplicate);
          return ack;
        } catch (error) {
          lastError = error;
          if (attempt < attempts) await clock.sleep(backoffDelay(attempt, retryBackoff), stopping);
          if (stopping?.aborted) break;
        }
      }
      const stopped = stopping?.aborted ? ' (retries ended by shutdown)' : '';
      throw new PublishError(`publish to ${subject} not confirmed after ${attempt} attempts${stopped}`, {
        cause: lastError,
      });
    });
}

export interface OutboxPublisherDeps extends Omit<PublisherDeps, 'attempts'> {
  outbox: Outbox;
  /** False while NATS is away: publishes go straight to the outbox then, sending waits. */
  connected: () => boolean;
  log: Logger;
  meter: Meter;
}

export interface OutboxPublisher {
  readonly publish: Publish;
  fill(): OutboxFill;
  /** Starts sending what a previous run left in the outbox. */
  start(): void;
  /** Stops sending (the entry in flight finishes or is given up); what is left stays on disk. */
  stop(): Promise<void>;
}

/** Entries read from the outbox at a time, and removed from it together once all are confirmed. */
const DRAIN_BATCH = 100;

/**
 * A publisher that never loses what it was given: one attempt while NATS is connected, and what
 * is not confirmed goes to the outbox on disk (the publish answers `Queued` once it is there).
 * While the outbox holds anything, new publishes go behind it, so they reach the stream in the
 * order they were made; the outbox is sent oldest first, one confirmed publish at a time, with
 * each entry's original message id and headers.
 */
export function createOutboxPublisher(deps: OutboxPublisherDeps): OutboxPublisher {
  const { js, events, tracer, outbox, connected, log, meter, stopping, giveUp, clock = systemClock } = deps;
  const olog = log.child({ component: 'outbox', dir: outbox.dir });
  const queuedCount = meter.createCounter('heatstream.outbox.queued', {
    description: 'publishes kept in the outbox because JetStream did not confirm them',
  });
  const sentCount = meter.createCounter('heatstream.outbox.sent', {
    description: 'outbox entries sent and confirmed by JetStream',
  });
  const droppedCount = meter.createCounter('heatstream.outbox.dropped', {
    description: 'outbox entries dropped (oldest first) because the outbox reached outbox.maxBytes',
  });
  meter
    .createObservableGauge('heatstream.outbox.messages', { description: 'entries waiting in the outbox' })
    .addCallback((r) => {
      r.observe(outbox.fill.messages);
    });
  meter
    .createObservableGauge('heatstream.outbox.bytes', {
      description: 'bytes waiting in the outbox',
      unit: 'By',
    })
    .addCallback((r) => {
      r.observe(outbox.fill.bytes);
    });

  let draining: Promise<void> | undefined;
  // The drain's place: the entry being sent, and the last one JetStream confirmed but that is
  // still in the outbox (removed a batch at a time: one fsync).
  let inFlight: number | undefined;
  let confirmedUpTo: number | undefined;
  const settle = (): void => {
    if (confirmedUpTo !== undefined) outbox.removeUpTo(confirmedUpTo);
    confirmedUpTo = undefined;
  };
  const drainStopped = new AbortController();
  stopping?.addEventListener(
    'abort',
    () => {
      drainStopped.abort();
    },
    { once: true },
  );
  // A function, not the property: the checks below come after awaits, during which a stop may come.
  const halted = (): boolean => drainStopped.signal.aborted;

  const sendOnce = async (subject: string, data: Uint8Array, msgId: string, headers: MsgHdrs | undefined) => {
    const sent = js.publish(subject, data, {
      msgID: msgId,
      ...(headers ? { headers } : {}),
      timeout: PUBLISH_TIMEOUT_MS,
    });
    return giveUp ? abortable(sent, giveUp) : sent;
  };

  const keep = (subject: string, p: Prepared, why: string): Queued => {
    const headers: Record<string, string> = {};
    for (const k of p.headers.keys()) headers[k] = p.headers.get(k);
    const wasEmpty = outbox.empty;
    let dropped;
    try {
      // Confirmed entries leave first, so that only unsent ones are dropped.
      settle();
      dropped = outbox.append({ subject, msgId: p.msgId, data: p.data, headers }, clock.now(), inFlight);
    } catch (error) {
      throw new PublishError(`publish to ${subject} not confirmed (${why}), nor could the outbox keep it`, {
        cause: error,
      });
    }
    queuedCount.add(1);
    if (dropped.count > 0) {
      droppedCount.add(dropped.count);
      olog.error(
        {
          dropped: dropped.count,
          droppedBytes: dropped.bytes,
          oldest: dropped.oldest,
          newest: dropped.newest,
          messages: outbox.fill.messages,
          bytes: outbox.fill.bytes,
          maxBytes: outbox.maxBytes,
          droppedTotal: outbox.fill.dropped,
        },
        'outbox full: dropped its oldest entries to keep the newest',
      );
    }
    if (wasEmpty)
      olog.warn(
        { subject, msgId: p.msgId, reason: why },
        'publish not confirmed: keeping it and what follows in the outbox',
      );
    drain();
    return { queued: true, reason: why };
  };

  const drain = (): void => {
    if (draining || halted()) return;
    draining = (async () => {
      const began = clock.now();
      let sent = 0;
      let failures = 0;
      while (!halted()) {
        const batch = outbox.oldest(DRAIN_BATCH);
        // Checked and cleared in one turn of the event loop: no publish can slip in between.
        if (batch.length === 0) break;
        for (const entry of batch) {
          while (!halted()) {
            if (!connected()) {
              settle();
              await clock.sleep(250, drainStopped.signal);
              continue;
            }
            // Dropped to make room while this batch waited: it must not go out after all.
            if (!outbox.holds(entry.seq)) break;
            try {
              inFlight = entry.seq;
              await sendOnce(entry.subject, entry.data, entry.msgId, headersOf(entry.headers));
              failures = 0;
              confirmedUpTo = entry.seq;
              sent++;
              sentCount.add(1);
              break;
            } catch (error) {
              failures++;
              settle();
              if (failures === 1 || failures % 10 === 0)
                olog.warn(
                  { err: error, msgId: entry.msgId, failures },
                  'outbox entry not confirmed, retrying',
                );
              await clock.sleep(backoffDelay(failures, retryBackoff), drainStopped.signal);
            }
          }
          inFlight = undefined;
          if (halted()) break;
        }
        inFlight = undefined;
        settle();
      }
      if (outbox.empty && sent > 0)
        olog.info({ sent, ms: clock.now() - began }, 'outbox sent: publishing directly again');
    })().finally(() => {
      draining = undefined;
      // A publish made between the last empty read and here found `draining` set and only queued.
      if (!outbox.empty && !halted()) drain();
    });
  };

  const publish: Publish = (subject, event, options = {}) =>
    prepared(events, tracer, subject, event, options, async (p, span): Promise<Published> => {
      if (!outbox.empty || draining || !connected()) {
        span.setAttribute('heatstream.outbox.queued', true);
        return keep(subject, p, outbox.empty ? 'NATS disconnected' : 'the outbox is being sent');
      }
      try {
        const ack = await sendOnce(subject, p.data, p.msgId, p.headers);
        span.setAttribute('messaging.nats.duplicate', ack.duplicate);
        return ack;
      } catch (error) {
        span.setAttribute('heatstream.outbox.queued', true);
        return keep(subject, p, (error as Error).message);
      }
    });

  return {
    publish,
    fill: () => outbox.fill,
    start: drain,
    async stop() {
      drainStopped.abort();
      await draining;
    },
  };
}
