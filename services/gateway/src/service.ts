import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { probe, questDbConnectionProperties, type QuestDbConnection } from '@heatstream/questdb';
import { defineService } from '@heatstream/runtime';
import { createGateway } from './app.ts';
import { History } from './history.ts';
import { startLivePush } from './live.ts';
import { SocketSessions } from './socket-sessions.ts';
import { UserStore } from './users.ts';

export const gateway = defineService({
  name: 'gateway',
  config: {
    questdb: Type.Object(questDbConnectionProperties, { additionalProperties: false, default: {} }),
    api: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
        publicDir: Type.Optional(
          Type.String({ description: 'the built dashboard (services/dashboard/dist)' }),
        ),
        secureCookies: Type.Boolean({ default: false, description: 'set behind HTTPS' }),
        sessionTtlHours: Type.Number({ default: 12, minimum: 0.01 }),
        socketRecheckSeconds: Type.Number({
          default: 15,
          minimum: 0.1,
          description:
            'how often open sockets are checked against their session or token (logout elsewhere, expiry, deleted user or token)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  async init(ctx) {
    const { questdb, api } = ctx.config;
    const conn: QuestDbConnection = { url: questdb.url, user: questdb.user, password: questdb.password };
    const history = new History(conn);
    const sessionTtlMs = api.sessionTtlHours * 3_600_000;
    // The configured session lifetime becomes the TTL of the sessions bucket, also an existing one.
    const users = await UserStore.open(ctx, { sessionTtlMs });

    const store = ctx.dependency({ name: 'questdb', probe: () => probe(conn), intervalMs: 5_000 });
    const health: Parameters<typeof createGateway>[0]['health'] = async () => {
      const nats = ctx.natsConnected();
      const questDbUp = (await store.probeNow()) === undefined;
      return {
        status: nats && questDbUp ? 'healthy' : nats ? 'degraded' : 'unhealthy',
        dependencies: { nats: nats ? 'up' : 'down', questdb: questDbUp ? 'up' : 'down' },
      };
    };

    const sockets = new SocketSessions({
      recheckMs: api.socketRecheckSeconds * 1000,
      log: ctx.log.child({ component: 'sockets' }),
    });
    const { server, io } = createGateway({
      users,
      history,
      publish: ctx.publish,
      health,
      source: `gateway/${ctx.instance}`,
      log: ctx.log.child({ component: 'http' }),
      sessionTtlMs,
      secureCookies: api.secureCookies,
      publicDir: api.publicDir,
      sockets,
      meter: ctx.meter,
    });
    startLivePush(ctx, io);
    return {
      async start() {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(api.port, api.host, resolve);
        });
        sockets.start();
        const port = (server.address() as AddressInfo).port;
        ctx.log.info({ url: `http://${api.host}:${port}/` }, 'gateway listening');
        if ((await users.countUsers()) === 0) {
          ctx.log.warn('no users yet: create the first admin with `./heatstream admin create-user <name>`');
        }
      },
      async stop() {
        // The runtime has closed the live subscriptions before this hook runs.
        await sockets.stop();
        await io.close();
        server.closeAllConnections();
      },
    };
  },
});
