/** Why a read failed; every kind makes the device `unavailable`. */
export const ReadFailure = {
  /** No answer within the timeout. */
  timeout: 'timeout',
  /** Cannot connect, or the connection broke. */
  connection: 'connection',
  /** The device answered with a Modbus exception (its code is in the message). */
  exception: 'exception',
  /** Waiting out the reconnect backoff; no attempt was made. */
  backoff: 'backoff',
} as const;
export type ReadFailure = (typeof ReadFailure)[keyof typeof ReadFailure];

export class ModbusReadError extends Error {
  override name = 'ModbusReadError';
  readonly failure: ReadFailure;
  /** The Modbus exception code, for `exception`. */
  readonly modbusCode: number | undefined;
  constructor(failure: ReadFailure, message: string, options?: ErrorOptions & { modbusCode?: number }) {
    super(message, options);
    this.failure = failure;
    this.modbusCode = options?.modbusCode;
  }
}
