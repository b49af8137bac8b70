// Modbus exception codes (protocols.md §7), shared by every side that answers Modbus requests:
// the simulator's server and acq-modbus' proxy.
export const ModbusExceptionCode = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  serverDeviceFailure: 0x04,
  gatewayPathUnavailable: 0x0a,
  gatewayTargetFailedToRespond: 0x0b,
} as const;
export type ModbusExceptionCode = (typeof ModbusExceptionCode)[keyof typeof ModbusExceptionCode];

/** Thrown into a modbus-serial server's vector: it answers with `modbusErrorCode` as the exception. */
export class ModbusException extends Error {
  override name = 'ModbusException';
  readonly modbusErrorCode: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.modbusErrorCode = code;
  }
}
