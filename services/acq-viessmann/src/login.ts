// heatstream viessmann login: the OAuth2 authorization code flow with PKCE, as a CLI step.
//   ./heatstream viessmann login            prints the authorize URL; paste the URL your browser was
//                                           redirected to (or just the code from it)
//   ./heatstream viessmann login --follow   the simulated API only (loopback): asks its authorize
//                                           endpoint itself, which approves at once, and takes the
//                                           redirect — how ./heatstream start logs in by itself
// Settings as for the service (HS_CONFIG or HS_OAUTH__CLIENT_ID, HS_OAUTH__REDIRECT_URI, …; NATS as
// acq-viessmann). The tokens go to the viessmann_state bucket, where every replica reads them;
// writing them also clears a refused refresh token, so polling resumes without a restart.
import { createInterface } from 'node:readline/promises';
import { configFileFrom, connectClient, loadServiceConfig, systemClock } from '@heatstream/runtime';
import { acqViessmannConfig } from './config.ts';
import { BUCKET } from './service.ts';
import { SCOPES, TokenStore, beginLogin, finishLogin } from './tokens.ts';

class LoginError extends Error {
  override name = 'LoginError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function followRedirect(url: string): Promise<string> {
  if (!LOOPBACK.has(new URL(url).hostname))
    throw new LoginError(
      '--follow is for the simulated API on this machine; log in to Viessmann in a browser',
    );
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new LoginError(`the authorize endpoint answered HTTP ${response.status}: ${await response.text()}`);
  return location;
}

async function ask(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Paste the URL you were redirected to (or the code): ');
  } finally {
    rl.close();
  }
}

async function run(args: readonly string[]): Promise<number> {
  const [command, ...flags] = args;
  if (command !== 'login') {
    process.stderr.write('usage: heatstream viessmann login [--follow] [--config FILE]\n');
    return 2;
  }
  const config = loadServiceConfig(acqViessmannConfig, { file: configFileFrom(flags, process.env) });
  const pending = await beginLogin(config.oauth);
  process.stdout.write(
    `Open this URL, log in and allow access (scopes ${SCOPES}); your browser is then sent to ${config.oauth.redirectUri}:\n\n  ${pending.url}\n\n`,
  );
  const answer = flags.includes('--follow') ? await followRedirect(pending.url) : await ask();
  const tokens = await finishLogin(config.oauth, pending, answer, systemClock);
  const client = await connectClient(config, 'acq-viessmann');
  try {
    await new TokenStore(await client.kv(BUCKET), config.oauth, systemClock, 0).save(tokens);
  } finally {
    await client.close();
  }
  process.stdout.write(
    `logged in: tokens stored, access token valid until ${new Date(tokens.expiresAt).toISOString()}\n`,
  );
  return 0;
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`heatstream viessmann: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
