// A Modbus TCP server that forwards reads over heatstream's one upstream link, for devices that take
// a single master (the Stiebel ISG, an RS485 bus behind a gateway): Home Assistant or evcc read
// through it while acq-modbus keeps polling. Read-only: writes are refused with exception 01, so
// nothing reaches a heat pump's settings behind the monitor's back.
import { ServerTCP } from 'modbus-serial';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@heatstream/runtime';
import { MAX_READ, type RegisterKind } from '@heatstream/devices';
import type { ModbusConnection } from './connection.ts';
import { ModbusReadError } from './errors.ts';

/** Modbus exception codes (protocols.md §7). */
const ILLEGAL_FUNCTION = 0x01;
const ILLEGAL_DATA_VALUE = 0x03;
const SERVER_FAILURE = 0x04;
const GATEWAY_PATH_UNAVAILABLE = 0x0a;
const GATEWAY_TARGET_NO_RESPONSE = 0x0b;

export interface ProxyOptions {
  host: string;
  port: number;
  /** Forward every request to this unit id; default: the unit id the client asked for. */
  unitId?: number | undefined;
  upstream: Pick<ModbusConnection, 'read' | 'key'>;
  log: Logger;
}

/** Thrown into modbus-serial's server, which answers with `modbusErrorCode` as the exception. */
export class ModbusException extends Error {
  override name = 'ModbusException';
  readonly modbusErrorCode: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.modbusErrorCode = code;
  }
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
    const refuse = (): Promise<never> =>
      Promise.reject(new ModbusException(ILLEGAL_FUNCTION, 'read-only proxy'));
    const vector = {
      getCoil: async (addr: number, unit: number) => (await this.#forward('coil', addr, 1, unit))[0] === 1,
      getDiscreteInput: async (addr: number, unit: number) =>
        (await this.#forward('discrete', addr, 1, unit))[0] === 1,
      getInputRegister: async (addr: number, unit: number) =>
        (await this.#forward('input', addr, 1, unit))[0] ?? 0,
      getHoldingRegister: async (addr: number, unit: number) =>
        (await this.#forward('holding', addr, 1, unit))[0] ?? 0,
      getMultipleInputRegisters: (addr: number, length: number, unit: number) =>
        this.#forward('input', addr, length, unit),
      getMultipleHoldingRegisters: (addr: number, length: number, unit: number) =>
        this.#forward('holding', addr, length, unit),
      setCoil: refuse,
      setRegister: refuse,
      setRegisterArray: refuse,
    };
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
