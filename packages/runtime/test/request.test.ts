// Request/reply through the runtime: a service serves, a client and a service ask; the trace
// crosses the hop; a failing handler is an error, not an answer; nobody serving is said so; a
// stopped service serves no more; rights are checked before anything is sent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { access, fileFixture, fileSetUp, natsFixture } from '@heatstream/testkit';
import {
  NoRespondersError,
  RequestError,
  StartupError,
  activeTraceIds,
  defineService,
  runService,
  type NatsClient,
  type Reply,
  type RunningService,
} from '../src/mod.ts';

const env = (): NodeJS.ProcessEnv => nats.env();

const answerer = defineService({
  name: 'answerer',
  init(ctx) {
    ctx.serve('test.echo', (request) => {
      const text = request.string();
      if (text === 'fail') throw new Error('cannot echo fail');
      return JSON.stringify({
        echo: text,
        traceId: activeTraceIds()?.traceId,
        tag: request.header('x-test'),
      });
    });
    return undefined;
  },
});

const nats = fileFixture(() => natsFixture({ own: true }));
let server: RunningService;
let client: NatsClient;
fileSetUp(async () => {
  server = await runService(answerer, {
    argv: [],
    env: env(),
    access: access({ serves: ['test.echo'] }),
  });
  client = await nats.serviceClient('asker', { access: access({ requests: ['test.>'] }) });
});

describe('request and serve', () => {
  test('a request gets the served answer, in the requester’s trace', async () => {
    const tracer = trace.getTracer('request-test');
    const { reply, traceId } = await tracer.startActiveSpan('ask', async (span) => {
      const answer: Reply = await client.request('test.echo', 'hello', { headers: { 'x-test': 'tagged' } });
      span.end();
      return { reply: answer, traceId: span.spanContext().traceId };
    });
    assert.deepEqual(reply.json(), { echo: 'hello', traceId, tag: 'tagged' });
  });

  test('a failing handler answers with an error the requester gets as a RequestError', async () => {
    await assert.rejects(
      client.request('test.echo', 'fail'),
      (error: unknown) =>
        error instanceof RequestError &&
        !(error instanceof NoRespondersError) &&
        /the server of test\.echo failed: cannot echo fail/.test(error.message),
    );
  });

  test('a service asks with ctx.request within its rights, and is refused outside them', async () => {
    let answer: unknown;
    const asker = defineService({
      name: 'asking-service',
      init(ctx) {
        return {
          async start() {
            answer = (await ctx.request('test.echo', 'from a service')).json();
          },
        };
      },
    });
    await (
      await runService(asker, { argv: [], env: env(), access: access({ requests: ['test.echo'] }) })
    ).stop();
    assert.equal((answer as { echo: string }).echo, 'from a service');
    await assert.rejects(
      runService(asker, { argv: [], env: env(), access: access() }),
      (error: unknown) =>
        error instanceof StartupError &&
        /asking-service may not send requests to test\.echo: its requests in contracts\/src\/access\.ts are \[\]/.test(
          error.message,
        ),
    );
  });

  test('serving outside the service’s rights fails start-up', async () => {
    await assert.rejects(
      runService(answerer, { argv: [], env: env(), access: access() }),
      /answerer may not serve test\.echo/,
    );
  });

  test('once the serving service stopped, a request says nothing answers', async () => {
    assert.equal(await server.stop(), 0);
    await assert.rejects(
      client.request('test.echo', 'anyone?'),
      (error: unknown) =>
        error instanceof NoRespondersError && /nothing answers requests on test\.echo/.test(error.message),
    );
    await assert.rejects(
      client.request('other.subject', 'x'),
      /asker may not send requests to other\.subject/,
    );
  });
});
