// @heatstream/devices: device support as typed data. A new heat-pump model or meter is a new entry
// in `catalogue`, not new code in a service. Every field lands on a metric of the contracts' catalogue.
import { eastronSdm630 } from './definitions/eastron-sdm630.ts';
import { lgThermaVR290 } from './definitions/lg-therma-v-r290.ts';
import { stiebelEltronWpm } from './definitions/stiebel-eltron-wpm.ts';
import { wago87930xx } from './definitions/wago-879-30xx.ts';
import type { ModbusDefinition } from './schema.ts';

export * from './schema.ts';
export { RegisterImage } from './image.ts';
export {
  decodeDefinition,
  decodeField,
  encodeDefinition,
  fieldResolution,
  metricResolution,
  pduAddress,
  wordCount,
  type Decoded,
  type DecodedReading,
} from './codec.ts';
export { MAX_READ, planReads, type ReadBlock } from './plan.ts';
export { DefinitionError, assertDefinition, definitionProblems } from './validate.ts';
export { loadDefinitionFile, parseDefinitionYaml } from './yaml.ts';
export { coil, discrete, field, flag, holding, input, int16Word, register } from './blocks.ts';
export { eastronSdm630, lgThermaVR290, stiebelEltronWpm, wago87930xx };

/** Every definition a device can name by id. Other protocols (Shelly, Viessmann) join as a union. */
export type DeviceDefinition = ModbusDefinition;

export const catalogue: readonly DeviceDefinition[] = [
  stiebelEltronWpm,
  lgThermaVR290,
  wago87930xx,
  eastronSdm630,
];

export function findDefinition(id: string): DeviceDefinition | undefined {
  return catalogue.find((d) => d.id === id);
}
