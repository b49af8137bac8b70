// The service's list of heat sources (YAML `sources:`), checked as a whole at start: each entry
// through parseCopSource, plus what only the list can know (one entry per heat source). Every
// problem of every entry is reported together, named by its path, so one start shows all there is
// to fix.
import { Type } from '@sinclair/typebox';
import { ConfigError } from '@heatstream/runtime';
import { CopConfigError, parseCopSource, type CopSource } from './config.ts';

/**
 * The runtime's config sees the entries as plain objects; parseCopSource owns their schema and
 * defaults, so its messages (with the entry's index) are the ones an operator reads.
 */
export const SourcesSetting = Type.Array(Type.Object({}, { additionalProperties: true }), {
  default: [],
  description: 'heat sources: each paired with its electricity and heat measurement (services/cop/README.md)',
});

export function parseSources(raw: readonly unknown[]): CopSource[] {
  const problems: string[] = [];
  const sources: { source: CopSource; i: number }[] = [];
  raw.forEach((entry, i) => {
    try {
      sources.push({ source: parseCopSource(entry), i });
    } catch (error) {
      if (!(error instanceof CopConfigError)) throw error;
      problems.push(...error.problems.map((p) => `sources[${i}].${p}`));
    }
  });
  const seen = new Map<string, number>();
  for (const { source: s, i } of sources) {
    const key = `${s.site}/${s.device}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`sources[${i}]: heat source ${key} is already sources[${first}]`);
    else seen.set(key, i);
  }
  if (raw.length === 0) problems.push('sources: no heat source configured; nothing to derive');
  if (problems.length > 0) throw new ConfigError(problems, 'cop sources');
  return sources.map((s) => s.source);
}
