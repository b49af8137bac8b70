import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileFixture, fileSetUp } from './file-fixture.ts';

const order: string[] = [];
const fake = (name: string, makeMs: number) =>
  fileFixture(async () => {
    await delay(makeMs);
    order.push(`make ${name}`);
    return {
      name,
      [Symbol.asyncDispose]: () => {
        order.push(`dispose ${name}`);
        return Promise.resolve();
      },
    };
  });
// The first takes longer to make: the second still waits for it, as a service waits for its server.
const server = fake('server', 50);
const service = fake('service', 0);
fileSetUp(() => {
  order.push(`set-up sees ${server.name} and ${service.name}`);
});

test('file fixtures are made in the order declared, a set-up step after them', () => {
  assert.deepEqual(order, ['make server', 'make service', 'set-up sees server and service']);
});

after(() => {
  assert.deepEqual(order.slice(3), ['dispose service', 'dispose server'], 'the last made goes first');
});
