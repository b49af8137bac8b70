// Every secret heatstream needs, as KEY=value lines:
//   node deploy/secrets.ts            prints a fresh set (for kubectl --from-env-file, compose's .env)
//   node deploy/secrets.ts --fill F   creates F (mode 600) or adds what it lacks, keeping the rest;
//                                     ./heatstream start does this on every start
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { access, natsPasswordVar, provisionUser } from '@heatstream/contracts';

export const secretNames: readonly string[] = [
  ...[...Object.keys(access), provisionUser, 'admin'].map(natsPasswordVar),
  'QUESTDB_PASSWORD',
  'MQTT_PASSWORD',
  // The first dashboard user, "admin", created by ./heatstream start (other deployments use
  // ./heatstream admin create-user instead).
  'DASHBOARD_PASSWORD',
];

/**
 * 24 random bytes as base64url behind a letter: nats-server parses a `$VAR` in its config as a
 * value of its own, so a secret starting with `-` or a digit is read as a number ("12kb…" becomes
 * a size, "-s…" fails to parse) and the server refuses to start. A leading letter keeps it a string.
 */
export const newSecret = (): string => `s${randomBytes(24).toString('base64url')}`;

const line = (name: string): string => `${name}=${newSecret()}\n`;

if (import.meta.main) {
  const i = process.argv.indexOf('--fill');
  const file = i >= 0 ? process.argv[i + 1] : undefined;
  if (!file) {
    for (const name of secretNames) process.stdout.write(line(name));
  } else {
    if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
    const present = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.split('=')[0]),
    );
    const missing = secretNames.filter((n) => !present.has(n));
    if (missing.length > 0) {
      appendFileSync(file, missing.map(line).join(''));
      process.stderr.write(`[start] generated ${missing.join(', ')} in ${file}\n`);
    }
  }
}
