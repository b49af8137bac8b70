// The one decoding table: register words → engineering value, and its inverse for simulators and
// synthetic images. Decoding and encoding share every rule (orders, sentinels, scale, composites),
// so a simulator built on a definition and the poller reading it cannot disagree.
import { metrics, MetricKind, isMetricName } from '@heatstream/contracts';
import type { ModbusDefinition, Field, Register, DataType } from './schema.ts';
import type { RegisterImage } from './image.ts';

/** Registers (16-bit words) a data type occupies; coils and discrete inputs take one bit address. */
export function wordCount(type: DataType): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

/** PDU address of a register: the documentation's number minus the definition's base. */
export function pduAddress(def: Pick<ModbusDefinition, 'addressBase'>, reg: Register): number {
  return reg.address - def.addressBase;
}

const swapBytes = (w: number): number => ((w & 0xff) << 8) | (w >> 8);

/** The raw unsigned integer of a register (before sign, float or scale), in Modbus big-endian terms. */
function rawUnsigned(reg: Register, words: readonly number[]): number {
  const ordered = words.map((w) => (reg.byteOrder === 'little' ? swapBytes(w) : w));
  if (ordered.length === 1) return ordered[0] ?? 0;
  const [a = 0, b = 0] = reg.wordOrder === 'little' ? [ordered[1], ordered[0]] : ordered;
  return a * 0x10000 + b;
}

function fromRaw(type: DataType, raw: number): number {
  switch (type) {
    case 'int16':
      return raw >= 0x8000 ? raw - 0x10000 : raw;
    case 'int32':
      return raw >= 0x80000000 ? raw - 0x100000000 : raw;
    case 'float32': {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, raw);
      const f = view.getFloat32(0);
      // A float32 carries ~7 significant digits; more would be conversion noise (1.234 → 1.2339999…).
      return Number.isFinite(f) ? Number(f.toPrecision(7)) : f;
    }
    default:
      return raw;
  }
}

function toRaw(type: DataType, value: number): number {
  switch (type) {
    case 'float32': {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, value);
      return view.getUint32(0);
    }
    case 'int16':
      return value < 0 ? value + 0x10000 : value;
    case 'int32':
      return value < 0 ? value + 0x100000000 : value;
    default:
      return value;
  }
}

function toWords(reg: Register, raw: number): number[] {
  const words =
    wordCount(reg.type) === 1 ? [raw & 0xffff] : [Math.floor(raw / 0x10000) & 0xffff, raw & 0xffff];
  const ordered = reg.wordOrder === 'little' ? words.reverse() : words;
  return ordered.map((w) => (reg.byteOrder === 'little' ? swapBytes(w) : w));
}

export type Decoded =
  | { readonly ok: true; readonly value: number }
  /** `notAvailable`: the device says so (sentinel, NaN); `missing`: the image lacks a word; `implausible`: bad data. */
  | {
      readonly ok: false;
      readonly reason: 'notAvailable' | 'missing' | 'implausible';
      readonly detail: string;
    };

/** Removes binary floating-point noise (0.1 × 3 = 0.30000000000000004) from a scaled value. */
const clean = (v: number): number => Number(v.toPrecision(12));

function applyScale(field: Field, sum: number): number {
  const scale = field.scale ?? 1;
  // Dividing by 10 gives the double nearest the decimal (−7.5, 0.3); multiplying by 0.1 may not.
  const inverse = 1 / scale;
  const scaled =
    Math.abs(scale) < 1 &&
    Number.isInteger(Math.round(inverse)) &&
    Math.abs(inverse - Math.round(inverse)) < 1e-9
      ? sum / Math.round(inverse)
      : sum * scale;
  return clean(scaled + (field.offset ?? 0));
}

/** Decodes one field of a definition from a register image. */
export function decodeField(def: ModbusDefinition, field: Field, image: RegisterImage): Decoded {
  let sum = 0;
  for (const reg of field.registers) {
    const start = pduAddress(def, reg);
    const words: number[] = [];
    for (let i = 0; i < wordCount(reg.type); i++) {
      const w = image.get(reg.kind, start + i);
      if (w === undefined)
        return { ok: false, reason: 'missing', detail: `${reg.kind} ${start + i} not read` };
      words.push(w);
    }
    const raw = rawUnsigned(reg, words);
    if (reg.notAvailable?.includes(raw)) {
      return {
        ok: false,
        reason: 'notAvailable',
        detail: `${reg.kind} ${reg.address} = 0x${raw.toString(16)}`,
      };
    }
    let value = reg.bit === undefined ? fromRaw(reg.type, raw) : (raw >> reg.bit) & 1;
    if (reg.type === 'bool') value = value === 0 ? 0 : 1;
    if (Number.isNaN(value))
      return { ok: false, reason: 'notAvailable', detail: `${reg.kind} ${reg.address} is NaN` };
    if (!Number.isFinite(value))
      return { ok: false, reason: 'implausible', detail: `${reg.kind} ${reg.address} is ${value}` };
    sum += value * (reg.weight ?? 1);
  }
  const value = applyScale(field, sum);
  // What the reading contract cannot carry is bad data: a counter below zero, a fractional state.
  const kind = isMetricName(field.metric) ? metrics[field.metric].kind : undefined;
  if (kind === MetricKind.counter && value < 0) {
    return { ok: false, reason: 'implausible', detail: `counter ${value} below zero` };
  }
  if (kind === MetricKind.state && !Number.isInteger(value)) {
    return { ok: false, reason: 'implausible', detail: `state ${value} is not an integer code` };
  }
  if (field.range && (value < field.range[0] || value > field.range[1])) {
    return {
      ok: false,
      reason: 'implausible',
      detail: `${value} outside [${field.range[0]}, ${field.range[1]}]`,
    };
  }
  return { ok: true, value };
}

/**
 * The step of a field's decoded value near `value`: how far the value a device shows can be ahead of
 * the quantity it measures. An integer register steps by one count of its lightest part times the
 * scale (a Stiebel kWh register under an MWh one: 1,000 Wh); a float32 by the precision the decoder
 * keeps at that magnitude (7 significant digits, or the float's own spacing if coarser). A composite
 * summing several counters, each ending in a part of that lightest weight (Stiebel heating + DHW),
 * can step once per counter, so their steps add up.
 */
export function fieldResolution(field: Field, value: number): number {
  const weightOf = (reg: Register): number => Math.abs(reg.weight ?? 1);
  const lightest = Math.min(...field.registers.map(weightOf));
  const scale = Math.abs(field.scale ?? 1);
  const raw = Math.abs(value - (field.offset ?? 0)) / scale / lightest;
  let step = 0;
  for (const reg of field.registers) {
    if (weightOf(reg) === lightest) step += reg.type === 'float32' ? float32Step(raw) : 1;
  }
  return clean(step * lightest * scale);
}

/** The smallest change of a decoded float32 near `x` (≥ 0). */
function float32Step(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const spacing = 2 ** (Math.floor(Math.log2(x)) - 23);
  const seventhDigit = 10 ** (Math.floor(Math.log10(x)) - 6);
  return Math.max(spacing, seventhDigit);
}

export interface DecodedReading {
  /** Values by catalogue metric, in catalogue units; absent when unavailable or implausible. */
  values: Partial<Record<Field['metric'], number>>;
  /** Metrics that decoded to implausible values, with why. */
  implausible: { metric: Field['metric']; detail: string }[];
  /** Metrics the device marks as not available (sentinels): absent, not zero. */
  notAvailable: Field['metric'][];
}

export function decodeDefinition(def: ModbusDefinition, image: RegisterImage): DecodedReading {
  const out: DecodedReading = { values: {}, implausible: [], notAvailable: [] };
  for (const field of def.fields) {
    const d = decodeField(def, field, image);
    if (d.ok) out.values[field.metric] = d.value;
    else if (d.reason === 'implausible') out.implausible.push({ metric: field.metric, detail: d.detail });
    else out.notAvailable.push(field.metric);
  }
  for (const total of def.totals ?? []) {
    const parts = total.of.map((m) => out.values[m]);
    if (parts.every((v): v is number => v !== undefined)) {
      out.values[total.metric] = clean(parts.reduce((a, b) => a + b, 0));
    } else if (total.of.some((m) => out.implausible.some((i) => i.metric === m))) {
      out.implausible.push({
        metric: total.metric,
        detail: `a part of it (${total.of.join(' + ')}) is implausible`,
      });
    } else out.notAvailable.push(total.metric);
  }
  return out;
}

/**
 * The step of a metric's decoded value near `value`: a field's (fieldResolution), or for a total
 * the sum of its parts' steps (each part can be a step ahead); 0 for a metric the definition lacks.
 */
export function metricResolution(
  def: Pick<ModbusDefinition, 'fields' | 'totals'>,
  metric: Field['metric'],
  value: number,
): number {
  const field = def.fields.find((f) => f.metric === metric);
  if (field !== undefined) return fieldResolution(field, value);
  const total = def.totals?.find((t) => t.metric === metric);
  if (total === undefined) return 0;
  let step = 0;
  for (const part of total.of) {
    const f = def.fields.find((x) => x.metric === part);
    if (f !== undefined) step += fieldResolution(f, value);
  }
  return clean(step);
}

/**
 * Writes engineering values into an image through the definition, the inverse of decodeDefinition.
 * Composite parts are filled from the heaviest weight down (MWh, then the kWh remainder); bit fields
 * are OR-ed into their shared register. A metric without a value is written as its first sentinel.
 */
export function encodeDefinition(
  def: ModbusDefinition,
  given: Partial<Record<Field['metric'], number>>,
  image: RegisterImage,
): RegisterImage {
  const values = { ...given };
  // A total without its parts (a writer that knows only heat_energy) goes into its first part, the
  // others 0, so it reads back as given; with its parts, the parts are written and the total follows.
  for (const total of def.totals ?? []) {
    const value = values[total.metric];
    if (value === undefined || total.of.some((m) => values[m] !== undefined)) continue;
    total.of.forEach((m, i) => (values[m] = i === 0 ? value : 0));
  }
  for (const field of def.fields) {
    const value = values[field.metric];
    const scale = field.scale ?? 1;
    let rest = value === undefined ? 0 : Math.round(((value - (field.offset ?? 0)) / scale) * 1e6) / 1e6;
    const parts = [...field.registers].sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1));
    parts.forEach((reg, i) => {
      const start = pduAddress(def, reg);
      const sentinel = reg.notAvailable?.[0];
      if (value === undefined && sentinel !== undefined) {
        image.setMany(reg.kind, start, toWords(reg, sentinel));
        return;
      }
      const weight = reg.weight ?? 1;
      const last = i === parts.length - 1;
      let part = last ? rest / weight : Math.floor(rest / weight);
      if (reg.type !== 'float32') part = Math.round(part);
      rest -= part * weight;
      if (reg.type === 'bool') {
        image.set(reg.kind, start, part === 0 ? 0 : 1);
      } else if (reg.bit !== undefined) {
        const mask = 1 << reg.bit;
        const word = image.get(reg.kind, start) ?? 0;
        image.set(reg.kind, start, part === 0 ? word & ~mask : word | mask);
      } else {
        image.setMany(reg.kind, start, toWords(reg, toRaw(reg.type, part)));
      }
    });
  }
  return image;
}
