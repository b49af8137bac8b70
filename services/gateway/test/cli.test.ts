// heatstream admin: the first admin is made here (there is no default user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NatsClient } from '@heatstream/runtime';
import { fileFixture, fileSetUp, natsFixture } from '@heatstream/testkit';
import { UserStore } from '../src/users.ts';

const nats = fileFixture(() => natsFixture({ own: true }));
let client: NatsClient;
fileSetUp(async () => {
  client = await nats.serviceClient('admin');
});

const cli = (
  args: string[],
  env: Record<string, string> = {},
  input = '',
): { status: number | null; out: string } => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../src/cli.ts', import.meta.url)), ...args], {
    env: { PATH: process.env.PATH, HS_NATS__URL: nats.url, ...env },
    input,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
};

test('create-user takes the password from the environment, or generates and prints one', async () => {
  assert.equal(cli(['create-user', 'anna'], { HS_NEW_PASSWORD: 'a password long enough' }).status, 0);
  const generated = cli(['create-user', 'ben', '--role', 'viewer']);
  assert.equal(generated.status, 0, generated.out);
  const password = /with password: (\S+)/.exec(generated.out)?.[1];
  assert.ok(password && password.length >= 12, generated.out);
  const users = await UserStore.open(client);
  assert.equal((await users.authenticate('anna', 'a password long enough'))?.role, 'admin');
  assert.equal((await users.authenticate('ben', password))?.role, 'viewer');
  assert.equal(await users.authenticate('anna', 'wrong password!!'), undefined);
});

test('refuses a duplicate user, a short password and an unknown role, naming why', () => {
  const dup = cli(['create-user', 'anna'], { HS_NEW_PASSWORD: 'another long password' });
  assert.equal(dup.status, 1);
  assert.match(dup.out, /user anna exists already/);
  const short = cli(['create-user', 'carl'], {}, 'short\n');
  assert.equal(short.status, 1);
  assert.match(short.out, /password: at least 12 characters/);
  assert.match(cli(['create-user', 'dora', '--role', 'root']).out, /--role must be admin or viewer/);
});

test('--if-no-users creates the first user only: once any user exists it leaves the users as they are', async () => {
  const users = await UserStore.open(client);
  const before = await users.countUsers();
  assert.ok(before > 0, 'the tests before made users');
  const r = cli(['create-user', 'first', '--if-no-users'], { HS_NEW_PASSWORD: 'the first one’s password' });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, new RegExp(`^${before} users already; first is not created`));
  assert.equal(await users.countUsers(), before);
  assert.equal(await users.authenticate('first', 'the first one’s password'), undefined);
});

test('create-token prints a token that authenticates as the user', async () => {
  const r = cli(['create-token', 'anna', 'home-assistant']);
  assert.equal(r.status, 0, r.out);
  const token = r.out.trim();
  assert.match(token, /^hst_/);
  const principal = await (await UserStore.open(client)).fromToken(token);
  assert.deepEqual(principal, { username: 'anna', role: 'admin', via: 'token' });
});

test('revoke-token (from stdin) and delete-user end what they name, and say when it does not exist', async () => {
  const token = cli(['create-token', 'ben', 'to-revoke']).out.trim();
  const revoked = cli(['revoke-token'], {}, `${token}\n`);
  assert.equal(revoked.status, 0, revoked.out);
  const users = await UserStore.open(client);
  assert.equal(await users.fromToken(token), undefined);
  assert.match(cli(['revoke-token'], {}, `${token}\n`).out, /no such token/);
  const session = await users.createSession({
    username: 'ben',
    role: 'viewer',
    passwordHash: '',
    createdAt: '',
  });
  assert.equal(cli(['delete-user', 'ben']).status, 0);
  assert.equal(await users.fromSession(session), undefined, 'the deleted user’s session no longer holds');
  const again = cli(['delete-user', 'ben']);
  assert.equal(again.status, 1);
  assert.match(again.out, /no user ben/);
});
