#!/usr/bin/python3
"""A umockdev test bed the DeviceDiscovery tests drive over stdin.

Run under umockdev-wrapper (the test bed's own libudev calls, e.g. for sending uevents, must see the mocked sysfs).
Reads one JSON command per line on stdin and answers each with one JSON line {"testbed": "ok"|"error", ...} on
stdout. The probe it starts writes its own JSON lines to the same stdout; every line is written whole, so the reader
can tell them apart by the "testbed" key.

Commands:
  {"op": "add", "description": "<umockdev description, parents first>"}  adds the devices; umockdev sends "add" uevents
  {"op": "remove", "syspaths": [leaf, ..., root]}  sends "remove" for each (as the kernel does, children first), then
      removes them from the bed; umockdev 0.17's remove_device() sends no event of its own
  {"op": "start", "argv": [...]}  starts the program under test in the bed (UMOCKDEV_DIR is passed explicitly)
  {"op": "stop"}  sends it SIGTERM and waits for it to exit; the answer carries its "returncode"
  {"op": "quit"} or end of input  terminates that program and exits
"""
import json
import os
import signal
import subprocess
import sys

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def reply(status, **fields):
    sys.stdout.write(json.dumps(dict(testbed=status, **fields)) + "\n")
    sys.stdout.flush()


def main():
    testbed = UMockdev.Testbed.new()
    child = None
    reply("ok", op="ready", root=testbed.get_root_dir())
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        op = command.get("op")
        try:
            if op == "add":
                testbed.add_from_string(command["description"])
            elif op == "remove":
                for syspath in command["syspaths"]:
                    testbed.uevent(syspath, "remove")
                for syspath in command["syspaths"]:
                    testbed.remove_device(syspath)
            elif op == "start":
                # The child writes to our stdout directly, so its lines arrive in the order it writes them.
                environment = dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir())
                child = subprocess.Popen(command["argv"], env=environment, stdin=subprocess.DEVNULL)
            elif op == "stop":
                child.send_signal(signal.SIGTERM)
                returncode = child.wait(timeout=10)
                child = None
                reply("ok", op=op, returncode=returncode)
                continue
            elif op == "quit":
                break
            else:
                reply("error", op=op, message="unknown op")
                continue
        except Exception as error:  # report to the test instead of dying with a traceback it has to dig out
            reply("error", op=op, message=str(error))
            continue
        reply("ok", op=op)
    if child is not None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    # Dropping the last reference finalizes the bed, which deletes its directory.
    root = testbed.get_root_dir()
    del testbed
    if os.path.exists(root):
        reply("error", op="quit", message="test bed directory left behind: " + root)


if __name__ == "__main__":
    main()
