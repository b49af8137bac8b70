// A table column declared once: its name, its QuestDB type and how its value is read from the
// event. The DDL (schema.ts), the ILP row (`TableDef.row`) and the row type of a query
// (`RowOf`) all come from that declaration.
import type { Sender } from '@questdb/nodejs-client';
import {
  MetricKind,
  metricNames,
  metrics as catalogue,
  type Envelope,
  type EventOf,
  type EventTypeName,
  type MetricName,
} from '@heatstream/contracts';

export type ColumnType = 'SYMBOL' | 'DOUBLE' | 'LONG' | 'VARCHAR' | 'TIMESTAMP' | 'BOOLEAN';

/** A column's value in TypeScript: what the ILP sender takes, and what SQL over /exec returns. */
export interface ColumnValue {
  SYMBOL: string;
  VARCHAR: string;
  DOUBLE: number;
  LONG: number;
  /** RFC 3339; /exec answers with microsecond digits, e.g. 2026-01-15T06:00:00.000000Z. */
  TIMESTAMP: string;
  /** QuestDB has no NULL boolean: an absent value reads as false. */
  BOOLEAN: boolean;
}

export interface Column<T extends ColumnType = ColumnType, E = never, V = unknown> {
  readonly name: string;
  readonly type: T;
  /** The event's value for this column; null or undefined leaves it NULL in that row. */
  readonly read: (event: E) => V;
  /**
   * Set on the catalogue metric columns of a table: their values, read as one object. The row
   * writer visits only the metrics an event carries instead of every column of the catalogue.
   */
  readonly group?: (event: E) => Partial<Record<MetricName, number>>;
}

export type Columns = Readonly<Record<string, Column>>;

export interface TableDef<C extends Columns = Columns> {
  readonly name: string;
  /** The event type whose events become rows here. */
  readonly eventType: EventTypeName;
  /** Besides the designated timestamp `ts`, keyed by name, in DDL order. */
  readonly columns: C;
  /** Column names for SQL: `alerts.column.alert_id` is 'alert_id'; a renamed column fails to compile. */
  readonly column: { readonly [K in (keyof C & string) | 'ts']: K };
  /** Besides `ts`: the columns that identify a row, so writing an event twice leaves one row. */
  readonly dedupKeys: readonly (keyof C & string)[];
  /** The designated timestamp `ts` of an event's row (RFC 3339). */
  readonly timestamp: (event: Envelope) => string;
  /**
   * Appends the event as one row of `table` (ending with `at`) through the client's row API.
   * Throws when a value cannot be encoded. The writer uses the faster `ilpEncoder` (ilp.ts);
   * this stays as the client's reference encoding the benchmark and ilp.test.ts compare with.
   */
  row(sender: Sender, event: Envelope, table: string): Promise<void>;
}

/** A row of the table as `SELECT *` returns it, typed from what each column reads. */
export type RowOf<T extends TableDef> = {
  ts: string;
} & {
  [K in keyof T['columns']]: T['columns'][K] extends Column<ColumnType, never, infer V>
    ? Exclude<V, undefined> | (undefined extends V ? null : never)
    : never;
};

/** Measurement time as epoch microseconds (RFC 3339 with offset; sub-millisecond digits dropped). */
export function micros(time: string): bigint {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${time}`);
  return BigInt(ms) * 1000n;
}

type Spec<T extends ColumnType, E, V> = Omit<Column<T, E, V>, 'name'>;
type Nullable<T> = T | null | undefined;

/** Column builders for one event type, so each `read` is typed by the event it reads. */
function builders<E>() {
  return {
    symbol: <V extends Nullable<string>>(read: (event: E) => V): Spec<'SYMBOL', E, V> => ({
      type: 'SYMBOL',
      read,
    }),
    varchar: <V extends Nullable<string>>(read: (event: E) => V): Spec<'VARCHAR', E, V> => ({
      type: 'VARCHAR',
      read,
    }),
    double: <V extends Nullable<number>>(read: (event: E) => V): Spec<'DOUBLE', E, V> => ({
      type: 'DOUBLE',
      read,
    }),
    long: <V extends Nullable<number>>(read: (event: E) => V): Spec<'LONG', E, V> => ({ type: 'LONG', read }),
    timestamp: <V extends Nullable<string>>(read: (event: E) => V): Spec<'TIMESTAMP', E, V> => ({
      type: 'TIMESTAMP',
      read,
    }),
    boolean: <V extends Nullable<boolean>>(read: (event: E) => V): Spec<'BOOLEAN', E, V> => ({
      type: 'BOOLEAN',
      read,
    }),
    /** One column per catalogue metric (states LONG, the rest DOUBLE), read from one object. */
    metrics(
      group: (event: E) => Partial<Record<MetricName, number>>,
    ): Record<MetricName, Spec<'DOUBLE' | 'LONG', E, number | undefined>> {
      return Object.fromEntries(
        metricNames.map((name) => [
          name,
          {
            type: catalogue[name].kind === MetricKind.state ? 'LONG' : 'DOUBLE',
            read: (event: E) => group(event)[name],
            group,
          },
        ]),
      ) as Record<MetricName, Spec<'DOUBLE' | 'LONG', E, number | undefined>>;
    },
  };
}

export type Builders<E> = ReturnType<typeof builders<E>>;

interface TableSpec<E, C> {
  name: string;
  /** The designated timestamp `ts`. */
  timestamp: (event: E) => string;
  columns: C;
  dedupKeys: readonly (keyof C & string)[];
}

type Write = (sender: Sender, event: unknown) => void;

/** How the ILP sender takes a value of each column type. */
const put: { [T in ColumnType]: (sender: Sender, name: string, value: ColumnValue[T]) => void } = {
  SYMBOL: (sender, name, value) => sender.symbol(name, value),
  VARCHAR: (sender, name, value) => sender.stringColumn(name, value),
  DOUBLE: (sender, name, value) => sender.floatColumn(name, value),
  LONG: (sender, name, value) => sender.intColumn(name, value),
  TIMESTAMP: (sender, name, value) => sender.timestampColumn(name, micros(value), 'us'),
  BOOLEAN: (sender, name, value) => sender.booleanColumn(name, value),
};

function writerOf(column: Column<ColumnType, unknown>): Write {
  const { name, read } = column;
  const write = put[column.type] as (sender: Sender, name: string, value: unknown) => void;
  return (sender, event) => {
    const value = read(event);
    if (value != null) write(sender, name, value);
  };
}

/** The column writers of a table, made once: ILP wants the symbols first, then the other fields. */
function rowWriter<E>(spec: TableSpec<E, Columns>): TableDef['row'] {
  const all = Object.values(spec.columns) as Column<ColumnType, unknown>[];
  const grouped = all.filter((c) => c.group !== undefined);
  const plain = all.filter((c) => c.group === undefined);
  const writers = [
    ...plain.filter((c) => c.type === 'SYMBOL'),
    ...plain.filter((c) => c.type !== 'SYMBOL'),
  ].map(writerOf);
  const group = grouped[0]?.group;
  if (grouped.some((c) => c.group !== group)) throw new Error(`${spec.name}: one metric group per table`);
  const metricWriters = new Map(grouped.map((c) => [c.name, c.type === 'LONG' ? put.LONG : put.DOUBLE]));
  const timestamp = spec.timestamp as (event: unknown) => string;
  return (sender, event, table) => {
    sender.table(table);
    for (const write of writers) write(sender, event);
    if (group) {
      const values = group(event);
      for (const name in values) {
        const value = values[name as MetricName];
        if (value === undefined) continue;
        const write = metricWriters.get(name);
        if (!write) throw new Error(`${name} is not a column of ${spec.name}`);
        write(sender, name, value);
      }
    }
    return sender.at(micros(timestamp(event)), 'us');
  };
}

/**
 * Declares the table of one event type. `declare` gets column builders typed by that event and
 * returns the columns keyed by their QuestDB names.
 */
export function defineTable<
  T extends EventTypeName,
  const C extends Record<string, Spec<ColumnType, EventOf<T>, unknown>>,
>(
  eventType: T,
  declare: (c: Builders<EventOf<T>>) => TableSpec<EventOf<T>, C>,
): TableDef<{ readonly [K in keyof C & string]: C[K] & { readonly name: K } }> {
  const spec = declare(builders<EventOf<T>>());
  const columns = Object.fromEntries(
    Object.entries(spec.columns).map(([name, column]) => [name, { name, ...column }]),
  ) as unknown as { readonly [K in keyof C & string]: C[K] & { readonly name: K } };
  const names = Object.fromEntries(['ts', ...Object.keys(columns)].map((name) => [name, name])) as {
    readonly [K in (keyof C & string) | 'ts']: K;
  };
  return {
    name: spec.name,
    eventType,
    columns,
    column: names,
    dedupKeys: spec.dedupKeys,
    timestamp: spec.timestamp as unknown as (event: Envelope) => string,
    row: rowWriter({ ...spec, columns: columns }),
  };
}
