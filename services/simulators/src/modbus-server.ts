// A Modbus TCP server exposing simulated devices, one per unit id, each encoded from the model's
// values through its device definition — the same codec acq-modbus decodes with. It answers like a
// careful device: exception 02 outside the registers the definition maps (as an ISG refusing a
// block), exception 03 for a quantity outside 1…125 (the shared server's check), and the faults
// the plan injects.
import {
  encodeDefinition,
  planReads,
  RegisterImage,
  type ModbusDefinition,
  type ReadBlock,
  type RegisterKind,
} from '@heatstream/devices';
import { ModbusException, ModbusExceptionCode, ReadOnlyModbusServer } from '@heatstream/modbus';
import type { Clock, Logger } from '@heatstream/runtime';
import type { FaultPlan } from './faults.ts';
import type { MetricValues } from './model/metrics.ts';

export interface SimulatedUnit {
  unitId: number;
  definition: ModbusDefinition;
}

export interface ModbusSimulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  units: readonly SimulatedUnit[];
  /** The model's values now, for one unit (each unit's site may have a house of its own). */
  values: (unitId: number) => MetricValues;
  faults: FaultPlan;
  /** Fault windows in time, and the delay of slow replies. */
  clock: Clock;
  log: Logger;
}

export class ModbusSimulator {
  readonly #options: ModbusSimulatorOptions;
  readonly #units = new Map<number, { definition: ModbusDefinition; blocks: ReadBlock[] }>();
  readonly #server: ReadOnlyModbusServer;
  /** Aborted on stop: a slow reply still waiting ends at once. */
  readonly #stopping = new AbortController();

  constructor(options: ModbusSimulatorOptions) {
    this.#options = options;
    for (const u of options.units)
      this.#units.set(u.unitId, { definition: u.definition, blocks: planReads(u.definition) });
    this.#server = new ReadOnlyModbusServer({
      host: options.host,
      port: options.port,
      name: 'the simulator',
      log: options.log,
      read: (kind, address, count, unitId) => this.#serve(kind, address, count, unitId),
    });
  }

  get port(): number {
    return this.#server.port;
  }

  /** The register image a unit serves now, without faults. */
  image(unitId: number): RegisterImage {
    const unit = this.#units.get(unitId);
    if (!unit) throw new Error(`no simulated unit ${unitId}`);
    return encodeDefinition(unit.definition, this.#options.values(unitId), new RegisterImage());
  }

  async #serve(kind: RegisterKind, address: number, count: number, unitId: number): Promise<number[]> {
    const unit = this.#units.get(unitId);
    if (!unit) {
      throw new ModbusException(ModbusExceptionCode.gatewayTargetFailedToRespond, `no unit ${unitId}`);
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
    const { faults, clock } = this.#options;
    const fault = faults.pick(unitId, clock.now());
    switch (fault?.mode) {
      case 'slow':
        await clock.sleep(fault.slowMs ?? 5_000, this.#stopping.signal);
        break;
      case 'exception':
        throw new ModbusException(
          fault.exceptionCode ?? ModbusExceptionCode.serverDeviceFailure,
          'injected fault',
        );
      case 'disconnect':
        this.#server.dropClients();
        throw new ModbusException(ModbusExceptionCode.serverDeviceFailure, 'injected disconnect');
      case 'garbage':
        return faults.garbage(count);
      case undefined:
        break;
    }
    const image = this.image(unitId);
    return Array.from({ length: count }, (_, i) => image.get(kind, address + i) ?? 0);
  }

  async start(): Promise<void> {
    await this.#server.start();
    this.#options.log.info(
      {
        host: this.#options.host,
        port: this.port,
        units: [...this.#units].map(([id, u]) => ({ unitId: id, definition: u.definition.id })),
      },
      'Modbus simulator listening',
    );
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#server.close();
  }
}
