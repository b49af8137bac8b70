// A fixture shared by every test of a file: made before the file's tests, disposed of after them,
// so a file declares its servers in one line instead of a `let` and two hooks.
//   const nats = fileFixture(() => natsFixture({ own: true }));
//   const ingest = fileFixture(() => serviceFixture(service, { env: nats.env() }));
//   fileSetUp(async () => { client = await nats.serviceClient('admin'); });
import { after, before } from 'node:test';
import { TestkitError } from './process.ts';

// node:test starts a file's before hooks together and runs its after hooks in the order they were
// registered. So each fixture waits for the ones declared before it (a service may use the
// server above it), and one after hook disposes of them all, the last made first.
let declared: Promise<void> = Promise.resolve();
const made: AsyncDisposable[] = [];
let hooked = false;

function inTurn(step: () => Promise<void>): void {
  const previous = declared;
  let done!: () => void;
  declared = new Promise((resolve) => (done = resolve));
  before(async () => {
    try {
      await previous;
      await step();
    } finally {
      done();
    }
  });
}

/**
 * Stands for the fixture `make` resolves to once it is made, before the file's first test;
 * touching it earlier (at module level, or in a plain before hook) is an error that says so.
 */
export function fileFixture<T extends AsyncDisposable & object>(make: () => Promise<T>): T {
  let value: T | undefined;
  inTurn(async () => {
    value = await make();
    made.push(value);
  });
  if (!hooked) {
    hooked = true;
    after(async () => {
      for (let next = made.pop(); next; next = made.pop()) await next[Symbol.asyncDispose]();
    });
  }
  const current = (): T => {
    if (value === undefined)
      throw new TestkitError('a file fixture was used before it was made (use fileSetUp, not before)');
    return value;
  };
  return new Proxy({} as T, {
    get(_target, key) {
      const field: unknown = Reflect.get(current(), key);
      return typeof field === 'function' ? (field as (...a: unknown[]) => unknown).bind(current()) : field;
    },
    has: (_target, key) => Reflect.has(current(), key),
  });
}

/** A before hook that runs once the file fixtures declared above it are made. */
export function fileSetUp(step: () => void | Promise<void>): void {
  inTurn(async () => {
    await step();
  });
}
