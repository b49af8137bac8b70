// One read-only Modbus TCP server (modbus-serial's ServerTCP) with its lifecycle: start on a host and
// port (0 picks a free one), drop every client, close. acq-modbus' proxy and the simulator both
// answer through it, so they answer alike: reads go to one block-read function after the quantity
// check modbus-serial leaves out (protocols.md §7: it serves 126 registers and fails at 128),
// writes answer exception 01.
import type { AddressInfo } from 'node:net';
import modbusSerial from 'modbus-serial';
import { MAX_READ } from '@heatstream/devices';
import type { Logger } from '@heatstream/runtime';
import { ModbusException, ModbusExceptionCode } from './exceptions.ts';
import { readOnlyVector, type BlockRead } from './vector.ts';

const { ServerTCP } = modbusSerial;
type ServerTCP = InstanceType<typeof ServerTCP>;

export interface ReadOnlyServerOptions {
  host: string;
  /** 0 picks a free port; `port` tells which once started. */
  port: number;
  /** Answers every read whose quantity is within 1…125 registers (2000 bits). */
  read: BlockRead;
  /** Who answers, for the refusal of a write: "the proxy is read-only". */
  name: string;
  log: Logger;
}

export class ReadOnlyModbusServer {
  readonly #options: ReadOnlyServerOptions;
  #server: ServerTCP | undefined;
  #port = 0;

  constructor(options: ReadOnlyServerOptions) {
    this.#options = options;
  }

  /** The port listened on; 0 before start. */
  get port(): number {
    return this.#port;
  }

  /** Resolves once listening; rejects when the port cannot be bound. */
  async start(): Promise<void> {
    const { host, port, read, name, log } = this.#options;
    const checked: BlockRead = (kind, address, count, unitId) => {
      if (count < 1 || count > MAX_READ[kind]) {
        return Promise.reject(
          new ModbusException(
            ModbusExceptionCode.illegalDataValue,
            `quantity ${count} outside 1…${MAX_READ[kind]}`,
          ),
        );
      }
      return read(kind, address, count, unitId);
    };
    // unitID 255: answer every unit id; the read function decides what a unit is. modbus-serial
    // replaces a falsy port by 502, so port 0 goes in as the string '0', which net.listen reads as
    // "any free port".
    const server = new ServerTCP(readOnlyVector(checked, name), {
      host,
      port: port === 0 ? ('0' as unknown as number) : port,
      unitID: 255,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => {
        resolve();
      });
      server.once('serverError', (error: unknown) => {
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    // A client that resets its connection is the client's business, not the server's.
    server.on('socketError', (error: unknown) => {
      log.debug({ err: error }, 'Modbus client socket error');
    });
    server.on('error', (error: unknown) => {
      log.debug({ err: error }, 'Modbus reply failed');
    });
    this.#server = server;
    // modbus-serial keeps its net.Server private; the bound port is only known from it.
    this.#port = (server as unknown as { _server: { address(): AddressInfo } })._server.address().port;
  }

  /** Closes every client connection; the server keeps listening (a device dropping its clients). */
  dropClients(): void {
    for (const socket of this.#server?.socks.keys() ?? []) socket.destroy();
  }

  /** Stops listening and closes every client connection. */
  async close(): Promise<void> {
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
