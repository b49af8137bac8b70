// @heatstream/contracts: schemas, subjects, streams, buckets and rights as data. No I/O.
export { SPEC_VERSION, envelopeSchema, newEventId, type Envelope } from './envelope.ts';
export { ID_PATTERN, ULID_PATTERN, SCHEMA_BASE_URL, isDateTime, StringEnum } from './schema.ts';
export {
  MetricKind,
  metrics,
  metricNames,
  units,
  isMetricName,
  type MetricDef,
  type MetricName,
} from './metrics.ts';
export * from './events/reading.v1.ts';
export * from './events/device-status.v1.ts';
export * from './events/alert.v1.ts';
export * from './events/cop.v1.ts';
export * from './events/cop.v2.ts';
export * from './events/cop-live.v1.ts';
export * from './events/command.v1.ts';
export * from './events/command-result.v1.ts';
export * from './events/rejected.v1.ts';
export {
  ContractError,
  createEventRegistry,
  defineEventType,
  type ContractIssue,
  type EventRegistry,
  type EventTypeDef,
  type Upcaster,
} from './registry.ts';
export {
  EventType,
  eventTypeNames,
  events,
  makeEvent,
  encodeEvent,
  type DataOf,
  type EventOf,
  type EventTypeName,
  type MakeEventInit,
} from './event-types.ts';
export {
  SubjectError,
  subjects,
  subjectOf,
  subjectPatterns,
  eventTypeOfSubject,
  subjectMatches,
  coreSubjects,
  coreSubjectPatterns,
  liveSubjects,
  coreEventTypes,
} from './subjects.ts';
export { ReplayHeader, type DeriveReply } from './replay.ts';
export { streams, consumers, streamOfSubject, type ConsumerSpec, type StreamSpec } from './streams.ts';
export { buckets, bucketsOf, type BucketSpec } from './buckets.ts';
export {
  AccessError,
  access,
  inboxPrefixOf,
  natsAuthorization,
  natsPasswordVar,
  natsPermissions,
  provisionPermissions,
  provisionUser,
  streamsOf,
  type DeviceRef,
  type NatsPermissions,
  type ServiceAccess,
} from './access.ts';
export * from './cellular.ts';
export { aclSection, brokerUsers, type BrokerAccess } from './broker.ts';
