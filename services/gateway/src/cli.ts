// heatstream admin: users and API tokens. There is no default user: the first admin is made here.
//   ./heatstream admin create-user <username> [--role admin|viewer]   password from HS_NEW_PASSWORD,
//                                                                      or stdin, or generated and printed once
//   ./heatstream admin create-token <username> <token-name>           prints the token once
// NATS settings as for every service: HS_NATS__URL, HS_NATS__USER, HS_NATS__PASSWORD.
import { text } from 'node:stream/consumers';
import { connect } from '@nats-io/transport-node';
import { loadServiceConfig } from '@heatstream/runtime';
import { newSecret } from './passwords.ts';
import { Role, UserError, UserStore } from './users.ts';

async function readPassword(): Promise<{ password: string; generated: boolean }> {
  const fromEnv = process.env.HS_NEW_PASSWORD;
  if (fromEnv) return { password: fromEnv, generated: false };
  if (!process.stdin.isTTY) {
    const piped = (await text(process.stdin)).trim();
    if (piped) return { password: piped, generated: false };
  }
  return { password: newSecret().slice(0, 24), generated: true };
}

async function run(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  const config = loadServiceConfig({});
  const nc = await connect({
    servers: config.nats.url.split(','),
    ...(config.nats.user ? { user: config.nats.user } : {}),
    ...(config.nats.password ? { pass: config.nats.password } : {}),
    ...(config.nats.token ? { token: config.nats.token } : {}),
  });
  try {
    const users = await UserStore.open(nc, 12 * 3_600_000);
    if (command === 'create-user' && rest[0]) {
      const roleArg = rest.indexOf('--role') >= 0 ? rest[rest.indexOf('--role') + 1] : 'admin';
      if (roleArg !== Role.admin && roleArg !== Role.viewer)
        throw new UserError('--role must be admin or viewer');
      const { password, generated } = await readPassword();
      await users.createUser(rest[0], password, roleArg);
      process.stdout.write(
        `created ${roleArg} ${rest[0]}${generated ? ` with password: ${password}` : ''}\n`,
      );
      return 0;
    }
    if (command === 'create-token' && rest[0] && rest[1]) {
      process.stdout.write(`${await users.createToken(rest[0], rest[1])}\n`);
      return 0;
    }
    process.stderr.write(
      'usage: heatstream admin create-user <username> [--role admin|viewer] | create-token <username> <name>\n',
    );
    return 2;
  } finally {
    await nc.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`heatstream admin: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
