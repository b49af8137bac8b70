// command.v1 → the firmware's cellular-command.v1: what the firmware takes goes out as it is; other
// arguments fail before anything reaches the device.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CellularCommandV1, makeEvent } from '@heatstream/contracts';
import { Value } from '@sinclair/typebox/value';
import type { Delivery, Logger } from '@heatstream/runtime';
import { CommandArgsError, commandHandler } from './commands.ts';
import type { InventoryDevice } from './inventory.ts';

const devices = new Map<string, InventoryDevice>([
  [
    'remote-1',
    {
      id: 'remote-1',
      site: 'remote',
      intervalS: 300,
      tokenSha256: '0'.repeat(64),
      mqttHash: '$7$101$x$y',
      added: '2026-12-01T00:00:00.000Z',
    },
  ],
]);
const log = { info: () => undefined } as unknown as Logger;
const delivery: Delivery = {
  subject: 'commands.v1.remote.remote-1',
  streamSeq: 1,
  deliveryCount: 1,
  header: () => undefined,
  log,
};

const command = (args?: Record<string, string | number | boolean>) =>
  makeEvent('heatstream.command.v1', {
    source: 'test/0',
    subject: 'remote-1',
    data: {
      site: 'remote',
      device: 'remote-1',
      command: 'SET_INTERVAL',
      requestedBy: 'anna',
      ...(args ? { args } : {}),
    },
  });

describe('commands to the firmware', () => {
  test('SET_INTERVAL with seconds goes out in the firmware’s format', async () => {
    const sent: [string, string][] = [];
    const handle = commandHandler(devices, (topic, payload) => {
      sent.push([topic, payload]);
      return Promise.resolve();
    });
    const event = command({ seconds: 60 });
    await handle(event, delivery);
    assert.equal(sent.length, 1);
    const [topic, payload] = sent[0] ?? ['', ''];
    assert.equal(topic, 'heatpump/remote-1/cmd');
    const body: unknown = JSON.parse(payload);
    assert.ok(Value.Check(CellularCommandV1, body));
    assert.deepEqual(body, { id: event.id, command: 'SET_INTERVAL', args: { seconds: 60 } });
  });

  test('arguments the firmware does not take fail, and nothing is sent', async () => {
    const sent: string[] = [];
    const handle = commandHandler(devices, (topic) => {
      sent.push(topic);
      return Promise.resolve();
    });
    await assert.rejects(handle(command({ minutes: 5 }), delivery), CommandArgsError);
    await assert.rejects(handle(command({ seconds: 5 }), delivery), /\/args\/seconds/);
    assert.deepEqual(sent, []);
  });
});
