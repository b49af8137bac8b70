// The poll plan: every register a definition maps, coalesced into as few block reads as possible.
import { pduAddress, wordCount } from './codec.ts';
import type { ModbusDefinition, RegisterKind } from './schema.ts';

/** Modbus limits per request: 125 registers for FC03/FC04, 2000 bits for FC01/FC02 (protocols.md §7). */
export const MAX_READ: Record<RegisterKind, number> = {
  holding: 125,
  input: 125,
  coil: 2000,
  discrete: 2000,
};

export interface ReadBlock {
  kind: RegisterKind;
  /** PDU address of the first register. */
  start: number;
  count: number;
}

/**
 * Blocks in table order then address order. Two spans join when the gap between them is at most
 * the definition's `maxGap` (0: only adjacent registers) and the block stays within MAX_READ.
 */
export function planReads(
  def: ModbusDefinition,
  maxRead: Partial<Record<RegisterKind, number>> = {},
): ReadBlock[] {
  const spans = def.fields
    .flatMap((f) => f.registers)
    .map((r) => ({ kind: r.kind, start: pduAddress(def, r), end: pduAddress(def, r) + wordCount(r.type) }));
  const kinds: RegisterKind[] = ['coil', 'discrete', 'input', 'holding'];
  const blocks: ReadBlock[] = [];
  for (const kind of kinds) {
    const limit = Math.min(maxRead[kind] ?? MAX_READ[kind], MAX_READ[kind]);
    const mine = spans.filter((s) => s.kind === kind).sort((a, b) => a.start - b.start);
    let current: { start: number; end: number } | undefined;
    for (const s of mine) {
      if (
        current &&
        s.start - current.end <= (def.maxGap ?? 0) &&
        Math.max(current.end, s.end) - current.start <= limit
      ) {
        current.end = Math.max(current.end, s.end);
        continue;
      }
      if (current) blocks.push({ kind, start: current.start, count: current.end - current.start });
      current = { start: s.start, end: s.end };
    }
    if (current) blocks.push({ kind, start: current.start, count: current.end - current.start });
  }
  return blocks;
}
