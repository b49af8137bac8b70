// The provisioning step as a one-shot process: connects as the `provision` NATS user (or whoever
// HS_NATS__USER names), creates or converges every stream, consumer and bucket, and exits 0.
// `./heatstream start` runs it before the services; compose runs it as a service the others
// wait for (service_completed_successfully); k8s as a Job. Settings: HS_NATS__*, HS_JETSTREAM__*
// and the buckets' TTL settings (HS_API__SESSION_TTL_HOURS) — the same the services read.
import { sleep } from './clock.ts';
import { redact, configSchema, loadServiceConfig, type BaseConfig } from './config.ts';
import { ConfigError, StartupError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { connectNats, type NatsLink } from './nats.ts';
import { bucketTtlSettings, bucketTtlsFrom, provisionAll } from './provision-all.ts';

/** NATS may still be starting beside it (compose, k8s): a bounded number of attempts, then fail. */
async function connectWithRetries(nats: BaseConfig['nats'], log: Logger, attempts = 30): Promise<NatsLink> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectNats(nats, 'provision', log);
    } catch (error) {
      if (attempt >= attempts) throw error;
      log.warn({ attempt, err: error }, 'NATS not reachable yet; trying again in 1 s');
      await sleep(1_000);
    }
  }
}

const properties = bucketTtlSettings();
let code = 0;
try {
  const config = loadServiceConfig(properties, { file: process.env.HS_CONFIG });
  const log = createLogger('provision', config.log.level);
  log.info({ config: redact(configSchema(properties), config) }, 'provisioning');
  const link = await connectWithRetries(config.nats, log);
  try {
    await provisionAll(link.nc, {
      settings: config.jetstream,
      bucketTtlMs: bucketTtlsFrom(config),
      log,
    });
    log.info('provisioned');
  } finally {
    await link.nc.close();
  }
} catch (error) {
  const message =
    error instanceof ConfigError || error instanceof StartupError ? error.message : String(error);
  process.stderr.write(`provision: failed: ${message}\n`);
  code = 1;
}
process.exit(code);
