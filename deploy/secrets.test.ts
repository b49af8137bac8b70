import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSecret } from './secrets.ts';

test('generated secrets start with a letter, so nats-server reads a $VAR of one as a string', () => {
  // Without the letter, 11 of 64 base64url first characters ('-' and digits) broke nats-server's
  // config: 10,000 draws would hit one all but certainly.
  const secrets = Array.from({ length: 10_000 }, newSecret);
  for (const secret of secrets) assert.match(secret, /^[A-Za-z][A-Za-z0-9_-]{32}$/);
  assert.equal(new Set(secrets).size, secrets.length);
});
