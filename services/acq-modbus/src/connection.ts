// One link to a Modbus endpoint (a TCP server, an RTU gateway, a serial bus), shared by every device
// and proxy client behind it. Requests are serialised: an RTU bus or a gateway carries one at a time,
// and an ISG takes one master. A broken link is closed and re-opened on a later request, no sooner
// than the backoff after consecutive failures allows.
import modbusSerial from 'modbus-serial';
import { backoffDelay, type BackoffOptions, type Clock, type Logger } from '@heatstream/runtime';
import type { RegisterKind } from '@heatstream/devices';
import { ModbusReadError } from './errors.ts';
import { serialBinding } from './serial.ts';

// The package is CommonJS; its typings describe the class as the `default` of module.exports.
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export const TransportKind = {
  /** Modbus TCP (MBAP framing). */
  tcp: 'tcp',
  /** RTU frames over a TCP socket, as transparent RS485 gateways (Waveshare) speak. */
  rtuOverTcp: 'rtu-over-tcp',
  /** RTU on a local serial port. */
  rtu: 'rtu',
} as const;
export type TransportKind = (typeof TransportKind)[keyof typeof TransportKind];

export interface SerialSettings {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: number;
  stopBits: number;
}

/** 9600 8N1: what the LG (LGR MODBUS.md) and most RS485 meters ship with. */
export const serialDefaults: SerialSettings = { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 };

export interface Endpoint {
  transport: TransportKind;
  host?: string | undefined;
  port?: number | undefined;
  /** Serial device, e.g. /dev/ttyUSB0. */
  path?: string | undefined;
  /** For `rtu`; `serialDefaults` when unset. */
  serial?: SerialSettings | undefined;
}

export interface ConnectionOptions {
  timeoutMs: number;
  backoff: BackoffOptions;
  clock: Clock;
  log: Logger;
}

/** Same endpoint, same link: the key devices are grouped by. */
export function endpointKey(e: Endpoint): string {
  return e.transport === 'rtu' ? `rtu:${e.path ?? ''}` : `${e.transport}:${e.host ?? ''}:${e.port ?? 502}`;
}

// modbus-serial rejects with a plain object here, not an Error: check the shape.
const isTimeout = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  ((e as { name?: string }).name === 'TransactionTimedOutError' ||
    (e as { errno?: string }).errno === 'ETIMEDOUT');

export class ModbusConnection {
  readonly key: string;
  readonly #endpoint: Endpoint;
  readonly #options: ConnectionOptions;
  #client: ModbusRTU | undefined;
  /** Rejects when the open link closes; never settles before. */
  #closedSignal: Promise<never> = new Promise<never>(() => undefined);
  #failures = 0;
  #nextAttemptAt = 0;
  #lastError = '';
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(endpoint: Endpoint, options: ConnectionOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.key = endpointKey(endpoint);
  }

  get connected(): boolean {
    return this.#client?.isOpen ?? false;
  }

  /** Reads `count` registers (words) or bits (0/1) of one table; one request at a time per link. */
  read(unitId: number, kind: RegisterKind, start: number, count: number): Promise<number[]> {
    const run = this.#queue.then(() => this.#read(unitId, kind, start, count));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    const client = this.#client;
    this.#client = undefined;
    if (client) await release(client);
  }

  async #read(unitId: number, kind: RegisterKind, start: number, count: number): Promise<number[]> {
    const client = await this.#open();
    client.setID(unitId);
    try {
      // modbus-serial leaves a request pending until its timeout when the peer closes the socket;
      // the link's close ends it at once.
      return await Promise.race([this.#request(client, kind, start, count), this.#closedSignal]);
    } catch (error) {
      const modbusCode = (error as { modbusCode?: number }).modbusCode;
      const what = `${kind} ${start}+${count} from unit ${unitId} at ${this.key}`;
      if (typeof modbusCode === 'number') {
        throw new ModbusReadError('exception', `Modbus exception ${modbusCode} reading ${what}`, {
          cause: error,
          modbusCode,
        });
      }
      // After a timeout a late answer could be taken for the next request's: start a fresh link.
      this.#drop();
      if (isTimeout(error)) {
        throw new ModbusReadError(
          'timeout',
          `no answer within ${this.#options.timeoutMs} ms reading ${what}`,
          {
            cause: error,
          },
        );
      }
      const message = (error as { message?: string } | undefined)?.message ?? String(error);
      throw new ModbusReadError('connection', `${message} reading ${what}`, { cause: error });
    }
  }

  async #request(client: ModbusRTU, kind: RegisterKind, start: number, count: number): Promise<number[]> {
    switch (kind) {
      case 'coil':
        return (await client.readCoils(start, count)).data.slice(0, count).map(Number);
      case 'discrete':
        return (await client.readDiscreteInputs(start, count)).data.slice(0, count).map(Number);
      case 'input':
        return (await client.readInputRegisters(start, count)).data;
      case 'holding':
        return (await client.readHoldingRegisters(start, count)).data;
    }
  }

  async #open(): Promise<ModbusRTU> {
    if (this.#client?.isOpen) return this.#client;
    this.#drop();
    if (this.#closed) throw new ModbusReadError('connection', `${this.key} is closed`);
    const now = this.#options.clock.now();
    if (now < this.#nextAttemptAt) {
      throw new ModbusReadError(
        'backoff',
        `${this.key} unreachable (${this.#lastError}); next attempt in ${Math.ceil((this.#nextAttemptAt - now) / 1000)} s`,
      );
    }
    const client = new ModbusRTU();
    // The client re-emits port errors; without a listener they would end the process.
    client.on('error', (error: unknown) => {
      this.#options.log.debug({ err: error, endpoint: this.key }, 'port error');
    });
    const connecting = this.#connect(client);
    try {
      await withTimeout(connecting, this.#options.timeoutMs, `connecting to ${this.key}`);
    } catch (error) {
      // A connect that timed out goes on: a serial port opens later all the same. Closed now it
      // would not be (closing a port that is still opening fails), so close it once it is open —
      // else it stays open unowned, reading from the bus beside the next link's port.
      connecting.then(
        () => void release(client),
        () => undefined,
      );
      void release(client);
      this.#failures++;
      this.#lastError = (error as Error).message;
      const delay = backoffDelay(this.#failures, this.#options.backoff);
      this.#nextAttemptAt = this.#options.clock.now() + delay;
      this.#options.log.warn(
        { endpoint: this.key, failures: this.#failures, retryInMs: delay, err: error },
        'cannot connect',
      );
      throw new ModbusReadError('connection', `cannot connect to ${this.key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (this.#failures > 0) this.#options.log.info({ endpoint: this.key }, 'reconnected');
    this.#failures = 0;
    this.#nextAttemptAt = 0;
    client.setTimeout(this.#options.timeoutMs);
    this.#closedSignal = new Promise<never>((_, reject) => {
      client.on('close', () => {
        reject(new Error('connection closed by the peer'));
      });
    });
    this.#closedSignal.catch(() => undefined);
    this.#client = client;
    return client;
  }

  #connect(client: ModbusRTU): Promise<void> {
    const e = this.#endpoint;
    switch (e.transport) {
      case 'tcp':
        return client.connectTCP(e.host ?? '127.0.0.1', { port: e.port ?? 502 });
      case 'rtu-over-tcp':
        // modbus-serial's TelnetPort writes raw RTU frames (with CRC) to the socket. Its
        // connectTcpRTUBuffered, despite the name, sends MBAP frames: pymodbus' RTU framer
        // rejects them (seen in this package's tests), and so would a transparent gateway.
        return client.connectTelnet(e.host ?? '127.0.0.1', { port: e.port ?? 502 });
      case 'rtu':
        // serialport passes `binding` through: see serial.ts for why it is not the default one.
        return client.connectRTUBuffered(e.path ?? '', {
          ...(e.serial ?? serialDefaults),
          binding: serialBinding,
        } as Parameters<ModbusRTU['connectRTUBuffered']>[1]);
    }
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    if (client) void release(client);
  }
}

/** How long closing a port may take before the link is given up as closed anyway. */
const releaseBoundMs = 2_000;

/**
 * Ends a link, socket or serial port. modbus-serial's `destroy` does nothing for a serial port (its
 * RTUBufferedPort has no `destroy` to call), so a serial port is closed; a socket is destroyed (not
 * ended: a peer that stopped answering would hold a graceful end open). Never rejects; settles
 * within `releaseBoundMs`, so a shutdown does not wait on a port that does not answer.
 */
function release(client: ModbusRTU): Promise<void> {
  const port = (client as unknown as { _port?: { destroy?: unknown; isOpen?: boolean } })._port;
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, releaseBoundMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      if (port && typeof port.destroy !== 'function') {
        if (port.isOpen) client.close(done);
        else done();
      } else client.destroy(done);
    } catch {
      // A port that never opened has nothing to end.
      done();
    }
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
