// Streams and durable consumers as data. The runtime provisions them; config may override limits
// (retention, size, replicas: 1 locally, 3 on k3s) but not names or subjects.
import { subjectMatches } from './subjects.ts';

/** A JetStream stream with file storage and limits retention. */
export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  description: string;
  /** Messages older than this are removed. */
  maxAgeMs: number;
  /** -1 = unlimited; otherwise the oldest messages go first. */
  maxBytes: number;
  /** A publish repeating a `Nats-Msg-Id` seen within this window is stored once. */
  duplicateWindowMs: number;
  /** Copies in a cluster; `jetstream.replicas` in config overrides it (3 on k3s). */
  replicas: number;
}

/** A durable pull consumer with explicit acks. */
export interface ConsumerSpec {
  stream: string;
  durable: string;
  filterSubjects: readonly string[];
  ackWaitMs: number;
  /** Handler attempts before the message is dead-lettered to `rejected.v1.<service>`. */
  maxDeliver: number;
  /**
   * Delay before attempt n+1 after attempt n failed (`nak(backoffMs[n-1])`, the last entry
   * repeating). Not JetStream's server-side BackOff: that would replace ackWait with its first
   * entry (nats-server consumer.go) and cut a slow but healthy handler short.
   */
  backoffMs: readonly number[];
  maxAckPending: number;
  description: string;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

function stream(
  name: string,
  subject: string | readonly string[],
  description: string,
  maxAgeMs: number,
  maxBytes = -1,
): StreamSpec {
  return {
    name,
    subjects: typeof subject === 'string' ? [subject] : subject,
    description,
    maxAgeMs,
    maxBytes,
    duplicateWindowMs: 2 * MINUTE,
    replicas: 1,
  };
}

export const streams: readonly StreamSpec[] = [
  // Raw readings are kept long enough to rebuild QuestDB's raw retention and re-derive COP; QuestDB
  // holds the history beyond that.
  stream('READINGS', 'readings.v1.>', 'heatstream.reading.v1 from every acquisition service', 30 * DAY),
  stream(
    'DEVICES',
    'devices.v1.>',
    'heatstream.device-status.v1: online, unavailable, bad-data, auth-failed',
    365 * DAY,
  ),
  // cop.v1 stays beside cop.v2: a year of v1 figures is still stored, and consumers upcast them.
  stream('DERIVED', ['cop.v1.>', 'cop.v2.>'], 'heatstream.cop.v1/v2: daily and windowed COP/SCOP', 365 * DAY),
  stream('ALERTS', 'alerts.v1.>', 'heatstream.alert.v1 lifecycle events', 365 * DAY),
  stream(
    'COMMANDS',
    'commands.v1.>',
    'heatstream.command.v1 for devices (STATUS, RESET, SET_INTERVAL)',
    365 * DAY,
  ),
  // Capped in size as well: a misbehaving publisher must not fill the disk with dead letters.
  stream(
    'REJECTED',
    'rejected.v1.>',
    'heatstream.rejected.v1 dead letters with the original bytes',
    30 * DAY,
    1024 ** 3,
  ),
];

function consumer(
  stream: string,
  durable: string,
  filterSubject: string | readonly string[],
  description: string,
  maxAckPending = 1_000,
): ConsumerSpec {
  return {
    stream,
    durable,
    filterSubjects: typeof filterSubject === 'string' ? [filterSubject] : filterSubject,
    ackWaitMs: 30 * SECOND,
    maxDeliver: 5,
    backoffMs: [1 * SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND],
    maxAckPending,
    description,
  };
}

// ingest writes in large batches and acks once QuestDB has them, so it keeps many messages in flight:
// two batches committing while the next one is pulled, at up to 10,000 a batch.
const INGEST_MAX_ACK_PENDING = 40_000;

export const consumers: readonly ConsumerSpec[] = [
  consumer(
    'READINGS',
    'ingest-readings',
    'readings.v1.>',
    'ingest: readings into QuestDB',
    INGEST_MAX_ACK_PENDING,
  ),
  consumer(
    'DEVICES',
    'ingest-devices',
    'devices.v1.>',
    'ingest: device status into QuestDB',
    INGEST_MAX_ACK_PENDING,
  ),
  consumer(
    'ALERTS',
    'ingest-alerts',
    'alerts.v1.>',
    'ingest: alert lifecycle into QuestDB',
    INGEST_MAX_ACK_PENDING,
  ),
  consumer(
    'DERIVED',
    'ingest-derived',
    ['cop.v1.>', 'cop.v2.>'],
    'ingest: COP rows into QuestDB',
    INGEST_MAX_ACK_PENDING,
  ),
  consumer('READINGS', 'cop-readings', 'readings.v1.>', 'cop: readings into daily COP'),
  consumer('READINGS', 'alerting-readings', 'readings.v1.>', 'alerting: threshold and data-quality rules'),
  consumer('DEVICES', 'alerting-devices', 'devices.v1.>', 'alerting: offline and auth-failed devices'),
  // Durable rather than a core subscription: an acknowledgement the gateway publishes while
  // alerting restarts is still learnt when it is back.
  consumer('ALERTS', 'alerting-alerts', 'alerts.v1.>', 'alerting: acknowledgements from the gateway'),
  // cop.v2 only: v1 day rows carry no outside temperature, which the COP prediction is a line of.
  consumer('DERIVED', 'alerting-cop', 'cop.v2.>', 'alerting: daily COP against its predicted value'),
  // Commands only (four tokens): the devices' answers beside them (`….result`) are not for the device.
  consumer('COMMANDS', 'acq-cellular-commands', 'commands.v1.*.*', 'acq-cellular: commands to the devices'),
];

/** The stream that stores a subject, if any. */
export function streamOfSubject(subject: string): StreamSpec | undefined {
  return streams.find((s) => s.subjects.some((filter) => subjectMatches(filter, subject)));
}
