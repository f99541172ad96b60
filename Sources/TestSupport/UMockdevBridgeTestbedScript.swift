/// The umockdev test bed script ``UMockdevBridgeTestbed`` runs; written to a temporary file at launch so that no
/// resource bundle is needed.
enum UMockdevBridgeTestbedScript {
    static let source = #"""
        #!/usr/bin/python3
        """A umockdev test bed for the snbridge end-to-end tests, driven over stdin with one JSON command per line.

        Run under umockdev-wrapper: the bed's own libudev calls (sending uevents) must see the mocked sysfs. Each command
        is answered with one JSON line {"testbed": "ok"|"error", "op": ...} on stdout.

        An emulated tty ("N: ttyUSB0" in a description) is a pty: snbridge opens its slave through the bed's /dev, and the
        bed holds the master. "relay" joins that master to a fresh pty whose slave appears at a path outside the bed, where
        a simulated board (not preloaded) opens it, so bytes flow board <-> relay <-> emulated tty <-> snbridge.

        Commands:
          {"op": "add", "description": "..."}              add devices (parents first); umockdev sends "add" uevents
          {"op": "relay", "devnode": "/dev/ttyUSB0", "link": "/tmp/x/board"}   start relaying, board end at link
          {"op": "unrelay", "devnode": "/dev/ttyUSB0"}     stop relaying: the board end hangs up, as on an unplug
          {"op": "remove", "syspaths": [leaf, ..., root]}  "remove" uevents (children first), then remove from the bed
          {"op": "quit"} or end of input                   stop every relay and exit (the bed directory is deleted)
        """
        import errno
        import json
        import os
        import select
        import sys
        import threading
        import tty

        import gi

        gi.require_version("UMockdev", "1.0")
        from gi.repository import UMockdev  # noqa: E402


        def reply(status, **fields):
            sys.stdout.write(json.dumps(dict(testbed=status, **fields)) + "\n")
            sys.stdout.flush()


        class Relay:
            """Copies bytes both ways between the emulated tty's master and the board's pty master."""

            def __init__(self, device_master, link):
                self.device_master = device_master
                self.board_master, board_slave = os.openpty()
                tty.setraw(board_slave)
                self.board_slave = board_slave
                if os.path.lexists(link):
                    os.unlink(link)
                os.symlink(os.ttyname(board_slave), link)
                self.link = link
                self.stop_read, self.stop_write = os.pipe()
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()

            def run(self):
                ends = {self.device_master: self.board_master, self.board_master: self.device_master}
                poller = select.poll()
                for fd in ends:
                    poller.register(fd, select.POLLIN)
                poller.register(self.stop_read, select.POLLIN)
                while True:
                    # A hung-up end (nobody has its slave open right now) is polled again a little later, not spun on.
                    events = poller.poll(50)
                    if any(fd == self.stop_read for fd, _ in events):
                        return
                    for fd, event in events:
                        if not event & select.POLLIN:
                            continue
                        try:
                            data = os.read(fd, 4096)
                        except OSError as error:
                            if error.errno in (errno.EIO, errno.EAGAIN):
                                continue
                            return
                        try:
                            os.write(ends[fd], data)
                        except OSError:
                            pass
                    if all(not event & select.POLLIN for _, event in events) and events:
                        select.select([], [], [], 0.05)

            def stop(self):
                os.write(self.stop_write, b"x")
                self.thread.join(timeout=5)
                for fd in (self.board_master, self.board_slave, self.stop_read, self.stop_write):
                    os.close(fd)
                if os.path.lexists(self.link):
                    os.unlink(self.link)


        def main():
            testbed = UMockdev.Testbed.new()
            relays = {}
            reply("ok", op="ready", root=testbed.get_root_dir())
            for line in sys.stdin:
                if not line.strip():
                    continue
                command = json.loads(line)
                op = command.get("op")
                try:
                    if op == "add":
                        testbed.add_from_string(command["description"])
                    elif op == "relay":
                        master = testbed.get_dev_fd(command["devnode"])
                        if master < 0:
                            raise RuntimeError("no emulated tty at " + command["devnode"])
                        relays[command["devnode"]] = Relay(master, command["link"])
                    elif op == "unrelay":
                        relays.pop(command["devnode"]).stop()
                    elif op == "remove":
                        for syspath in command["syspaths"]:
                            testbed.uevent(syspath, "remove")
                        for syspath in command["syspaths"]:
                            testbed.remove_device(syspath)
                    elif op == "quit":
                        break
                    else:
                        reply("error", op=op, message="unknown op")
                        continue
                except Exception as error:  # reported to the test rather than dying with a traceback
                    reply("error", op=op, message=str(error))
                    continue
                reply("ok", op=op)
            for relay in relays.values():
                relay.stop()
            del testbed


        if __name__ == "__main__":
            main()
        """#
}
