// Re-run a derivation over a range. Replay does not know how COP (or any future derivation) is
// computed and must not import the service that does; it asks it over NATS request/reply:
//   request  derive.v1.<derivation>   payload: the event as stored; headers Hs-Replay-Stream, Hs-Replay-Seq
//   reply    {"ok":true} once the derivation has taken the event (its own outputs go to its stream),
//            or {"ok":false,"error":"…"}.
// Requests run with bounded concurrency, in stream order per window. No responder is an error
// that names the subject, so a missing service is reported rather than replayed into the void.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { ReplayEvent } from '../source.ts';
import type { ReplayTarget } from './target.ts';

export class DeriveError extends Error {
  override readonly name = 'DeriveError';
}

export function deriveSubject(derivation: string): string {
  return `derive.v1.${derivation}`;
}

export function deriveTarget(
  nc: NatsConnection,
  derivation: string,
  stream: string,
  concurrency = 32,
): ReplayTarget {
  const subject = deriveSubject(derivation);
  let sent = 0;
  let refused = 0;
  let firstRefusal: string | undefined;
  const ask = async (e: ReplayEvent): Promise<void> => {
    const headers = natsHeaders();
    headers.set('Hs-Replay-Stream', stream);
    headers.set('Hs-Replay-Seq', String(e.seq));
    let reply;
    try {
      reply = await nc.request(subject, e.data, { timeout: 30_000, headers });
    } catch (error) {
      const message = (error as Error).message;
      throw new DeriveError(
        /no responders/i.test(message)
          ? `nothing serves the derivation "${derivation}" on ${subject}: start the service that does (see services/replay/README.md)`
          : `derivation request on ${subject} failed: ${message}`,
        { cause: error },
      );
    }
    const answer = reply.json<{ ok?: boolean; error?: string }>();
    sent++;
    if (answer.ok !== true) {
      refused++;
      firstRefusal ??= `seq ${e.seq}: ${answer.error ?? 'no reason given'}`;
    }
  };
  return {
    async take(events) {
      for (let i = 0; i < events.length; i += concurrency)
        await Promise.all(events.slice(i, i + concurrency).map(ask));
    },
    finish: () => Promise.resolve(),
    close: () => Promise.resolve(),
    summary: () => [
      `asked ${subject} to re-derive ${sent.toLocaleString('en-US')} events`,
      ...(refused > 0 ? [`the derivation refused ${refused}, first ${firstRefusal ?? ''}`] : []),
    ],
  };
}
