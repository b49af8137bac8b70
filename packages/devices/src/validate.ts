// Checks a definition beyond its schema: catalogue metrics and units, known data types, addresses
// that fit the 16-bit Modbus space, and no two fields reading the same register. Every problem names
// the definition and the field, so a bad user map fails start-up with what to fix.
import { Value } from '@sinclair/typebox/value';
import { isMetricName, metrics, units } from '@heatstream/contracts';
import { pduAddress, wordCount } from './codec.ts';
import { DataType, ModbusDefinitionSchema, Order, RegisterKind, type ModbusDefinition } from './schema.ts';

export class DefinitionError extends Error {
  override name = 'DefinitionError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid device definition:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

const kinds: readonly string[] = Object.values(RegisterKind);
const types: readonly string[] = Object.values(DataType);
const orders: readonly string[] = Object.values(Order);

/** `/fields/2/registers/0/type` → `fields[2].registers[0].type` */
function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`),
      '',
    );
}

const nameOf = (def: unknown): string => {
  const id = typeof def === 'object' && def !== null ? (def as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : '(no id)';
};

/** Every problem of one definition, each as `definition "<id>": <field path>: <what>`; [] when sound. */
export function definitionProblems(input: unknown): string[] {
  const label = `definition "${nameOf(input)}"`;
  const found: string[] = [];
  const seenPaths = new Set<string>();
  for (const error of Value.Errors(ModbusDefinitionSchema, input)) {
    const path = jsonPath(error.path) || '(root)';
    if (seenPaths.has(path)) continue;
    seenPaths.add(path);
    found.push(`${label}: ${path}: ${error.message.toLowerCase()}`);
  }
  if (found.length > 0) return found;
  const def = input as ModbusDefinition;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(def.id)) found.push(`${label}: id: not kebab-case`);

  const mapped = new Set<string>();
  // Per table and word: who reads it, and which bits (undefined: the whole word).
  const claimed = new Map<string, { owner: string; bits: Set<number> | undefined }>();
  def.fields.forEach((field, i) => {
    const at = `${label}: fields[${i}] (${field.metric})`;
    const metric: string = field.metric;
    if (!isMetricName(metric)) {
      found.push(`${at}.metric: ${metric} is not in the metric catalogue`);
    } else {
      const expected = metrics[metric].unit;
      if (!units.has(field.unit)) found.push(`${at}.unit: "${field.unit}" is not a catalogue unit`);
      else if (field.unit !== expected)
        found.push(`${at}.unit: "${field.unit}" but ${metric} is in "${expected}"`);
    }
    if (mapped.has(metric)) found.push(`${at}.metric: ${metric} mapped twice`);
    mapped.add(metric);
    if (field.scale !== undefined && (!Number.isFinite(field.scale) || field.scale === 0)) {
      found.push(`${at}.scale: ${field.scale} is not a usable multiplier`);
    }
    field.registers.forEach((reg, j) => {
      const rat = `${at}.registers[${j}]`;
      if (!kinds.includes(reg.kind)) found.push(`${rat}.kind: unknown register kind "${reg.kind}"`);
      if (!types.includes(reg.type)) {
        found.push(`${rat}.type: unknown data type "${reg.type}"`);
        return;
      }
      for (const key of ['wordOrder', 'byteOrder'] as const) {
        const order = reg[key];
        if (order !== undefined && !orders.includes(order))
          found.push(`${rat}.${key}: "${order}" is neither big nor little`);
      }
      const bitTable = reg.kind === 'coil' || reg.kind === 'discrete';
      if (bitTable !== (reg.type === 'bool')) {
        found.push(`${rat}.type: ${reg.kind} ${bitTable ? 'must be bool' : `cannot be ${reg.type}`}`);
      }
      if (reg.bit !== undefined && reg.type !== 'uint16' && reg.type !== 'int16') {
        found.push(`${rat}.bit: only a 16-bit register has bits`);
      }
      const words = wordCount(reg.type);
      const start = pduAddress(def, reg);
      const maxAddress = 65535 + def.addressBase;
      if (start < 0)
        found.push(`${rat}.address: ${reg.address} is below the addressing base ${def.addressBase}`);
      else if (start + words - 1 > 65535)
        found.push(`${rat}.address: ${reg.address} > ${maxAddress - words + 1}`);
      const maxRaw = words === 2 ? 0xffffffff : 0xffff;
      for (const s of reg.notAvailable ?? []) {
        if (s > maxRaw) found.push(`${rat}.notAvailable: ${s} does not fit ${reg.type}`);
      }
      for (let w = 0; w < words; w++) {
        const key = `${reg.kind}:${start + w}`;
        const other = claimed.get(key);
        if (other) {
          if (other.bits === undefined || reg.bit === undefined || other.bits.has(reg.bit)) {
            found.push(`${rat}.address: ${reg.kind} register ${reg.address + w} overlaps ${other.owner}`);
            break;
          }
          other.bits.add(reg.bit);
        } else {
          const bits = reg.bit === undefined ? undefined : new Set([reg.bit]);
          claimed.set(key, { owner: `fields[${i}] (${field.metric})`, bits });
        }
      }
    });
  });
  (def.totals ?? []).forEach((total, i) => {
    const at = `${label}: totals[${i}] (${total.metric})`;
    const metric: string = total.metric;
    if (!isMetricName(metric)) found.push(`${at}.metric: ${metric} is not in the metric catalogue`);
    else if (mapped.has(metric)) found.push(`${at}.metric: ${metric} is also read by a field`);
    mapped.add(metric);
    for (const part of total.of) {
      const field = def.fields.find((f) => f.metric === part);
      if (field === undefined) found.push(`${at}.of: ${part} is no field of this definition`);
      else if (isMetricName(metric) && field.unit !== metrics[metric].unit) {
        found.push(`${at}.of: ${part} is in "${field.unit}", ${metric} in "${metrics[metric].unit}"`);
      }
    }
  });
  return found;
}

/** Throws a DefinitionError listing every problem; returns the definition typed when it is sound. */
export function assertDefinition(input: unknown): ModbusDefinition {
  const problems = definitionProblems(input);
  if (problems.length > 0) throw new DefinitionError(problems);
  return input as ModbusDefinition;
}
