#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (--remote-debugging-pipe, so no extra libraries) to watch
snbridge's status page update live.

  status_page_browser.py URL OUTDIR DEVICE STATES [WIDTH HEIGHT]      (STATES: one or more, like lost|error)

Loads URL, marks the window (a reload would lose the mark), prints `ready <updates>` once every row is rendered,
takes OUTDIR/status-page.png, then waits until the row of DEVICE shows one of STATES in its state cell, checks the mark is
still there, saves the DOM to OUTDIR/after.html and prints `changed <updates>`. Errors go to stderr, exit 1.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="snbridge-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4 (kept open through the exec by pass_fds).
        def child_fds():
            # Out of the way first, so that a pipe end already numbered 3 or 4 is not overwritten.
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            preexec_fn=child_fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}; body: {self.evaluate('document.body && document.body.innerText')}")

    def close(self):
        self.process.kill()
        self.process.wait()


def main():
    url, outdir, device, state = sys.argv[1:5]
    width, height = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) > 6 else (1100, 720)
    browser = Browser(width, height)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = browser.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        browser.session = attached["sessionId"]
        browser.send("Page.enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": url})
        browser.wait_for("document.readyState === 'complete' && document.getElementById('live').textContent === 'live'",
                         20, "the page to load and its event stream to open")
        browser.evaluate("window.__snbridgeMark = 'no-reload'; true")
        updates = browser.wait_for("Number(document.body.getAttribute('data-updates')) > 0 && document.body.getAttribute('data-updates')",
                                   20, "the first live refresh")
        png = browser.send("Page.captureScreenshot", {"format": "png"})
        with open(os.path.join(outdir, "status-page.png"), "wb") as file:
            file.write(base64.b64decode(png["data"]))
        print(f"ready {updates}", flush=True)
        states = json.dumps(state.split("|"))
        cell = (f"(function(){{var r=document.querySelector('tr[data-device=\"{device}\"]');"
                f"return !!r && {states}.some(function(s){{return r.children[1].textContent.indexOf(s) === 0;}});}})()")
        browser.wait_for(cell, 60, f"{device} to show {state}")
        if browser.evaluate("window.__snbridgeMark") != "no-reload":
            raise RuntimeError("the page was reloaded")
        html = browser.evaluate("document.documentElement.outerHTML")
        with open(os.path.join(outdir, "after.html"), "w") as file:
            file.write(html)
        final = browser.evaluate("document.body.getAttribute('data-updates')")
        print(f"changed {final}", flush=True)
    except Exception as error:  # noqa: BLE001 - the test reads stderr
        print(f"error {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
