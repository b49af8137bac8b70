import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { Secret, defineService } from '@heatstream/runtime';
import { createGateway } from './app.ts';
import { History } from './history.ts';
import { startLivePush } from './live.ts';
import { questDbClient } from './questdb.ts';
import { UserStore } from './users.ts';

export const gateway = defineService({
  name: 'gateway',
  config: {
    questdb: Type.Object(
      {
        url: Type.String({ minLength: 1, description: 'QuestDB REST, e.g. http://127.0.0.1:9000' }),
        user: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.Optional(Secret()),
      },
      { additionalProperties: false, default: {} },
    ),
    api: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
        publicDir: Type.Optional(
          Type.String({ description: 'the built dashboard (services/dashboard/dist)' }),
        ),
        secureCookies: Type.Boolean({ default: false, description: 'set behind HTTPS' }),
        sessionTtlHours: Type.Number({ default: 12, minimum: 0.01 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  async init(ctx) {
    const { questdb, api } = ctx.config;
    const db = questDbClient(questdb.url, questdb.user, questdb.password);
    const history = new History(db);
    const sessionTtlMs = api.sessionTtlHours * 3_600_000;
    // The configured session lifetime becomes the TTL of the sessions bucket, also an existing one.
    const users = await UserStore.open(ctx, { sessionTtlMs });

    let questDbUp = await db.ping();
    const health: Parameters<typeof createGateway>[0]['health'] = async () => {
      questDbUp = await db.ping();
      const nats = ctx.natsConnected();
      return {
        status: nats && questDbUp ? 'healthy' : nats ? 'degraded' : 'unhealthy',
        dependencies: { nats: nats ? 'up' : 'down', questdb: questDbUp ? 'up' : 'down' },
      };
    };
    const poll = setInterval(() => {
      void db.ping().then((up) => (questDbUp = up));
    }, 5_000);
    ctx.addReadinessCheck(() => (questDbUp ? undefined : 'QuestDB unreachable'));

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
    });
    startLivePush(ctx, io);
    return {
      async start() {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(api.port, api.host, resolve);
        });
        const port = (server.address() as AddressInfo).port;
        ctx.log.info({ url: `http://${api.host}:${port}/` }, 'gateway listening');
        if ((await users.countUsers()) === 0) {
          ctx.log.warn('no users yet: create the first admin with `./heatstream admin create-user <name>`');
        }
      },
      async stop() {
        clearInterval(poll);
        // The runtime has closed the live subscriptions before this hook runs.
        await io.close();
        server.closeAllConnections();
      },
    };
  },
});
