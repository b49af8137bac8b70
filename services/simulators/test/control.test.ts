// The simulator's fault switch over real HTTP: a fault put for one unit hits that unit's reads
// and no other's, a bad fault is refused with every problem named, and DELETE clears it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { FaultControl } from '../src/control.ts';
import { FaultPlan } from '../src/faults.ts';

const plan = new FaultPlan([], Date.now());
const control = new FaultControl(plan, pino({ level: 'silent' }));
let url: string;

const call = async (method: string, body?: unknown, path = '/faults') => {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  return { status: res.status, body: json };
};

before(async () => {
  await control.start('127.0.0.1', 0);
  url = `http://127.0.0.1:${control.port}`;
});
after(() => control.stop());

void describe('FaultControl', () => {
  void it('puts a fault on one unit, lists it, and clears it', async () => {
    assert.deepEqual(await call('PUT', { mode: 'exception', unitId: 2 }), {
      status: 200,
      body: [{ mode: 'exception', unitId: 2 }],
    });
    assert.equal(plan.pick(2, Date.now())?.mode, 'exception');
    assert.equal(plan.pick(1, Date.now()), undefined, 'other units answer as usual');
    assert.deepEqual((await call('GET')).body, [{ mode: 'exception', unitId: 2 }]);
    assert.deepEqual(await call('DELETE'), { status: 200, body: [] });
    assert.equal(plan.pick(2, Date.now()), undefined);
  });

  void it('refuses a bad fault, naming the problem, and keeps the faults it had', async () => {
    await call('PUT', [{ mode: 'garbage', unitId: 6, rate: 0.5 }]);
    const bad = await call('PUT', [{ mode: 'explode', unitId: 2 }]);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /\/0\/mode/);
    assert.equal((await call('PUT', '{not json')).status, 400);
    assert.deepEqual((await call('GET')).body, [{ mode: 'garbage', unitId: 6, rate: 0.5 }]);
    assert.equal((await call('GET', undefined, '/other')).status, 404);
    await call('DELETE');
  });
});
