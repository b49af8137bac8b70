// The service vector a modbus-serial ServerTCP answers from, built from one block-read function.
// modbus-serial takes the result of a three-argument getMultiple* synchronously, so the
// callback form is used for block reads; single reads may return a promise (protocols.md §7).
import type { RegisterKind } from '@heatstream/devices';
import { ModbusException, ModbusExceptionCode } from './exceptions.ts';

/** Answers one read: `count` words (registers) or 0/1 values (bits) of a table, from `address`. */
export type BlockRead = (
  kind: RegisterKind,
  address: number,
  count: number,
  unitId: number,
) => Promise<number[]>;

type Callback<T> = (err: Error | null, value: T) => void;

export interface ReadOnlyVector {
  getCoil(addr: number, unitId: number): Promise<boolean>;
  getDiscreteInput(addr: number, unitId: number): Promise<boolean>;
  getInputRegister(addr: number, unitId: number): Promise<number>;
  getHoldingRegister(addr: number, unitId: number): Promise<number>;
  getMultipleInputRegisters(addr: number, length: number, unitId: number, cb: Callback<number[]>): void;
  getMultipleHoldingRegisters(addr: number, length: number, unitId: number, cb: Callback<number[]>): void;
  setCoil(addr: number, value: boolean, unitId: number): Promise<void>;
  setRegister(addr: number, value: number, unitId: number): Promise<void>;
  setRegisterArray(addr: number, value: number[], unitId: number): Promise<void>;
}

/** Reads go to `read`; writes are refused with exception 01 (illegal function), naming `who`. */
export function readOnlyVector(read: BlockRead, who: string): ReadOnlyVector {
  const one = async (kind: RegisterKind, addr: number, unitId: number) =>
    (await read(kind, addr, 1, unitId))[0] ?? 0;
  const block =
    (kind: RegisterKind) =>
    (addr: number, length: number, unitId: number, cb: Callback<number[]>): void => {
      read(kind, addr, length, unitId).then(
        (words) => {
          cb(null, words);
        },
        (error: unknown) => {
          cb(error instanceof Error ? error : new Error(String(error)), []);
        },
      );
    };
  const refuse = (): Promise<never> =>
    Promise.reject(new ModbusException(ModbusExceptionCode.illegalFunction, `${who} is read-only`));
  return {
    getCoil: async (addr, unitId) => (await one('coil', addr, unitId)) === 1,
    getDiscreteInput: async (addr, unitId) => (await one('discrete', addr, unitId)) === 1,
    getInputRegister: (addr, unitId) => one('input', addr, unitId),
    getHoldingRegister: (addr, unitId) => one('holding', addr, unitId),
    getMultipleInputRegisters: block('input'),
    getMultipleHoldingRegisters: block('holding'),
    setCoil: refuse,
    setRegister: refuse,
    setRegisterArray: refuse,
  };
}
