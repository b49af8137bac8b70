// Dead letters: the original bytes, headers and the reason, on rejected.v1.<service>.
import type { JsMsg } from '@nats-io/jetstream';
import { makeEvent, subjects, type ConsumerSpec } from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { Publish } from './publish.ts';

export interface DeadLetterDeps {
  publish: Publish;
  service: string;
  instance: string;
  spec: ConsumerSpec;
}

/** Publishes the dead letter first; only once it is stored is the original terminated. */
export async function deadLetter(
  { publish, service, instance, spec }: DeadLetterDeps,
  msg: JsMsg,
  log: Logger,
  reason: string,
  issues?: readonly { path: string; message: string }[],
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers?.get(key) ?? '';
  const event = makeEvent('heatstream.rejected.v1', {
    source: `${service}/${instance}`,
    subject: service,
    data: {
      service,
      reason,
      originalSubject: msg.subject,
      stream: spec.stream,
      streamSeq: msg.seq,
      deliveries: msg.info.deliveryCount,
      ...(issues && issues.length > 0
        ? { errors: issues.map((i) => ({ path: i.path, message: i.message })) }
        : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      payload: Buffer.from(msg.data).toString('base64'),
      payloadEncoding: 'base64',
    },
  });
  try {
    await publish(subjects.rejected(service), event, { msgId: `rejected:${spec.stream}:${msg.seq}` });
  } catch (error) {
    log.error({ err: error }, 'dead letter not stored; message returned for redelivery');
    msg.nak(spec.backoffMs.at(-1) ?? 5_000);
    return;
  }
  log.warn({ reason }, 'message dead-lettered');
  msg.term(reason.slice(0, 200));
}
