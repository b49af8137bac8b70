// The ILP encoder of the hot path. `@questdb/nodejs-client`'s row API validates each column name
// character by character, escapes text one Buffer.write per character and goes through BigInt for
// every timestamp, on every row: ~40k rows/s of the readings shape on one core, a third of what
// QuestDB itself takes (see load/). Here a table's column tokens are encoded once, the symbol
// prefix of a row (`readings,site=…,device=…,source=…,model=…`) is cached per distinct symbol
// values, and doubles go in binary (ILP protocol v2, QuestDB ≥ 9.0) — the same bytes the client
// writes (ilp.test.ts holds them equal), at a fraction of the CPU.
import type { MetricName } from '@heatstream/contracts';
import type { Column, ColumnType, TableDef } from './columns.ts';

/** ILP v2: a binary double is `name==` followed by this type byte and 8 bytes little-endian. */
const BINARY_DOUBLE = 16;
/** Symbol prefixes kept per encoder; past this the cache starts over (a fleet rarely has more). */
const PREFIX_CACHE_LIMIT = 20_000;

/** Why a row cannot be encoded (a value of the wrong type, an unparsable time). */
export class IlpEncodeError extends Error {
  override name = 'IlpEncodeError';
}

/** A growable byte buffer of whole ILP rows: a row that fails to encode leaves nothing behind. */
export class IlpBuffer {
  #buf: Buffer;
  #view: DataView;
  /** Bytes written. */
  length = 0;
  /** Rows written. */
  rows = 0;

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  reset(): void {
    this.length = 0;
    this.rows = 0;
  }

  /** The rows written so far; valid until the next write or reset. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.length);
  }

  ensure(extra: number): void {
    if (this.length + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (this.length + extra > size) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.length);
    this.#buf = grown;
    this.#view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  putBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.#buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** ASCII only (digits, prebuilt suffixes). */
  putAscii(text: string): void {
    this.ensure(text.length);
    this.length += this.#buf.write(text, this.length, 'latin1');
  }

  putUtf8(text: string): void {
    this.ensure(text.length * 3);
    this.length += this.#buf.write(text, this.length, 'utf8');
  }

  putByte(byte: number): void {
    this.ensure(1);
    this.#buf[this.length++] = byte;
  }

  putDouble(value: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.length, value, true);
    this.length += 8;
  }
}

/** Appends one event as one row; throws IlpEncodeError and leaves the buffer as it was. */
export type RowEncoder = (out: IlpBuffer, event: unknown) => void;

// Escapes as the client does: in names and symbol values a space, comma, equals sign, newline or
// CR gets a backslash; in quoted strings a double quote, newline or CR does. A backslash doubles.
const tagSpecial = /[ ,=\n\r\\]/;
const tagEscape = /[ ,=\n\r\\]/g;
const quotedSpecial = /["\n\r\\]/;
const quotedEscape = /["\n\r\\]/g;
const escapeTag = (text: string): string =>
  tagSpecial.test(text) ? text.replace(tagEscape, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`)) : text;
const escapeQuoted = (text: string): string =>
  quotedSpecial.test(text) ? text.replace(quotedEscape, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`)) : text;

/** Epoch microseconds as ILP text (`…t`); sub-millisecond digits dropped, as `micros` does. */
function microsText(time: unknown, what: string): string {
  const ms = typeof time === 'string' ? Date.parse(time) : NaN;
  if (Number.isNaN(ms)) throw new IlpEncodeError(`${what}: not a date-time: ${String(time)}`);
  return `${ms * 1000}t`;
}

type PutValue = (out: IlpBuffer, value: unknown, name: string) => void;

/** After the column's token (`name=`), its value. */
const putValue: { [T in Exclude<ColumnType, 'SYMBOL'>]: PutValue } = {
  DOUBLE: (out, value, name) => {
    if (typeof value !== 'number') throw new IlpEncodeError(`${name}: not a number: ${String(value)}`);
    out.putByte(61); // '='
    out.putByte(BINARY_DOUBLE);
    out.putDouble(value);
  },
  LONG: (out, value, name) => {
    if (!Number.isInteger(value)) throw new IlpEncodeError(`${name}: not an integer: ${String(value)}`);
    out.putAscii(`${value as number}i`);
  },
  VARCHAR: (out, value, name) => {
    if (typeof value !== 'string') throw new IlpEncodeError(`${name}: not a string: ${String(value)}`);
    out.putByte(34); // '"'
    out.putUtf8(escapeQuoted(value));
    out.putByte(34);
  },
  TIMESTAMP: (out, value, name) => {
    out.putAscii(microsText(value, name));
  },
  BOOLEAN: (out, value, name) => {
    if (typeof value !== 'boolean') throw new IlpEncodeError(`${name}: not a boolean: ${String(value)}`);
    out.putByte(value ? 116 : 102); // 't' / 'f'
  },
};

/** A field: its token with the separator before it (space for the first field, comma after). */
interface Field {
  name: string;
  first: Buffer;
  next: Buffer;
  put: PutValue;
}

function fieldOf(name: string, type: Exclude<ColumnType, 'SYMBOL'>): Field {
  return {
    name,
    first: Buffer.from(` ${escapeTag(name)}=`),
    next: Buffer.from(`,${escapeTag(name)}=`),
    put: putValue[type],
  };
}

/** Symbol prefixes by the symbol values of a row, one map level per symbol column. */
type PrefixTree = Map<unknown, PrefixTree | Buffer>;

/**
 * The encoder of `table`'s rows (under `name`, by default the table's own): symbols first, then
 * the other columns in declaration order, then the metrics an event carries, then `ts` — the order
 * `TableDef.row` gives the client, so both write the same bytes.
 */
export function ilpEncoder(table: TableDef, name: string = table.name): RowEncoder {
  const all = Object.values(table.columns) as Column<ColumnType, unknown>[];
  const symbols = all.filter((c) => c.group === undefined && c.type === 'SYMBOL');
  const plain = all
    .filter((c) => c.group === undefined && c.type !== 'SYMBOL')
    .map((c) => ({ read: c.read, field: fieldOf(c.name, c.type as Exclude<ColumnType, 'SYMBOL'>) }));
  const grouped = all.filter((c) => c.group !== undefined);
  const group = grouped[0]?.group;
  const metricFields = new Map<string, Field>(
    grouped.map((c) => [c.name, fieldOf(c.name, c.type as Exclude<ColumnType, 'SYMBOL'>)]),
  );
  const symbolTokens = symbols.map((c) => `,${escapeTag(c.name)}=`);
  const tableToken = escapeTag(name);
  const timestamp = table.timestamp as (event: unknown) => unknown;
  let cache: PrefixTree = new Map();
  let cached = 0;

  /** The cached prefix of these symbol values, made on first sight. */
  function prefixOf(values: unknown[]): Buffer {
    let node = cache;
    for (let i = 0; i < values.length - 1; i++) {
      let child = node.get(values[i]) as PrefixTree | undefined;
      if (!child) {
        child = new Map();
        node.set(values[i], child);
      }
      node = child;
    }
    const last = values[values.length - 1];
    let prefix = node.get(last) as Buffer | undefined;
    if (prefix) return prefix;
    let text = tableToken;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value == null) continue;
      if (typeof value !== 'string')
        throw new IlpEncodeError(`${symbols[i]?.name ?? '?'}: not a string: ${JSON.stringify(value)}`);
      text += `${symbolTokens[i] ?? ''}${escapeTag(value)}`;
    }
    prefix = Buffer.from(text);
    if (++cached > PREFIX_CACHE_LIMIT) {
      cache = new Map();
      cached = 0;
    } else node.set(last, prefix);
    return prefix;
  }

  const symbolValues: unknown[] = symbols.map(() => undefined);
  return (out, event) => {
    const start = out.length;
    try {
      for (let i = 0; i < symbols.length; i++) symbolValues[i] = symbols[i]?.read(event);
      const ts = microsText(timestamp(event), 'ts');
      if (symbols.length > 0) out.putBytes(prefixOf(symbolValues));
      else out.putUtf8(tableToken);
      let fields = 0;
      for (const { read, field } of plain) {
        const value = read(event);
        if (value == null) continue;
        out.putBytes(fields++ === 0 ? field.first : field.next);
        field.put(out, value, field.name);
      }
      if (group) {
        const values = group(event);
        for (const metric in values) {
          const value = values[metric as MetricName];
          if (value === undefined) continue;
          const field = metricFields.get(metric);
          if (!field) throw new IlpEncodeError(`${metric} is not a column of ${table.name}`);
          out.putBytes(fields++ === 0 ? field.first : field.next);
          field.put(out, value, field.name);
        }
      }
      if (fields === 0 && symbolValues.every((v) => v == null))
        throw new IlpEncodeError('a row needs a symbol or a column');
      out.putByte(32); // ' '
      out.putAscii(ts);
      out.putByte(10); // '\n'
      out.rows++;
    } catch (error) {
      out.length = start;
      throw error instanceof IlpEncodeError
        ? error
        : new IlpEncodeError((error as Error).message, { cause: error });
    }
  };
}
