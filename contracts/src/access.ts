// Who may do what on NATS: each service's least-privilege permissions, as data. Deployments turn
// this into nats-server users (deploy/nats-auth.conf), so a service that publishes outside its
// subjects is refused by the server, not just by convention. The runtime checks the same rights
// when a service opens a bucket, subscribes, serves or requests, so a mistake fails at start-up
// with its reason instead of as a permission error later.
import { bucketsOf } from './buckets.ts';
import { consumers, streams, type ConsumerSpec, type StreamSpec } from './streams.ts';
import { coreSubjectPatterns, coreSubjects, liveSubjects, subjectMatches } from './subjects.ts';

export interface ServiceAccess {
  /** Subjects it publishes to: events stored by JetStream, or core messages (the replay channel). */
  publishes: readonly string[];
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
}

type DeclaredAccess = Partial<Omit<ServiceAccess, 'kv'>>;

const declared: Readonly<Record<string, DeclaredAccess>> = {
  'acq-modbus': { publishes: ['readings.v1.>', 'devices.v1.>'] },
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
    consumes: ['cop-readings'],
    serves: [coreSubjects.derive('cop')],
  },
  gateway: {
    // Acknowledging an alert is an alert lifecycle event.
    publishes: ['alerts.v1.>'],
    subscribes: liveSubjects,
  },
};

export const access: Readonly<Record<string, ServiceAccess>> = Object.fromEntries(
  Object.entries(declared).map(([service, rights]) => [
    service,
    {
      publishes: [],
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

/** The streams a service publishes to or consumes from: the only ones it may create or update. */
export function streamsOf(rights: ServiceAccess): StreamSpec[] {
  const used = new Set<string>(rights.consumes.map((d) => consumerSpec(d).stream));
  if (rights.consumes.length > 0) used.add('REJECTED');
  for (const subject of rights.publishes) {
    for (const s of streams) if (s.subjects.some((f) => subjectMatches(f, subject))) used.add(s.name);
  }
  return streams.filter((s) => used.has(s.name));
}

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** May publish to the reply subject of a request it received (it serves requests). */
  allowResponses: boolean;
}

/** nats-server `permissions` for a service: its subjects plus the JetStream API calls they need. */
export function natsPermissions(service: string, rights: ServiceAccess): NatsPermissions {
  const publish = new Set<string>(['$JS.API.INFO', ...rights.publishes, ...rights.requests]);
  const subscribe = new Set<string>(['_INBOX.>', ...rights.subscribes, ...rights.serves]);
  if (rights.consumes.length > 0) publish.add(`rejected.v1.${service}`);
  for (const s of streamsOf(rights)) {
    for (const op of ['INFO', 'CREATE', 'UPDATE']) publish.add(`$JS.API.STREAM.${op}.${s.name}`);
  }
  for (const durable of rights.consumes) {
    const { stream } = consumerSpec(durable);
    for (const op of ['INFO', 'CREATE', 'DURABLE.CREATE', 'MSG.NEXT'])
      publish.add(`$JS.API.CONSUMER.${op}.${stream}.${durable}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`);
    publish.add(`$JS.ACK.${stream}.${durable}.>`);
  }
  for (const bucket of rights.kv) {
    const stream = `KV_${bucket}`;
    publish.add(`$KV.${bucket}.>`);
    for (const op of ['INFO', 'CREATE', 'UPDATE', 'MSG.GET']) publish.add(`$JS.API.STREAM.${op}.${stream}`);
    publish.add(`$JS.API.DIRECT.GET.${stream}.>`);
    publish.add(`$JS.API.DIRECT.GET.${stream}`);
    // Listing keys uses an ordered consumer of the bucket's stream.
    for (const op of ['CREATE', 'DELETE', 'INFO', 'MSG.NEXT'])
      publish.add(`$JS.API.CONSUMER.${op}.${stream}.>`);
  }
  for (const stream of rights.replays) {
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    // A consumer with several filter subjects is created on the stream's bare CREATE subject.
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}`);
    for (const op of ['CREATE', 'DELETE', 'INFO', 'MSG.NEXT'])
      publish.add(`$JS.API.CONSUMER.${op}.${stream}.>`);
  }
  return { publish: [...publish], subscribe: [...subscribe], allowResponses: rights.serves.length > 0 };
}

/** The environment variable holding a service's NATS password, e.g. NATS_PASSWORD_ACQ_MODBUS. */
export const natsPasswordVar = (service: string): string =>
  `NATS_PASSWORD_${service.toUpperCase().replaceAll('-', '_')}`;

/**
 * The nats-server `authorization` block: one user per service with its permissions, and an
 * `admin` user for operators' CLIs. Passwords are environment references, never literals.
 */
export function natsAuthorization(): string {
  const quote = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(', ')}]`;
  const users = Object.entries(access).map(([service, rights]) => {
    const p = natsPermissions(service, rights);
    const responses = p.allowResponses ? ', allow_responses: true' : '';
    return `    { user: ${JSON.stringify(service)}, password: $${natsPasswordVar(service)}, permissions: { publish: { allow: ${quote(p.publish)} }, subscribe: { allow: ${quote(p.subscribe)} }${responses} } }`;
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
