// The shape of a Modbus device definition, as one TypeBox schema: the TypeScript types are inferred
// from it, and user maps loaded from YAML are checked against it before the semantic checks in
// validate.ts. Strings that name catalogue things (metric, unit, data type) are plain strings here
// so that a wrong one is reported by name ("unknown data type int24") rather than as a union mismatch.
import { Type, type Static } from '@sinclair/typebox';
import type { MetricName } from '@heatstream/contracts';

/** The four Modbus tables; the function code follows from the table. */
export const RegisterKind = {
  coil: 'coil',
  discrete: 'discrete',
  input: 'input',
  holding: 'holding',
} as const;
export type RegisterKind = (typeof RegisterKind)[keyof typeof RegisterKind];

/** How register words become a number. Coils and discrete inputs are always `bool`. */
export const DataType = {
  bool: 'bool',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  float32: 'float32',
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** `big`: high word (or byte) first — Modbus' own order; `little`: low first. */
export const Order = { big: 'big', little: 'little' } as const;
export type Order = (typeof Order)[keyof typeof Order];

const Integer16 = (description: string) => Type.Integer({ minimum: 0, maximum: 15, description });

export const RegisterSchema = Type.Object(
  {
    kind: Type.Unsafe<RegisterKind>(Type.String({ description: 'coil | discrete | input | holding' })),
    address: Type.Integer({ description: "the register number as the vendor's documentation writes it" }),
    type: Type.Unsafe<DataType>(
      Type.String({ description: 'bool | int16 | uint16 | int32 | uint32 | float32' }),
    ),
    wordOrder: Type.Optional(Type.Unsafe<Order>(Type.String({ description: 'big (default) | little' }))),
    byteOrder: Type.Optional(Type.Unsafe<Order>(Type.String({ description: 'big (default) | little' }))),
    bit: Type.Optional(Integer16('take one bit (0 = least significant) of a 16-bit register')),
    notAvailable: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0 }), {
        description: 'raw unsigned register values that mean "not available" (e.g. 0x8000)',
      }),
    ),
    weight: Type.Optional(
      Type.Number({ description: 'multiplier of this part in a composite sum; default 1' }),
    ),
  },
  { additionalProperties: false },
);
export type Register = Static<typeof RegisterSchema>;

export const FieldSchema = Type.Object(
  {
    metric: Type.Unsafe<MetricName>(Type.String({ description: 'a metric of the contracts catalogue' })),
    unit: Type.String({ description: "the metric's catalogue unit, after scale and offset" }),
    registers: Type.Array(RegisterSchema, {
      minItems: 1,
      description: 'one register, or the parts of a composite value (summed with their weights)',
    }),
    scale: Type.Optional(Type.Number({ description: 'engineering value = raw × scale + offset; default 1' })),
    offset: Type.Optional(Type.Number()),
    range: Type.Optional(
      Type.Tuple([Type.Number(), Type.Number()], {
        description: 'plausible engineering values [min, max]; outside is bad data',
      }),
    ),
    note: Type.Optional(Type.String({ description: 'quirks, with their source' })),
  },
  { additionalProperties: false },
);
export type Field = Static<typeof FieldSchema>;

/**
 * A metric the device gives only as parts: the sum of other fields' values, computed after
 * decoding, absent when a part is absent. Its registers are the parts', so no field reads them twice
 * (Stiebel: heat_energy = heat_energy_heating + heat_energy_dhw).
 */
export const TotalSchema = Type.Object(
  {
    metric: Type.Unsafe<MetricName>(Type.String({ description: 'a metric of the contracts catalogue' })),
    of: Type.Array(
      Type.Unsafe<MetricName>(Type.String({ description: 'a metric mapped by a field of this definition' })),
      { minItems: 2, description: 'the fields whose values it adds' },
    ),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Total = Static<typeof TotalSchema>;

export const ModbusDefinitionSchema = Type.Object(
  {
    id: Type.String({ description: 'kebab-case model id; readings carry it as `model`' }),
    vendor: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    protocol: Type.Literal('modbus'),
    addressBase: Type.Union([Type.Literal(0), Type.Literal(1)], {
      description: "the numbering of the vendor's documentation: PDU address = address − base",
    }),
    maxGap: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description: 'unmapped registers a single read may span to join two blocks; default 0',
      }),
    ),
    intervalMs: Type.Optional(Type.Integer({ minimum: 100, description: 'suggested poll interval' })),
    unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'usual unit id' })),
    note: Type.Optional(Type.String()),
    fields: Type.Array(FieldSchema, { minItems: 1 }),
    totals: Type.Optional(Type.Array(TotalSchema)),
  },
  { additionalProperties: false },
);
export type ModbusDefinition = Static<typeof ModbusDefinitionSchema>;
