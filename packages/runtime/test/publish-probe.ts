// The runtime's publisher on a bare connection, for tests that publish from outside a service.
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { events } from '@heatstream/contracts';
import { createPublisher, type Publish } from '../src/publish.ts';

export function probe(nc: NatsConnection): { publish: Publish } {
  return {
    publish: createPublisher({ js: jetstream(nc), events, tracer: trace.getTracer('test-publisher') }),
  };
}
