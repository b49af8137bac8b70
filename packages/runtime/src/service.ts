// One way to write a service: defineService({ name, config, init }) and runService(service).
// Start-up runs in a fixed order and shutdown undoes it in reverse:
//   config → logger → telemetry → outbox (if declared) → probes → NATS → streams (verified) → init
//   (buckets; declared dependencies start probing) → consumers → start hooks → outbox sending →
//   consume loops and subscriptions → ready
//   draining → subscriptions close → consume loops finish in-flight → stop hooks → dependency
//   probes → outbox sending stops → NATS drain → probes → outbox closed → telemetry
// A service reaches NATS only through its context: no connection, JetStream client or manager.
// Every wait of the runtime ends when the service stops (clock.ts); a stop during a NATS outage
// takes no longer than the handler in hand.
import { hostname } from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { TProperties } from '@sinclair/typebox';
import {
  consumers as contractConsumers,
  events as contractEvents,
  access as contractAccess,
  streams as contractStreams,
  streamsOf,
  type ConsumerSpec,
} from '@heatstream/contracts';
import { configSchema, loadServiceConfig, redact, type ConfigOf } from './config.ts';
import { sleep } from './clock.ts';
import { DependencyCheck, dependencyProblems } from './dependency.ts';
import { StartupError } from './errors.ts';
import { startHealthServer, type Check, type HealthServer } from './health.ts';
import { createLogger } from './logger.ts';
import { connectNats, type NatsLink } from './nats.ts';
import { ConsumeLoop, type ConsumeLoopDeps } from './consume.ts';
import { kvOpener } from './kv.ts';
import { provisionConsumers, provisionMode, provisionStreams, type ProvisionMode } from './provision.ts';
import { Outbox } from './outbox.ts';
import { createOutboxPublisher, createPublisher, type OutboxPublisher } from './publish.ts';
import { createCorePublisher } from './publish-core.ts';
import { requester } from './request.ts';
import { CoreSubscriptions } from './subscribe.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';
import { instrumentPublish } from './metrics.ts';

export {
  defineService,
  type ConsumeBatchOptions,
  type ConsumeOptions,
  type RunOptions,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceHooks,
} from './service-types.ts';
import type { RunOptions, RunningService, ServiceContext, ServiceDefinition } from './service-types.ts';

export function configFileFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i === -1) return env.HS_CONFIG;
  const arg = argv[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

type Phase = 'starting' | 'running' | 'draining' | 'stopped';

export async function runService<P extends TProperties>(
  definition: ServiceDefinition<P>,
  options: RunOptions = {},
): Promise<RunningService> {
  const env = options.env ?? process.env;
  const schema = configSchema(definition.config ?? {});
  const config = loadServiceConfig(definition.config ?? ({} as P), {
    file: configFileFrom(options.argv ?? process.argv.slice(2), env),
    env,
  });
  const log = createLogger(definition.name, config.log.level);
  const instance = `${hostname()}-${process.pid}`;
  log.info({ config: redact(schema, config), instance }, 'starting');

  let phase: Phase = 'starting';
  const dependencies: DependencyCheck[] = [];
  // `shutdownBegun` ends every wait of the runtime (retry delays, start-up waits); `giveUp` also ends
  // waits for NATS confirmations, once stopping with NATS unreachable (they cannot arrive then).
  const shutdownBegun = new AbortController();
  const giveUp = new AbortController();
  const undo: { step: string; run: () => Promise<void> | void }[] = [];
  let link: NatsLink | undefined;
  let sender: OutboxPublisher | undefined;

  const ready: Check = () => {
    if (phase !== 'running') return phase;
    if (!link?.connected()) return 'NATS disconnected';
    return dependencyProblems(dependencies);
  };

  const shutdown = async (): Promise<number> => {
    let code = 0;
    for (const { step, run } of undo.reverse()) {
      try {
        await run();
      } catch (error) {
        code = 1;
        log.error({ err: error, step }, 'shutdown step failed');
      }
    }
    phase = 'stopped';
    return code;
  };

  try {
    const telemetry: Telemetry = await startTelemetry(definition.name, {
      otlpEndpoint: config.otel.endpoint,
      prometheus: config.http.metrics,
    });
    undo.push({ step: 'telemetry', run: () => telemetry.shutdown() });
    let outbox: Outbox | undefined;
    if (definition.outbox) {
      if (!config.outbox.dir)
        throw new StartupError(
          `${definition.name} keeps what it cannot publish in an outbox on disk: set outbox.dir (HS_OUTBOX__DIR)`,
        );
      const opened = new Outbox(config.outbox.dir, config.outbox.maxBytes);
      outbox = opened;
      undo.push({
        step: 'outbox',
        run: () => {
          opened.close();
        },
      });
      if (opened.setAside)
        log.error(
          { file: opened.setAside },
          'the outbox file was no database: moved aside, starting a new one',
        );
      log.info({ dir: opened.dir, ...opened.fill }, 'outbox opened');
    }
    const details = () => (sender ? { outbox: sender.fill() } : {});
    const health: HealthServer = await startHealthServer(
      config.http.host,
      config.http.port,
      ready,
      details,
      telemetry.scrape,
    ).catch((error: unknown) => {
      throw new StartupError(
        `cannot listen on ${config.http.host}:${config.http.port}: ${(error as Error).message}`,
        { cause: error },
      );
    });
    undo.push({ step: 'probes', run: () => health.close() });

    const natsLink = await connectNats(config.nats, `${definition.name}/${instance}`, log);
    link = natsLink;
    undo.push({
      step: 'nats',
      // drain() flushes what is buffered and waits for the server to confirm; while disconnected
      // it waits for a reconnect attempt and then rejects, leaving the connection open. Nothing
      // buffered can reach the server then, so close instead.
      run: () => (natsLink.connected() ? natsLink.nc.drain() : natsLink.nc.close()),
    });
    void (async () => {
      for await (const status of natsLink.nc.status())
        if (status.type === 'disconnect' && shutdownBegun.signal.aborted) giveUp.abort();
    })();
    const jsm = await jetstreamManager(natsLink.nc).catch((error: unknown) => {
      throw new StartupError(`JetStream is not enabled on ${config.nats.url}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const js = jetstream(natsLink.nc);
    // A service with declared rights that logs in as its NATS user only verifies (INFO) what it
    // uses: that user may not create or change streams, the provisioning step does. On a server
    // without users (development, tests) there is no provisioning user, so it converges them.
    const rights = options.access ?? contractAccess[definition.name];
    const converge = (own: unknown): ProvisionMode =>
      provisionMode(options.provision, rights, config.nats, own !== undefined);
    await provisionStreams(
      jsm,
      options.streams ?? (rights ? streamsOf(rights) : contractStreams),
      config.jetstream,
      log,
      converge(options.streams),
    );

    const events = options.events ?? contractEvents;
    const publish = createPublisher({
      js,
      events,
      tracer: telemetry.tracer,
      stopping: shutdownBegun.signal,
      giveUp: giveUp.signal,
    });
    if (outbox) {
      const opened = createOutboxPublisher({
        js,
        events,
        tracer: telemetry.tracer,
        meter: telemetry.meter,
        outbox,
        connected: () => natsLink.connected(),
        log,
        stopping: shutdownBegun.signal,
        giveUp: giveUp.signal,
      });
      sender = opened;
      undo.push({ step: 'outbox sending', run: () => opened.stop() });
    }
    const loops: { spec: ConsumerSpec; loop: ConsumeLoop }[] = [];
    const known = options.consumers ?? contractConsumers;
    const addLoop = (
      consumer: string | ConsumerSpec,
      mode: Pick<ConsumeLoopDeps, 'handler' | 'batchHandler' | 'batch' | 'expiresMs' | 'concurrency'>,
    ): void => {
      const spec = typeof consumer === 'string' ? known.find((c) => c.durable === consumer) : consumer;
      if (!spec)
        throw new StartupError(
          `unknown consumer ${consumer as string}: declare it in contracts/src/streams.ts`,
        );
      const loop = new ConsumeLoop({
        js,
        spec,
        events,
        publish,
        service: definition.name,
        instance,
        log,
        tracer: telemetry.tracer,
        meter: telemetry.meter,
        traceEach: config.otel.endpoint !== undefined,
        giveUp: giveUp.signal,
        ...mode,
      });
      loops.push({ spec, loop });
    };
    const core = new CoreSubscriptions({
      nc: natsLink.nc,
      events,
      tracer: telemetry.tracer,
      log,
      service: definition.name,
      rights,
    });
    const ctx: ServiceContext<ConfigOf<P>> = {
      name: definition.name,
      instance,
      config,
      log,
      events,
      tracer: telemetry.tracer,
      meter: telemetry.meter,
      publish: instrumentPublish(telemetry.meter, sender?.publish ?? publish),
      publishCore: createCorePublisher({
        nc: natsLink.nc,
        events,
        tracer: telemetry.tracer,
        service: definition.name,
        rights,
        streams: options.streams ?? contractStreams,
      }),
      consume: (consumer, handler, consumeOptions = {}) => {
        addLoop(consumer, { handler, ...consumeOptions });
      },
      consumeBatch: (consumer, batchHandler, { batch, maxWaitMs, concurrency }) => {
        addLoop(consumer, {
          batchHandler,
          batch,
          expiresMs: maxWaitMs,
          ...(concurrency ? { concurrency } : {}),
        });
      },
      dependency: (spec) => {
        if (dependencies.some((d) => d.name === spec.name))
          throw new StartupError(`dependency ${spec.name} declared twice`);
        const dependency = new DependencyCheck(spec, log);
        dependencies.push(dependency);
        dependency.start();
        return dependency;
      },
      subscribe: (subject, handler) => core.subscribe(subject, handler),
      serve: (subject, handler) => {
        core.serve(subject, handler);
      },
      request: requester({ nc: natsLink.nc, tracer: telemetry.tracer, service: definition.name, rights }),
      kv: kvOpener({
        js,
        jsm,
        service: definition.name,
        rights,
        settings: config.jetstream,
        log,
        ...(options.buckets ? { buckets: options.buckets } : {}),
        mode: converge(options.buckets),
      }),
      natsConnected: () => natsLink.connected(),
    };
    undo.push({
      step: 'dependencies',
      run: async () => {
        await Promise.all(dependencies.map((d) => d.stop()));
      },
    });

    const hooks = (await definition.init(ctx)) ?? {};
    await provisionConsumers(
      jsm,
      loops.map((l) => l.spec),
      log,
      converge(options.consumers),
    );
    if (hooks.stop) {
      const stop = hooks.stop.bind(hooks);
      undo.push({ step: 'service', run: stop });
    }
    await hooks.start?.();
    // Sends what a previous run left in the outbox (a publish of a start hook already queued behind it).
    sender?.start();
    for (const { loop } of loops) loop.start();
    undo.push({
      step: 'consumers',
      run: async () => {
        await Promise.all(loops.map(({ loop }) => loop.stop()));
      },
    });
    undo.push({ step: 'subscriptions', run: () => core.stop() });
    await core.start();
    phase = 'running';
    log.info(
      { httpPort: health.port, consumers: loops.map((l) => l.spec.durable), subscriptions: core.subjects },
      'started',
    );

    let stopping: Promise<number> | undefined;
    return {
      httpPort: health.port,
      log,
      stop: (reason = 'stop requested') => {
        stopping ??= (async () => {
          phase = 'draining';
          log.info({ reason }, 'stopping');
          shutdownBegun.abort(new Error(reason));
          if (!natsLink.connected()) giveUp.abort();
          const finished = new AbortController();
          const timeout = sleep(config.shutdownGraceMs, finished.signal).then(() => {
            if (finished.signal.aborted) return 0;
            log.error({ graceMs: config.shutdownGraceMs }, 'shutdown exceeded its grace period');
            return 1;
          });
          const code = await Promise.race([shutdown(), timeout]);
          finished.abort();
          log.info({ code }, 'stopped');
          return code;
        })();
        return stopping;
      },
    };
  } catch (error) {
    await shutdown();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`start-up failed: ${(error as Error).message}`, { cause: error });
  }
}
