// Writes deploy/nats-auth.conf from contracts/src/access.ts; with --check, fails when it differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { natsAuthorization } from '@heatstream/contracts';

const file = new URL('./nats-auth.conf', import.meta.url);
const text = natsAuthorization();
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    process.stderr.write('deploy/nats-auth.conf is stale: run node deploy/nats-auth.ts\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
