// A Modbus TCP server exposing simulated devices, one per unit id, each encoded from the model's
// values through its device definition — the same codec acq-modbus decodes with. It answers like a
// careful device: exception 02 outside the registers the definition maps (as an ISG refusing a
// block), exception 03 for a quantity outside 1…125, and the faults the plan injects.
import type { AddressInfo } from 'node:net';
import modbusSerial from 'modbus-serial';
import {
  encodeDefinition,
  MAX_READ,
  ModbusException,
  ModbusExceptionCode,
  planReads,
  readOnlyVector,
  RegisterImage,
  type ModbusDefinition,
  type ReadBlock,
  type RegisterKind,
} from '@heatstream/devices';
import type { Logger } from '@heatstream/runtime';
import type { FaultPlan } from './faults.ts';
import type { MetricValues } from './model/metrics.ts';

const { ServerTCP } = modbusSerial;
type ServerTCP = InstanceType<typeof ServerTCP>;

export interface SimulatedUnit {
  unitId: number;
  definition: ModbusDefinition;
}

export interface ModbusSimulatorOptions {
  host: string;
  port: number;
  units: readonly SimulatedUnit[];
  /** The model's values now. */
  values: () => MetricValues;
  faults: FaultPlan;
  now: () => number;
  log: Logger;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ModbusSimulator {
  readonly #options: ModbusSimulatorOptions;
  readonly #units = new Map<number, { definition: ModbusDefinition; blocks: ReadBlock[] }>();
  #server: ServerTCP | undefined;
  #port = 0;

  constructor(options: ModbusSimulatorOptions) {
    this.#options = options;
    for (const u of options.units)
      this.#units.set(u.unitId, { definition: u.definition, blocks: planReads(u.definition) });
  }

  get port(): number {
    return this.#port;
  }

  /** The register image a unit serves now, without faults. */
  image(unitId: number): RegisterImage {
    const unit = this.#units.get(unitId);
    if (!unit) throw new Error(`no simulated unit ${unitId}`);
    return encodeDefinition(unit.definition, this.#options.values(), new RegisterImage());
  }

  async #serve(kind: RegisterKind, address: number, count: number, unitId: number): Promise<number[]> {
    const unit = this.#units.get(unitId);
    if (!unit) {
      throw new ModbusException(ModbusExceptionCode.gatewayTargetFailedToRespond, `no unit ${unitId}`);
    }
    if (count < 1 || count > MAX_READ[kind]) {
      throw new ModbusException(ModbusExceptionCode.illegalDataValue, `quantity ${count}`);
    }
    const inside = unit.blocks.some(
      (b) => b.kind === kind && address >= b.start && address + count <= b.start + b.count,
    );
    if (!inside) {
      throw new ModbusException(
        ModbusExceptionCode.illegalDataAddress,
        `${kind} ${address}+${count} not mapped`,
      );
    }
    const fault = this.#options.faults.pick(unitId, this.#options.now());
    switch (fault?.mode) {
      case 'slow':
        await sleep(fault.slowMs ?? 5_000);
        break;
      case 'exception':
        throw new ModbusException(
          fault.exceptionCode ?? ModbusExceptionCode.serverDeviceFailure,
          'injected fault',
        );
      case 'disconnect':
        for (const socket of this.#server?.socks.keys() ?? []) socket.destroy();
        throw new ModbusException(ModbusExceptionCode.serverDeviceFailure, 'injected disconnect');
      case 'garbage':
        return Array.from({ length: count }, () => Math.floor(Math.random() * 0x10000));
      case undefined:
        break;
    }
    const image = this.image(unitId);
    return Array.from({ length: count }, (_, i) => image.get(kind, address + i) ?? 0);
  }

  async start(): Promise<void> {
    const { host, port, log } = this.#options;
    const vector = readOnlyVector(
      (kind, addr, count, unit) => this.#serve(kind, addr, count, unit),
      'the simulator',
    );
    const server = new ServerTCP(vector, { host, port, unitID: 255 });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => {
        resolve();
      });
      server.on('serverError', (error: unknown) => {
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    server.on('socketError', (error: unknown) => {
      log.debug({ err: error }, 'client socket error');
    });
    this.#port = (server as unknown as { _server: { address(): AddressInfo } })._server.address().port;
    log.info(
      {
        host,
        port: this.#port,
        units: [...this.#units].map(([id, u]) => ({ unitId: id, definition: u.definition.id })),
      },
      'Modbus simulator listening',
    );
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    for (const socket of server.socks.keys()) socket.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}
