// Play a range into the live dashboard channel at N× speed: core NATS (not JetStream, nothing is
// stored), subject replay.v1.<site>.<device>, payload the event as stored, headers
// Hs-Replay-Subject (the original subject) and Hs-Replay-Speed (names in contracts). Spacing follows the events'
// measurement times divided by the speed; speed 0 sends as fast as possible. The gateway
// subscribes to replay.v1.> and pushes to its replay room only (the dashboard's Replay page), never to live rooms.
import { ReplayHeader, coreSubjects } from '@heatstream/contracts';
import { systemClock, type Clock, type NatsClient } from '@heatstream/runtime';
import type { ReplayTarget } from './target.ts';

export function liveTarget(
  client: Pick<NatsClient, 'publish' | 'flush'>,
  speed: number,
  clock: Clock = systemClock,
): ReplayTarget {
  let origin: { eventMs: number; wallMs: number } | undefined;
  let played = 0;
  let skipped = 0;
  const devices = new Set<string>();
  return {
    async take(events, signal) {
      const aborted = (): boolean => signal.aborted;
      for (const e of events) {
        if (aborted()) throw new Error('interrupted');
        const data = e.event.data as { site?: unknown; device?: unknown };
        if (typeof data.site !== 'string' || typeof data.device !== 'string') {
          skipped++;
          continue;
        }
        const eventMs = Date.parse(e.event.time);
        origin ??= { eventMs, wallMs: clock.now() };
        if (speed > 0) {
          const due = origin.wallMs + (eventMs - origin.eventMs) / speed;
          const wait = due - clock.now();
          if (wait > 0) await clock.sleep(wait, signal);
          if (aborted()) throw new Error('interrupted');
        }
        client.publish(coreSubjects.replay(data.site, data.device), e.data, {
          headers: { [ReplayHeader.subject]: e.subject, [ReplayHeader.speed]: String(speed) },
        });
        devices.add(`${data.site}/${data.device}`);
        played++;
      }
      await client.flush();
    },
    finish: () => Promise.resolve(),
    close: () => Promise.resolve(),
    summary: () => [
      `played ${played.toLocaleString('en-US')} events of ${devices.size} devices to replay.v1.<site>.<device> at ${speed === 0 ? 'full speed' : `${speed}×`}`,
      ...(skipped > 0 ? [`${skipped} events name no site and device and were skipped`] : []),
    ],
  };
}
