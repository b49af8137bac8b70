// heatstream admin: users and API tokens. There is no default user: the first admin is made here.
//   ./heatstream admin create-user <username> [--role admin|viewer]   password from HS_NEW_PASSWORD,
//                                                                      or stdin, or generated and printed once
//                         [--if-no-users]   only when there is no user yet, else exit 0 saying so: the
//                                           first user of a deployment (compose's one-shot first-user)
//   ./heatstream admin create-token <username> <token-name>           prints the token once
//   ./heatstream admin delete-user <username>                          its sessions, tokens and sockets end
//   ./heatstream admin revoke-token                                    the token from stdin
// NATS settings as for every service: HS_NATS__URL, HS_NATS__USER, HS_NATS__PASSWORD. The buckets
// are opened through the runtime like the gateway opens them; the sessions bucket keeps the TTL
// the gateway's config gave it.
import { text } from 'node:stream/consumers';
import { connectClient, loadServiceConfig } from '@heatstream/runtime';
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
  const client = await connectClient(config, 'admin');
  try {
    const users = await UserStore.open(client);
    if (command === 'create-user' && rest[0]) {
      const roleArg = rest.indexOf('--role') >= 0 ? rest[rest.indexOf('--role') + 1] : 'admin';
      if (roleArg !== Role.admin && roleArg !== Role.viewer)
        throw new UserError('--role must be admin or viewer');
      if (rest.includes('--if-no-users')) {
        const count = await users.countUsers();
        if (count > 0) {
          process.stdout.write(`${count} user${count === 1 ? '' : 's'} already; ${rest[0]} is not created\n`);
          return 0;
        }
      }
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
    if (command === 'delete-user' && rest[0]) {
      await users.deleteUser(rest[0]);
      process.stdout.write(`deleted user ${rest[0]}\n`);
      return 0;
    }
    if (command === 'revoke-token') {
      // From stdin, not the command line, where other users of the machine could read it.
      const secret = (await text(process.stdin)).trim();
      await users.revokeToken(secret);
      process.stdout.write('token revoked\n');
      return 0;
    }
    process.stderr.write(
      'usage: heatstream admin create-user <username> [--role admin|viewer] [--if-no-users] | create-token <username> <name> | delete-user <username> | revoke-token (token on stdin)\n',
    );
    return 2;
  } finally {
    await client.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`heatstream admin: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
