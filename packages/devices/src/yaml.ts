// User-defined register maps: a YAML file holding one definition in the same shape as the shipped
// ones (see README.md), validated like them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DefinitionError, assertDefinition } from './validate.ts';
import type { ModbusDefinition } from './schema.ts';

/** Parses and validates a YAML map; a DefinitionError names the file, the definition and each field. */
export function parseDefinitionYaml(text: string, source: string): ModbusDefinition {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new DefinitionError([`${source}: not valid YAML: ${(error as Error).message}`], { cause: error });
  }
  try {
    return assertDefinition(parsed);
  } catch (error) {
    if (error instanceof DefinitionError) {
      throw new DefinitionError(
        error.problems.map((p) => `${source}: ${p}`),
        { cause: error },
      );
    }
    throw error;
  }
}

export function loadDefinitionFile(path: string): ModbusDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DefinitionError([`${path}: cannot read: ${(error as Error).message}`], { cause: error });
  }
  return parseDefinitionYaml(text, path);
}
