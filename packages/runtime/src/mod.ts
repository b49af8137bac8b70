export {
  defineService,
  runService,
  configFileFrom,
  type ServiceDefinition,
  type ServiceContext,
  type ServiceHooks,
  type RunOptions,
  type RunningService,
  type ConsumeOptions,
  type ConsumeBatchOptions,
} from './service.ts';
export { main } from './main.ts';
export {
  Secret,
  loadConfig,
  loadServiceConfig,
  configSchema,
  envName,
  redact,
  baseConfigProperties,
  type BaseConfig,
  type ConfigOf,
} from './config.ts';
export { ConfigError, StartupError, ProvisioningError, PublishError } from './errors.ts';
export { ok } from './handlers.ts';
export type { Delivery, MessageHandler, BatchHandler, BatchItem, ItemOutcome } from './handlers.ts';
export type { Publish, PublishOptions } from './publish.ts';
export type { PublishCore, CorePublishEventOptions } from './publish-core.ts';
export { injectTraceHeaders, extractTraceContext, activeTraceIds } from './telemetry.ts';
export type { Logger } from './logger.ts';
export {
  sleep,
  systemClock,
  backoffDelay,
  abortable,
  WaitAbortedError,
  type Clock,
  type BackoffOptions,
} from './clock.ts';
export { DependencyUnavailableError, type Dependency, type DependencySpec } from './dependency.ts';
export type { Kv, KvEntry, KvOptions, OpenKv } from './kv.ts';
export type {
  Received,
  RequestHandler,
  ServedRequest,
  Subscription,
  SubscriptionHandler,
  SubscriptionStats,
} from './subscribe.ts';
export {
  NoRespondersError,
  RequestError,
  ServiceErrorHeader,
  type Reply,
  type Request,
  type RequestOptions,
} from './request.ts';
export {
  connectClient,
  type ClientConfig,
  type ClientOptions,
  type CorePublishOptions,
  type NatsClient,
} from './client.ts';
export type { ReadStreamOptions, StoredMessage, StreamBounds, StreamReader } from './read.ts';
export { RUN_PROVISIONING, type ProvisionMode } from './provision.ts';
export {
  provisionAll,
  bucketTtlSettings,
  bucketTtlsFrom,
  type ProvisionAllOptions,
} from './provision-all.ts';
export {
  PROMETHEUS_CONTENT_TYPE,
  snapshotText,
  type SnapshotFamily,
  type SnapshotPoint,
} from './prometheus-snapshot.ts';
export { pollTimer, type PollTimer } from './metrics.ts';
