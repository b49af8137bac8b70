#!/usr/bin/env python3
"""Serves a register image with pymodbus (Debian's python3-pymodbus 3.0): a Modbus peer not written
here, for acq-modbus' integration tests.

usage: pymodbus-server.py PORT IMAGE.json [tcp|rtu]

IMAGE.json maps unit ids to tables to PDU addresses to values:
  {"1": {"holding": {"0": 17}, "input": {"506": 65461}, "coil": {}, "discrete": {"3": 1}}}
Addresses not in the image answer exception 02, as a device without that register would.
"rtu" speaks RTU framing over the TCP socket, as a Waveshare-style RS485 gateway does.
"""
import asyncio
import json
import sys
import types

# pymodbus' server module imports pyserial for its serial servers even when only TCP is used;
# Debian only recommends python3-serial, so stand in for it when it is absent.
for name in ("serial", "serial_asyncio"):
    try:
        __import__(name)
    except ImportError:
        stub = types.ModuleType(name)
        stub.create_serial_connection = None
        stub.SerialException = type("SerialException", (Exception,), {})
        sys.modules[name] = stub

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock  # noqa: E402
from pymodbus.server import StartAsyncTcpServer  # noqa: E402
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer  # noqa: E402


def block(table):
    # An empty sparse block would refuse nothing in pymodbus 3.0; a dummy far address keeps it sparse.
    values = {int(k): int(v) for k, v in (table or {}).items()} or {65535: 0}
    return ModbusSparseDataBlock(values)


def main():
    port = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        image = json.load(f)
    framer = ModbusRtuFramer if len(sys.argv) > 3 and sys.argv[3] == "rtu" else ModbusSocketFramer
    slaves = {
        int(unit): ModbusSlaveContext(
            co=block(tables.get("coil")),
            di=block(tables.get("discrete")),
            ir=block(tables.get("input")),
            hr=block(tables.get("holding")),
            zero_mode=True,
        )
        for unit, tables in image.items()
    }
    context = ModbusServerContext(slaves=slaves, single=False)
    print(f"serving {len(slaves)} unit(s) on 127.0.0.1:{port}", flush=True)
    # Reuse the address so a test can stop the peer and start it again on the same port.
    asyncio.run(
        StartAsyncTcpServer(
            context=context, address=("127.0.0.1", port), framer=framer, allow_reuse_address=True
        )
    )


if __name__ == "__main__":
    main()
