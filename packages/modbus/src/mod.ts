// @heatstream/modbus: the Modbus I/O that acq-modbus and the simulators share — exception codes, the
// read-only service vector and the read-only TCP server. Device knowledge stays in
// @heatstream/devices, which knows nothing of sockets.
export { ModbusException, ModbusExceptionCode } from './exceptions.ts';
export { readOnlyVector, type BlockRead, type ReadOnlyVector } from './vector.ts';
export { ReadOnlyModbusServer, type ReadOnlyServerOptions } from './server.ts';
