// A service built on the runtime for the runtime's own tests: it consumes readings and appends
// what it saw to a file, with knobs to be slow or to fail. Run in-process or as a child process.
import { appendFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { ConsumerSpec } from '@heatstream/contracts';
import { activeTraceIds, defineService, sleep } from '../src/mod.ts';

export const recorderConsumer: ConsumerSpec = {
  stream: 'READINGS',
  durable: 'runtime-test-recorder',
  filterSubjects: ['readings.v1.>'],
  description: 'runtime tests',
  ackWaitMs: 5_000,
  maxDeliver: 3,
  backoffMs: [200, 400],
  maxAckPending: 100,
};

export const recorder = defineService({
  name: 'recorder',
  config: {
    recordFile: Type.String({ minLength: 1 }),
    handlerDelayMs: Type.Integer({ default: 0, minimum: 0 }),
    failDevice: Type.Optional(Type.String({ description: 'readings of this device make the handler throw' })),
  },
  init(ctx) {
    const { recordFile, handlerDelayMs, failDevice } = ctx.config;
    ctx.consume(recorderConsumer, async (event, delivery) => {
      const line = (phase: string): string =>
        `${JSON.stringify({ phase, id: event.id, seq: delivery.streamSeq, delivery: delivery.deliveryCount, at: Date.now(), traceparent: delivery.header('traceparent') ?? '', traceId: activeTraceIds()?.traceId ?? '' })}\n`;
      appendFileSync(recordFile, line('start'));
      if (handlerDelayMs > 0) await sleep(handlerDelayMs);
      if (failDevice !== undefined && event.subject === failDevice)
        throw new Error(`device ${failDevice} always fails`);
      appendFileSync(recordFile, line('done'));
    });
    return undefined;
  },
});
