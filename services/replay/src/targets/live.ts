// Play a range into the live dashboard channel at N× speed: core NATS (not JetStream, nothing is
// stored), subject replay.v1.<site>.<device>, payload the event as stored, headers
// Hs-Replay-Subject (the original subject) and Hs-Replay-Speed. Spacing follows the events'
// measurement times divided by the speed; speed 0 sends as fast as possible. The gateway
// subscribes to replay.v1.> and pushes to the device's room, marked as a replay.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { ReplayTarget } from './target.ts';

export function liveSubject(site: string, device: string): string {
  return `replay.v1.${site}.${device}`;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    }),
};

export function liveTarget(nc: NatsConnection, speed: number, clock: Clock = realClock): ReplayTarget {
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
        const headers = natsHeaders();
        headers.set('Hs-Replay-Subject', e.subject);
        headers.set('Hs-Replay-Speed', String(speed));
        nc.publish(liveSubject(data.site, data.device), e.data, { headers });
        devices.add(`${data.site}/${data.device}`);
        played++;
      }
      await nc.flush();
    },
    finish: () => Promise.resolve(),
    close: () => Promise.resolve(),
    summary: () => [
      `played ${played.toLocaleString('en-US')} events of ${devices.size} devices to replay.v1.<site>.<device> at ${speed === 0 ? 'full speed' : `${speed}×`}`,
      ...(skipped > 0 ? [`${skipped} events name no site and device and were skipped`] : []),
    ],
  };
}
