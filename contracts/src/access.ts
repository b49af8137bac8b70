// Who may do what on NATS: each service's least-privilege permissions, as data. Deployments turn
// this into nats-server users (deploy/nats-auth.conf), so a service that publishes outside its
// subjects is refused by the server, not just by convention. The runtime checks the same rights
// when a service opens a bucket, subscribes, serves or requests, so a mistake fails at start-up
// with its reason instead of as a permission error later.
import { buckets, bucketsOf } from './buckets.ts';
import { consumers, streams, type ConsumerSpec, type StreamSpec } from './streams.ts';
import { COP_LIVE_V1 } from './events/cop-live.v1.ts';
import {
  coreSubjectPatterns,
  coreSubjects,
  liveSubjects,
  subjectMatches,
  subjectPatterns,
  subjects,
} from './subjects.ts';

export interface ServiceAccess {
  /** Subjects it publishes to: events stored by JetStream, or core messages (the replay channel). */
  publishes: readonly string[];
  /**
   * Core subjects of events stored nowhere (`coreEventTypes`, e.g. the live COP) it publishes with
   * `ctx.publishCore`: apart from `publishes`, so they provision no stream.
   */
  corePublishes: readonly string[];
  /** Durable consumers (names from `consumers`) it pulls from; implies its dead-letter subject. */
  consumes: readonly string[];
  /** Core NATS subscriptions, e.g. for live push. */
  subscribes: readonly string[];
  /** NATS KV buckets it reads and writes: derived from the `users` of each bucket in buckets.ts. */
  kv: readonly string[];
  /** Streams it reads with ephemeral consumers of its own (replay). */
  replays: readonly string[];
  /** Request/reply subjects it answers (its replies go to the requester's inbox). */
  serves: readonly string[];
  /** Request/reply subjects it asks. */
  requests: readonly string[];
  /**
   * An acquisition service: where its devices are known at deploy time (its config), it may
   * publish only their subjects (natsPermissions' `devices`); otherwise its `publishes` as declared.
   */
  deviceScoped?: boolean;
}

/** A device an acquisition service is configured for. */
export interface DeviceRef {
  site: string;
  device: string;
}

type DeclaredAccess = Partial<Omit<ServiceAccess, 'kv'>>;

const declared: Readonly<Record<string, DeclaredAccess>> = {
  'acq-modbus': { publishes: ['readings.v1.>', 'devices.v1.>'], deviceScoped: true },
  // Not device-scoped: its room devices are named at run time from the gateway's BTHome components.
  // Device answers it cannot use go to its own dead-letter subject.
  'acq-shelly': { publishes: ['readings.v1.>', 'devices.v1.>', 'rejected.v1.acq-shelly'] },
  // Cloud devices are discovered at run time, so it cannot be device-scoped; its dead letters are
  // answers of the Viessmann API, published by itself rather than by a consumer.
  'acq-viessmann': { publishes: ['readings.v1.>', 'devices.v1.>', 'rejected.v1.acq-viessmann'] },
  // Readings, states, firmware alerts and command answers of the cellular devices in; commands out.
  'acq-cellular': {
    publishes: [
      'readings.v1.>',
      'devices.v1.>',
      'alerts.v1.>',
      subjectPatterns['heatstream.command-result.v1'],
      subjects.rejected('acq-cellular'),
    ],
    consumes: ['acq-cellular-commands'],
  },
  simulators: {},
  ingest: { consumes: ['ingest-readings', 'ingest-devices', 'ingest-alerts', 'ingest-derived'] },
  // The replay CLI: reads any range with its own ordered consumers; plays to the live channel
  // (core NATS, stored nowhere) and asks derivations to recompute over request/reply.
  replay: {
    publishes: [coreSubjectPatterns.replay],
    requests: [coreSubjectPatterns.derive],
    replays: ['READINGS', 'DEVICES', 'DERIVED', 'ALERTS', 'COMMANDS', 'REJECTED'],
  },
  alerting: {
    publishes: ['alerts.v1.>'],
    consumes: ['alerting-readings', 'alerting-devices', 'alerting-alerts', 'alerting-cop'],
  },
  // Readings in, COP figures out; answers `heatstream replay derive` for the cop derivation.
  cop: {
    publishes: ['cop.v2.>'],
    corePublishes: [subjectPatterns[COP_LIVE_V1]],
    consumes: ['cop-readings'],
    serves: [coreSubjects.derive('cop')],
  },
  // Home Assistant's MQTT bridge: follows the latest readings, device states, alerts and COP
  // with core subscriptions (nothing stored or acked); publishes to MQTT only, nothing on NATS.
  'ha-bridge': {
    subscribes: [
      subjectPatterns['heatstream.reading.v1'],
      subjectPatterns['heatstream.device-status.v1'],
      subjectPatterns['heatstream.alert.v1'],
      subjectPatterns[COP_LIVE_V1],
      subjectPatterns['heatstream.cop.v2'],
    ],
  },
  gateway: {
    // Acknowledging an alert is an alert lifecycle event; STATUS/RESET from the device page a command.
    publishes: ['alerts.v1.>', subjectPatterns['heatstream.command.v1']],
    subscribes: liveSubjects,
  },
};

export const access: Readonly<Record<string, ServiceAccess>> = Object.fromEntries(
  Object.entries(declared).map(([service, rights]) => [
    service,
    {
      publishes: [],
      corePublishes: [],
      consumes: [],
      subscribes: [],
      replays: [],
      serves: [],
      requests: [],
      ...rights,
      kv: bucketsOf(service),
    },
  ]),
);

export class AccessError extends Error {
  override name = 'AccessError';
}

function consumerSpec(durable: string): ConsumerSpec {
  const spec = consumers.find((c) => c.durable === durable);
  if (!spec) throw new AccessError(`unknown consumer ${durable}`);
  return spec;
}

/** The streams a service publishes to or consumes from: the ones it checks (INFO) at start-up. */
export function streamsOf(rights: ServiceAccess): StreamSpec[] {
  const used = new Set<string>(rights.consumes.map((d) => consumerSpec(d).stream));
  if (rights.consumes.length > 0) used.add('REJECTED');
  for (const subject of rights.publishes) {
    for (const s of streams) if (s.subjects.some((f) => subjectMatches(f, subject))) used.add(s.name);
  }
  return streams.filter((s) => used.has(s.name));
}

/**
 * The NATS user that creates and converges streams, durable consumers and buckets (the
 * provisioning step: `./heatstream start` runs it before the services, compose and k8s as a
 * one-shot job). No service holds these rights; none holds DELETE or PURGE.
 */
export const provisionUser = 'provision';

/**
 * A user's own inbox prefix: request replies, JetStream API answers and pulled messages come to
 * `<prefix>.…`, and the user may subscribe to nothing else under an inbox, so no user reads
 * another's replies. Every client connects with it (the runtime's connect does that).
 */
export const inboxPrefixOf = (user: string): string => `_INBOX_${user}`;

export interface NatsPermissions {
  publish: string[];
  /** Exceptions to `publish` wildcards (deny wins in nats-server). */
  denyPublish?: string[];
  subscribe: string[];
  /** May publish to the reply subject of a request it received (it serves requests). */
  allowResponses: boolean;
}

/**
 * nats-server `permissions` for a service: its subjects, its own inbox, and the JetStream API
 * calls its work needs — INFO of what it uses (checked at start-up), pulls and acks on its own
 * durable consumers, reads and writes of its own buckets. Creating or changing a stream, consumer
 * or bucket is the provisioning user's (provisionPermissions).
 */
export function natsPermissions(
  service: string,
  rights: ServiceAccess,
  devices?: readonly DeviceRef[],
): NatsPermissions {
  const publishes =
    rights.deviceScoped && devices
      ? devices
          .flatMap((d) => [subjects.reading(d.site, d.device), subjects.deviceStatus(d.site, d.device)])
          .filter((subject) => rights.publishes.some((p) => subjectMatches(p, subject)))
      : rights.publishes;
  const publish = new Set<string>([
    '$JS.API.INFO',
    ...publishes,
    ...rights.corePublishes,
    ...rights.requests,
  ]);
  const subscribe = new Set<string>([`${inboxPrefixOf(service)}.>`, ...rights.subscribes, ...rights.serves]);
  if (rights.consumes.length > 0) publish.add(`rejected.v1.${service}`);
  for (const s of streamsOf(rights)) publish.add(`$JS.API.STREAM.INFO.${s.name}`);
  for (const durable of rights.consumes) {
    const { stream } = consumerSpec(durable);
    for (const op of ['INFO', 'MSG.NEXT']) publish.add(`$JS.API.CONSUMER.${op}.${stream}.${durable}`);
    publish.add(`$JS.ACK.${stream}.${durable}.>`);
  }
  for (const bucket of rights.kv) {
    const stream = `KV_${bucket}`;
    publish.add(`$KV.${bucket}.>`);
    for (const op of ['INFO', 'MSG.GET']) publish.add(`$JS.API.STREAM.${op}.${stream}`);
    publish.add(`$JS.API.DIRECT.GET.${stream}.>`);
    publish.add(`$JS.API.DIRECT.GET.${stream}`);
    // Listing keys (`kv.keys()`) reads the bucket's own stream with an ordered consumer, which the
    // client creates, pulls and deletes itself: the one consumer a service creates, and only on
    // its own buckets' streams.
    for (const op of ['CREATE', 'DELETE', 'INFO', 'MSG.NEXT'])
      publish.add(`$JS.API.CONSUMER.${op}.${stream}.>`);
  }
  const denyPublish = new Set<string>();
  for (const stream of rights.replays) {
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    // Replay reads ranges with ordered consumers of its own (ephemeral, named per run), so it
    // creates and deletes consumers on the streams it replays. A consumer with several filter
    // subjects is created on the stream's bare CREATE subject.
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}`);
    for (const op of ['CREATE', 'DELETE', 'INFO', 'MSG.NEXT'])
      publish.add(`$JS.API.CONSUMER.${op}.${stream}.>`);
    // The services' durable consumers stay theirs: pulling from one would take its messages,
    // deleting or recreating it would lose its position.
    for (const c of consumers.filter((c) => c.stream === stream && !rights.consumes.includes(c.durable))) {
      for (const op of ['CREATE', 'DURABLE.CREATE', 'DELETE', 'MSG.NEXT'])
        denyPublish.add(`$JS.API.CONSUMER.${op}.${stream}.${c.durable}`);
      denyPublish.add(`$JS.API.CONSUMER.CREATE.${stream}.${c.durable}.>`);
    }
  }
  return {
    publish: [...publish],
    ...(denyPublish.size > 0 ? { denyPublish: [...denyPublish] } : {}),
    subscribe: [...subscribe],
    allowResponses: rights.serves.length > 0,
  };
}

/**
 * The provisioning user's permissions: INFO, CREATE and UPDATE of every declared stream, durable
 * consumer and bucket stream, nothing else (no DELETE, no PURGE, no messages).
 */
export function provisionPermissions(): NatsPermissions {
  const publish = new Set<string>(['$JS.API.INFO']);
  const stream = (name: string): void => {
    for (const op of ['INFO', 'CREATE', 'UPDATE']) publish.add(`$JS.API.STREAM.${op}.${name}`);
  };
  for (const s of streams) stream(s.name);
  for (const b of buckets) stream(`KV_${b.name}`);
  for (const c of consumers) {
    for (const op of ['INFO', 'CREATE', 'DURABLE.CREATE'])
      publish.add(`$JS.API.CONSUMER.${op}.${c.stream}.${c.durable}`);
    // nats.js creates and updates a consumer with one filter subject on CREATE.<stream>.<name>.<filter>.
    publish.add(`$JS.API.CONSUMER.CREATE.${c.stream}.${c.durable}.>`);
  }
  return { publish: [...publish], subscribe: [`${inboxPrefixOf(provisionUser)}.>`], allowResponses: false };
}

/** The environment variable holding a service's NATS password, e.g. NATS_PASSWORD_ACQ_MODBUS. */
export const natsPasswordVar = (service: string): string =>
  `NATS_PASSWORD_${service.toUpperCase().replaceAll('-', '_')}`;

/**
 * The nats-server `authorization` block: one user per service with its permissions, the
 * provisioning user, and an `admin` user for operators' CLIs. `devices` narrows a device-scoped
 * acquisition service to the devices its config names. Passwords are environment references, never literals.
 */
export function natsAuthorization(devices: Readonly<Record<string, readonly DeviceRef[]>> = {}): string {
  const quote = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(', ')}]`;
  const users = [
    ...Object.entries(access).map(
      ([service, rights]) => [service, natsPermissions(service, rights, devices[service])] as const,
    ),
    [provisionUser, provisionPermissions()] as const,
  ].map(([service, p]) => {
    const responses = p.allowResponses ? ', allow_responses: true' : '';
    const deny = p.denyPublish ? `, deny: ${quote(p.denyPublish)}` : '';
    return `    { user: ${JSON.stringify(service)}, password: $${natsPasswordVar(service)}, permissions: { publish: { allow: ${quote(p.publish)}${deny} }, subscribe: { allow: ${quote(p.subscribe)} }${responses} } }`;
  });
  users.push(`    { user: "admin", password: $${natsPasswordVar('admin')} }`);
  return [
    '# Generated from contracts/src/access.ts by `node deploy/generate.ts`; do not edit.',
    'authorization {',
    '  users: [',
    users.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
