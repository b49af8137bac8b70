// A Modbus TCP server that forwards reads over heatstream's one upstream link, for devices that take
// a single master (the Stiebel ISG, an RS485 bus behind a gateway): Home Assistant or evcc read
// through it while acq-modbus keeps polling. Read-only: writes are refused with exception 01, so
// nothing reaches a heat pump's settings behind the monitor's back.
import { ServerTCP } from 'modbus-serial';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@heatstream/runtime';
import {
  MAX_READ,
  ModbusException,
  ModbusExceptionCode,
  readOnlyVector,
  type RegisterKind,
} from '@heatstream/devices';
import type { ModbusConnection } from './connection.ts';
import { ModbusReadError } from './errors.ts';

const {
  illegalDataValue: ILLEGAL_DATA_VALUE,
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
  #server: ServerTCP | undefined;
  #port = 0;

  constructor(options: ProxyOptions) {
    this.#options = options;
  }

  get port(): number {
    return this.#port;
  }

  async #forward(kind: RegisterKind, address: number, count: number, unitId: number): Promise<number[]> {
    if (count < 1 || count > MAX_READ[kind]) {
      throw new ModbusException(ILLEGAL_DATA_VALUE, `quantity ${count} outside 1…${MAX_READ[kind]}`);
    }
    try {
      return await this.#options.upstream.read(this.#options.unitId ?? unitId, kind, address, count);
    } catch (error) {
      this.#options.log.debug({ err: error, kind, address, count }, 'proxied read failed');
      throw exceptionFor(error);
    }
  }

  async start(): Promise<void> {
    const { host, port, log } = this.#options;
    const vector = readOnlyVector(
      (kind, addr, count, unit) => this.#forward(kind, addr, count, unit),
      'the proxy',
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
      log.debug({ err: error }, 'proxy client socket error');
    });
    const address = (server as unknown as { _server: { address(): AddressInfo } })._server.address();
    this.#port = address.port;
    log.info({ host, port: this.#port, upstream: this.#options.upstream.key }, 'Modbus proxy listening');
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
