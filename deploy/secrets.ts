// Prints a fresh set of every secret heatstream needs, as KEY=value lines (mode of use: redirect
// into a file only you can read). Used by ./heatstream start on first start, and for
// `kubectl create secret generic heatstream-secrets --from-env-file=...` and docker compose.
import { randomBytes } from 'node:crypto';
import { access, natsPasswordVar } from '@heatstream/contracts';

export const secretNames: readonly string[] = [
  ...[...Object.keys(access), 'admin'].map(natsPasswordVar),
  'QUESTDB_PASSWORD',
  'MQTT_PASSWORD',
];

if (import.meta.main) {
  for (const name of secretNames) process.stdout.write(`${name}=${randomBytes(24).toString('base64url')}\n`);
}
