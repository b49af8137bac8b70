// A Modbus TCP server that forwards reads over heatstream's one upstream link, for devices that take
// a single master (the Stiebel ISG, an RS485 bus behind a gateway): Home Assistant or evcc read
// through it while acq-modbus keeps polling. Read-only: writes are refused with exception 01, so
// nothing reaches a heat pump's settings behind the monitor's back.
import type { Logger } from '@heatstream/runtime';
import type { RegisterKind } from '@heatstream/devices';
import { ModbusException, ModbusExceptionCode, ReadOnlyModbusServer } from '@heatstream/modbus';
import type { ModbusConnection } from './connection.ts';
import { ModbusReadError } from './errors.ts';

const {
  serverDeviceFailure: SERVER_FAILURE,
  gatewayPathUnavailable: GATEWAY_PATH_UNAVAILABLE,
  gatewayTargetFailedToRespond: GATEWAY_TARGET_NO_RESPONSE,
} = ModbusExceptionCode;

export interface ProxyOptions {
  host: string;
  port: number;
  /** Forward every request to this unit id; default: the unit id the client asked for. */
  unitId?: number | undefined;
  upstream: Pick<ModbusConnection, 'read' | 'key'>;
  log: Logger;
}

/** The exception a proxy client sees for an upstream failure. */
export function exceptionFor(error: unknown): ModbusException {
  const msg = error instanceof Error ? error.message : String(error);
  if (error instanceof ModbusReadError) {
    if (error.failure === 'exception') return new ModbusException(error.modbusCode ?? SERVER_FAILURE, msg);
    if (error.failure === 'timeout') return new ModbusException(GATEWAY_TARGET_NO_RESPONSE, msg);
    return new ModbusException(GATEWAY_PATH_UNAVAILABLE, msg);
  }
  return new ModbusException(SERVER_FAILURE, msg);
}

export class ModbusProxy {
  readonly #options: ProxyOptions;
  readonly #server: ReadOnlyModbusServer;

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.#server = new ReadOnlyModbusServer({
      host: options.host,
      port: options.port,
      name: 'the proxy',
      log: options.log,
      read: (kind, address, count, unitId) => this.#forward(kind, address, count, unitId),
    });
  }

  get port(): number {
    return this.#server.port;
  }

  async #forward(kind: RegisterKind, address: number, count: number, unitId: number): Promise<number[]> {
    try {
      return await this.#options.upstream.read(this.#options.unitId ?? unitId, kind, address, count);
    } catch (error) {
      this.#options.log.debug({ err: error, kind, address, count }, 'proxied read failed');
      throw exceptionFor(error);
    }
  }

  async start(): Promise<void> {
    await this.#server.start();
    const { host, upstream, log } = this.#options;
    log.info({ host, port: this.port, upstream: upstream.key }, 'Modbus proxy listening');
  }

  stop(): Promise<void> {
    return this.#server.close();
  }
}
