// The answers acq-shelly reads, as schemas (protocols.md §2.2–2.4 and §0). Fields the service does
// not use are allowed, and newer firmware adds some (`a_flags`…); a field it uses that is missing
// or of another type makes the answer unusable: a dead letter and `bad-data`.
import { Type } from '@sinclair/typebox';

const num = Type.Number();
/** Unconnected phases and CTs answer null in places (n_current). */
const numOrNull = Type.Union([Type.Number(), Type.Null()]);

const phase = (x: string) => ({
  [`${x}_current`]: num,
  [`${x}_voltage`]: num,
  [`${x}_act_power`]: num,
  [`${x}_aprt_power`]: num,
  [`${x}_pf`]: num,
  [`${x}_freq`]: Type.Optional(numOrNull),
  [`${x}_errors`]: Type.Optional(Type.Array(Type.String())),
});

export const EmStatus = Type.Object({
  id: Type.Integer(),
  ...phase('a'),
  ...phase('b'),
  ...phase('c'),
  total_current: num,
  total_act_power: num,
  total_aprt_power: num,
  errors: Type.Optional(Type.Array(Type.String())),
});

const phaseEnergy = (x: string) => ({
  [`${x}_total_act_energy`]: num,
  [`${x}_total_act_ret_energy`]: num,
});

export const EmDataStatus = Type.Object({
  id: Type.Integer(),
  ...phaseEnergy('a'),
  ...phaseEnergy('b'),
  ...phaseEnergy('c'),
  total_act: num,
  total_act_ret: num,
  errors: Type.Optional(Type.Array(Type.String())),
});

export const Em1Status = Type.Object({
  id: Type.Integer(),
  current: num,
  voltage: num,
  act_power: num,
  aprt_power: num,
  pf: num,
  freq: Type.Optional(numOrNull),
  errors: Type.Optional(Type.Array(Type.String())),
});

export const Em1DataStatus = Type.Object({
  id: Type.Integer(),
  total_act_energy: num,
  total_act_ret_energy: num,
  errors: Type.Optional(Type.Array(Type.String())),
});

/** EMData.GetData / EM1Data.GetData: blocks of records, Wh per interval, paged. */
export const GetDataResult = Type.Object({
  keys: Type.Array(Type.String()),
  data: Type.Array(
    Type.Object({
      ts: Type.Integer({ description: 'start of the first record, unix s' }),
      period: Type.Integer({ minimum: 1, description: 'seconds per record' }),
      values: Type.Array(Type.Array(numOrNull)),
    }),
  ),
  next_record_ts: Type.Optional(Type.Integer()),
});

const Component = Type.Object({
  key: Type.String(),
  status: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const GetComponentsResult = Type.Object({
  components: Type.Array(Component),
  offset: Type.Integer(),
  total: Type.Integer(),
});

export const BtHomeDeviceStatus = Type.Object({
  id: Type.Integer(),
  rssi: Type.Optional(numOrNull),
  battery: Type.Optional(numOrNull),
  last_updated_ts: Type.Optional(numOrNull),
});
export const BtHomeDeviceConfig = Type.Object({
  id: Type.Integer(),
  addr: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
});
export const BtHomeSensorStatus = Type.Object({
  id: Type.Integer(),
  value: Type.Union([Type.Number(), Type.Boolean(), Type.Null()]),
  last_updated_ts: Type.Optional(numOrNull),
});
export const BtHomeSensorConfig = Type.Object({
  id: Type.Integer(),
  addr: Type.String(),
  obj_id: Type.Integer(),
  idx: Type.Optional(Type.Integer()),
});
