// Re-run a derivation over a range. Replay does not know how COP (or any future derivation) is
// computed and must not import the service that does; it asks it over NATS request/reply, with
// the names shared in contracts (`coreSubjects.derive`, `ReplayHeader`, `DeriveReply`):
//   request  derive.v1.<derivation>   payload: the event as stored; headers Hs-Replay-Stream, Hs-Replay-Seq
//   reply    {"ok":true} once the derivation has taken the event (its own outputs go to its stream),
//            or {"ok":false,"error":"…"}.
// Requests run with bounded concurrency, in stream order per window. No responder is an error
// that names the subject, so a missing service is reported rather than replayed into the void.
import { ReplayHeader, coreSubjects, type DeriveReply } from '@heatstream/contracts';
import { NoRespondersError, type NatsClient } from '@heatstream/runtime';
import type { ReplayEvent } from '../source.ts';
import type { ReplayTarget } from './target.ts';

export class DeriveError extends Error {
  override readonly name = 'DeriveError';
}

export function deriveTarget(
  client: Pick<NatsClient, 'request'>,
  derivation: string,
  stream: string,
  concurrency = 32,
): ReplayTarget {
  const subject = coreSubjects.derive(derivation);
  let sent = 0;
  let refused = 0;
  let firstRefusal: string | undefined;
  const ask = async (e: ReplayEvent): Promise<void> => {
    let reply;
    try {
      reply = await client.request(subject, e.data, {
        timeoutMs: 30_000,
        headers: { [ReplayHeader.stream]: stream, [ReplayHeader.seq]: String(e.seq) },
      });
    } catch (error) {
      throw new DeriveError(
        error instanceof NoRespondersError
          ? `nothing serves the derivation "${derivation}" on ${subject}: start the service that does (see services/replay/README.md)`
          : `derivation request on ${subject} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const answer = reply.json() as Partial<DeriveReply>;
    sent++;
    if (answer.ok !== true) {
      refused++;
      firstRefusal ??= `seq ${e.seq}: ${(answer.ok === false && answer.error) || 'no reason given'}`;
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
