#!/usr/bin/env python3
"""A serial port for tests: opens a pseudo-terminal pair, prints the device path of its slave side,
and bridges the master side to a TCP peer (pymodbus speaking RTU framing), so a client that opens
the path as a serial port talks RTU to pymodbus.

usage: pty-bridge.py TCP_PORT
"""
import os
import select
import socket
import sys
import tty


def main():
    master, slave = os.openpty()
    tty.setraw(slave)
    print(os.ttyname(slave), flush=True)
    peer = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    while True:
        readable, _, _ = select.select([master, peer], [], [])
        if master in readable:
            data = os.read(master, 4096)
            if not data:
                break
            peer.sendall(data)
        if peer in readable:
            data = peer.recv(4096)
            if not data:
                break
            os.write(master, data)


if __name__ == "__main__":
    main()
