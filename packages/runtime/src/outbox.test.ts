// The outbox's store on its own: order and contents across reopening, the bound (oldest first),
// one process per outbox, and files a crash or a disk left behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from './outbox.ts';

const dirs: string[] = [];
const dirOf = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `outbox-${name}-`));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const entry = (i: number, size = 100) => ({
  subject: `readings.v1.site1.dev${i % 3}`,
  msgId: `m${i}`,
  data: new TextEncoder().encode(JSON.stringify({ i, pad: 'x'.repeat(size) })),
  headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` },
});

void describe('Outbox', () => {
  test('keeps entries in order with subject, message id, bytes and headers across reopening', () => {
    const dir = dirOf('order');
    const first = new Outbox(dir, 1024 ** 2);
    for (let i = 0; i < 5; i++) first.append(entry(i), 1000 + i);
    first.close();
    const again = new Outbox(dir, 1024 ** 2);
    const kept = again.oldest(10);
    assert.deepEqual(
      kept.map((e) => e.msgId),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
    );
    const third = kept.at(2);
    assert.ok(third);
    assert.equal(third.subject, 'readings.v1.site1.dev2');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(third.data)), { i: 2, pad: 'x'.repeat(100) });
    assert.deepEqual(third.headers, entry(2).headers);
    assert.equal(third.queuedAt, 1002);
    assert.equal(again.fill.messages, 5);
    again.removeUpTo(third.seq);
    assert.deepEqual(
      again.oldest(10).map((e) => e.msgId),
      ['m3', 'm4'],
    );
    assert.equal(again.fill.messages, 2);
    again.close();
  });

  test('at its bound the oldest entries are dropped and reported, the newest kept', () => {
    const dir = dirOf('bound');
    const size = new Outbox(dirOf('size'), 1024 ** 2);
    size.append(entry(0), 0);
    const one = size.fill.bytes;
    size.close();
    const outbox = new Outbox(dir, one * 4);
    const drops = Array.from({ length: 10 }, (_, i) => outbox.append(entry(i), i));
    assert.deepEqual(
      drops.map((d) => d.count),
      [0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    );
    assert.deepEqual(drops[4]?.oldest, { msgId: 'm0', queuedAt: 0 });
    assert.deepEqual(
      outbox.oldest(10).map((e) => e.msgId),
      ['m6', 'm7', 'm8', 'm9'],
    );
    assert.deepEqual(outbox.fill, { messages: 4, bytes: one * 4, maxBytes: one * 4, dropped: 6 });
    outbox.close();
  });

  test('the entry a sender holds is not dropped: the next oldest go instead', () => {
    const size = new Outbox(dirOf('size2'), 1024 ** 2);
    size.append(entry(0), 0);
    const one = size.fill.bytes;
    size.close();
    const outbox = new Outbox(dirOf('inflight'), one * 3);
    for (let i = 0; i < 3; i++) outbox.append(entry(i), i);
    const held = outbox.oldest(1).at(0);
    assert.ok(held);
    const dropped = outbox.append(entry(3), 3, held.seq);
    assert.deepEqual(dropped.oldest, { msgId: 'm1', queuedAt: 1 });
    assert.deepEqual(
      outbox.oldest(10).map((e) => e.msgId),
      ['m0', 'm2', 'm3'],
    );
    assert.ok(outbox.holds(held.seq));
    outbox.close();
  });

  test('a second process (or opener) of the same outbox is refused, naming the setting', () => {
    const dir = dirOf('lock');
    const owner = new Outbox(dir, 1024 ** 2);
    assert.throws(
      () => new Outbox(dir, 1024 ** 2),
      /in use by another process: give each instance its own outbox\.dir/,
    );
    owner.close();
    new Outbox(dir, 1024 ** 2).close();
  });

  test('a write torn by a crash: the entries before it are kept, the outbox opens', () => {
    const dir = dirOf('torn');
    const live = new Outbox(dir, 1024 ** 2);
    for (let i = 0; i < 4; i++) live.append(entry(i, 3000), i);
    // What a crash leaves: the files as they are while the outbox is open, the last write cut short.
    const crashed = dirOf('torn-copy');
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(crashed, f));
    live.close();
    const wal = join(crashed, 'outbox.sqlite-wal');
    assert.ok(existsSync(wal), 'the entries are in the write-ahead log');
    truncateSync(wal, statSync(wal).size - 100);
    const reopened = new Outbox(crashed, 1024 ** 2);
    assert.equal(reopened.setAside, undefined);
    assert.deepEqual(
      reopened.oldest(10).map((e) => e.msgId),
      ['m0', 'm1', 'm2'],
    );
    reopened.append(entry(9), 9);
    assert.deepEqual(
      reopened.oldest(10).map((e) => e.msgId),
      ['m0', 'm1', 'm2', 'm9'],
    );
    reopened.close();
  });

  test('a file that is no database is moved aside (kept) and a new outbox started', () => {
    const dir = dirOf('garbage');
    writeFileSync(join(dir, 'outbox.sqlite'), 'x'.repeat(8192));
    const outbox = new Outbox(dir, 1024 ** 2);
    assert.match(outbox.setAside ?? '', /outbox\.sqlite\.unreadable-\d+$/);
    assert.ok(existsSync(outbox.setAside ?? ''), 'the unreadable file is kept');
    assert.equal(outbox.fill.messages, 0);
    outbox.append(entry(1), 1);
    assert.equal(outbox.oldest(1)[0]?.msgId, 'm1');
    outbox.close();
  });
});
