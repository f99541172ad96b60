#!/usr/bin/env python3
"""A raw MQTT-SN discovery client for MulticastDiscoveryEndToEndTests, run inside a network namespace.

It joins GROUP:PORT on the interface with address IFADDR, sends SEARCHGW (radius 1) to the group, and prints one
line per MQTT-SN datagram it reads:

    received type=0x02 from=10.231.0.1:1883 to=225.1.1.1 hex=030201

With --probe it also sends PINGREQ (no session) to the source of the first GWINFO and prints the answer as
"probe-answer ...": the gateway must be reachable where GWINFO came from. It exits 0 once every message type
named in --expect was read (and the probe answered), 1 when --timeout passes first.
"""
import argparse
import select
import socket
import struct
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--group", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--interface-address", required=True)
parser.add_argument("--expect", default="02", help="comma-separated message types in hex, e.g. 02,00")
parser.add_argument("--search", action="store_true", help="send SEARCHGW to the group")
parser.add_argument("--probe", action="store_true", help="send PINGREQ to the GWINFO source")
parser.add_argument("--timeout", type=float, default=10)
options = parser.parse_args()
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux's value; older Pythons do not name it

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("0.0.0.0", options.port))
membership = socket.inet_aton(options.group) + socket.inet_aton(options.interface_address)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(options.interface_address))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.bind((options.interface_address, 0))
print("ready", flush=True)

if options.search:
    sock.sendto(bytes([0x03, 0x01, 0x01]), (options.group, options.port))

expected = {int(t, 16) for t in options.expect.split(",") if t}
seen = set()
probed = not options.probe
deadline = time.monotonic() + options.timeout
while time.monotonic() < deadline and not (expected <= seen and probed):
    readable, _, _ = select.select([sock, probe], [], [], max(0.0, deadline - time.monotonic()))
    for ready in readable:
        data, ancillary, _, source = ready.recvmsg(2048, socket.CMSG_SPACE(12))
        destination = "?"
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(value) >= 12:
                destination = socket.inet_ntoa(value[8:12])
        if len(data) < 2 or data[0] != len(data):
            continue
        line = "type=0x%02x from=%s:%d to=%s hex=%s" % (data[1], source[0], source[1], destination, data.hex())
        if ready is probe:
            print("probe-answer " + line, flush=True)
            probed = True
            continue
        print("received " + line, flush=True)
        seen.add(data[1])
        if data[1] == 0x02 and options.probe and not probed:
            probe.sendto(bytes([0x02, 0x16]), source)
sys.exit(0 if expected <= seen and probed else 1)
