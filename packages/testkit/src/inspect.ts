// What tests ask of JetStream after the fact: the dead letters a service wrote, whether a durable
// consumer has caught up.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { events, subjects, type EventOf } from '@heatstream/contracts';

export type DeadLetter = EventOf<'heatstream.rejected.v1'>;

/** Every dead letter `service` has stored on rejected.v1.<service>, oldest first. */
export async function deadLetters(js: JetStreamClient, service: string): Promise<DeadLetter[]> {
  const consumer = await js.consumers.get('REJECTED', { filter_subjects: [subjects.rejected(service)] });
  const out: DeadLetter[] = [];
  try {
    for (;;) {
      const msg = await consumer.next({ expires: 1_000 });
      if (!msg) break;
      out.push(events.decode(msg.data) as DeadLetter);
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** The durable consumer has nothing left to deliver and nothing unacknowledged. */
export async function consumerIdle(jsm: JetStreamManager, stream: string, durable: string): Promise<boolean> {
  const info = await jsm.consumers.info(stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}
