// A register image: the raw 16-bit words (and coil bits, as 0/1) of one device, keyed by table and
// PDU address. The poller fills one from its block reads; the simulator serves one; tests build them.
import type { RegisterKind } from './schema.ts';

export class RegisterImage {
  readonly #words = new Map<string, number>();

  set(kind: RegisterKind, pduAddress: number, word: number): this {
    this.#words.set(`${kind}:${pduAddress}`, word & 0xffff);
    return this;
  }

  /** Consecutive words from `pduAddress` on. */
  setMany(kind: RegisterKind, pduAddress: number, words: readonly number[]): this {
    words.forEach((w, i) => this.set(kind, pduAddress + i, w));
    return this;
  }

  get(kind: RegisterKind, pduAddress: number): number | undefined {
    return this.#words.get(`${kind}:${pduAddress}`);
  }

  /** Every address set in one table, ascending. */
  addresses(kind: RegisterKind): number[] {
    const prefix = `${kind}:`;
    return [...this.#words.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => Number(k.slice(prefix.length)))
      .sort((a, b) => a - b);
  }
}
