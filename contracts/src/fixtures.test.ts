// Golden events: every valid fixture decodes unchanged; every invalid one is refused for the reason its name gives.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { events, eventTypeNames } from './event-types.ts';
import { ContractError } from './registry.ts';
import { eventTypeOfSubject, subjectOf } from './subjects.ts';

const root = new URL('../fixtures/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root));
const jsonFiles = (dir: string) => readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith('.json'));

/** What each invalid fixture must be refused for: the path of an issue, or the message. */
const invalid: Record<string, string | RegExp> = {
  'alert-metric-not-in-catalogue.json': '/data/metric',
  'alert-missing-severity.json': '/data/severity',
  'array-not-an-event.json': '/type',
  'command-unknown-command-reboot.json': '/data/command',
  'cop-coverage-above-1.json': '/data/coverage',
  'cop-v2-boundary-h5.json': '/data/boundary',
  'cop-v2-positive-defrost.json': '/data/defrostHeatKwh',
  'cop-specversion-0.3.json': '/specversion',
  'device-status-state-offline-not-in-set.json': '/data/state',
  'not-json-truncated.json': /^invalid JSON/,
  'reading-empty-metrics.json': '/data/metrics',
  'reading-extra-data-property.json': '/data/temperatureUnit',
  'reading-id-not-a-ulid.json': '/id',
  'reading-metric-value-is-a-string.json': '/data/metrics/outside_temp',
  'reading-negative-energy-counter.json': '/data/metrics/heat_energy',
  'reading-site-with-dot-breaks-subject.json': '/data/site',
  'reading-state-not-an-integer.json': '/data/metrics/compressor_on',
  'reading-time-without-offset.json': '/time',
  'reading-unknown-metric-flow_temperature.json': '/data/metrics/flow_temperature',
  'reading-unknown-version-v9.json': /^unknown event type "heatstream\.reading\.v9"/,
  'rejected-payload-not-base64.json': '/data/payload',
};

void describe('golden fixtures', () => {
  void it('exist for every event type, and only for registered ones', () => {
    const dirs = readdirSync(root).filter((d) => d !== 'invalid');
    assert.deepEqual(dirs.sort(), [...eventTypeNames].sort());
    for (const type of eventTypeNames) assert.ok(jsonFiles(type).length > 0, type);
  });

  // An older version is valid as it is and decodes into the newest version of its family.
  for (const type of eventTypeNames) {
    void it(`decode unchanged, or upcast to the newest version: ${type}`, () => {
      const family = events.types().find((d) => d.type === type)?.family ?? '';
      const newest = events.latest(family).type;
      for (const file of jsonFiles(type)) {
        const bytes = read(`${type}/${file}`);
        const parsed: unknown = JSON.parse(bytes.toString('utf8'));
        assert.deepEqual(events.validate(type, parsed), [], file);
        const event = events.decode(bytes);
        assert.equal(event.type, newest, file);
        if (newest === type) assert.deepEqual(event, parsed, file);
        else assert.deepEqual(events.validate(newest, event), [], file);
      }
    });
  }

  void it('route to a subject of their own type, named by their envelope subject', () => {
    for (const type of eventTypeNames) {
      for (const file of jsonFiles(type)) {
        const event = JSON.parse(read(`${type}/${file}`).toString('utf8')) as {
          type: string;
          data: unknown;
          subject: string;
        };
        const subject = subjectOf(event);
        assert.equal(eventTypeOfSubject(subject), type, file);
        assert.equal(
          subject.split('.').includes(event.subject),
          true,
          `${file}: ${subject} vs ${event.subject}`,
        );
      }
    }
  });

  void it('list every invalid fixture with the reason it must fail', () => {
    assert.deepEqual(jsonFiles('invalid').sort(), Object.keys(invalid).sort());
  });

  for (const [file, reason] of Object.entries(invalid)) {
    void it(`refuse invalid/${file}`, () => {
      assert.throws(
        () => events.decode(read(`invalid/${file}`)),
        (error: unknown) => {
          assert.ok(error instanceof ContractError, String(error));
          if (typeof reason === 'string') {
            assert.ok(
              error.issues.some((i) => i.path === reason),
              `expected an issue at ${reason}, got ${error.message}`,
            );
          } else {
            assert.match(error.message, reason);
          }
          return true;
        },
      );
    });
  }
});
