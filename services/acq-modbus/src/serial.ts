// The serial-port binding RTU links open their port with: @serialport/bindings-cpp's own, except
// that a read of 0 bytes ends the link.
//
// Why: when the other side of a tty goes away (a USB RS485 adapter unplugged, a pseudo-terminal's
// master closed) the kernel hangs the tty up, and every read() of it returns 0 at once, forever.
// bindings-cpp's unixRead answers 0 bytes by reading again straight away, recursively through
// async calls: unless its poller happened to see the hang-up first (a race that load makes
// likely), it spins without end and each turn keeps a promise alive — the process never exits and
// its heap grows until it dies (seen in CI: 4 GB in 12 minutes). A 0-byte read on a serial port is
// not "no data yet" (that is EAGAIN, which unixRead waits out on its poller): it is end of file.
import { promisify } from 'node:util';
import { read } from 'node:fs';
import { autoDetect, type BindingInterface, type OpenOptions } from '@serialport/bindings-cpp';
import { unixRead } from '@serialport/bindings-cpp/dist/unix-read.js';

const readAsync = promisify(read);

/** The error a read of a hung-up serial port ends with; `disconnect` makes serialport close it. */
export class SerialHangUpError extends Error {
  override readonly name = 'SerialHangUpError';
  readonly code = 'EHANGUP';
  readonly disconnect = true;
}

const readOrHangUp: typeof readAsync = (async (...args: Parameters<typeof read>) => {
  // @ts-expect-error -- promisify's overloads do not spread; the arguments are read()'s own.
  const result: { bytesRead: number; buffer: NodeJS.ArrayBufferView } = await readAsync(...args);
  if (result.bytesRead === 0) throw new SerialHangUpError('serial port hung up (read returned end of file)');
  return result;
}) as unknown as typeof readAsync;

const detected = autoDetect() as BindingInterface;

/** A binding for `new SerialPort({ binding })`: the platform's, with `readOrHangUp` on unix. */
export const serialBinding: BindingInterface = {
  list: () => detected.list(),
  async open(options: OpenOptions) {
    const port = await detected.open(options);
    if (process.platform === 'win32') return port;
    const unixPort = port as unknown as Parameters<typeof unixRead>[0]['binding'];
    port.read = (buffer, offset, length) => {
      if (!port.isOpen) return Promise.reject(new Error('Port is not open'));
      return unixRead({ binding: unixPort, buffer, offset, length, fsReadAsync: readOrHangUp });
    };
    return port;
  },
};
