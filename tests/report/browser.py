"""Headless Chromium driven over the DevTools protocol, for the HTML report's tests.

One browser for all the pages: starting Chromium takes a second or two, loading a report a few
milliseconds. The protocol runs over a pair of pipes (``--remote-debugging-pipe``: the browser
reads commands on fd 3 and writes answers and events on fd 4, each a JSON text ended by a NUL),
so no port is opened. Scripts evaluated this way run beside the page, not in it: the report
stays exactly as written, its Content-Security-Policy included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
               if shutil.which(name)), None)
# Copies first (the lowest free fds, so the read end's copy is never 4 over the write end's), then
# to 3 and 4, inheritable even where a copy already was 3 or 4.
TRAMPOLINE = ("import os, sys; r, w = os.dup(int(sys.argv[1])), os.dup(int(sys.argv[2])); os.dup2(r, 3); "
              "os.dup2(w, 4); os.set_inheritable(3, True); os.set_inheritable(4, True); "
              "os.execv(sys.argv[3], sys.argv[3:])")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")


class Browser:
    def __init__(self, width: int, height: int) -> None:
        self._profile = tempfile.TemporaryDirectory()
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        # a small Python puts the pipe ends where Chromium looks for them, then becomes Chromium (a
        # shell cannot: dash redirects only fds 0-9)
        self._process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(commands_read), str(answers_write), BINARY, *FLAGS,
             f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(commands_read, answers_write), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._id = 0
        self._session = None
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Page.enable")
        self._call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                   mobile=False)

    def _next(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(text)

    def _call(self, method: str, until: str | None = None, **params) -> dict:
        """Send a command; its result, once it (and the event ``until``, if given) has come."""
        self._id += 1
        command = {"id": self._id, "method": method, "params": params}
        if self._session is not None:
            command["sessionId"] = self._session
        os.write(self._commands, json.dumps(command).encode() + b"\0")
        result, waited = None, until is None
        while result is None or not waited:
            message = self._next()
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result = message["result"]
            elif message.get("method") == until:
                waited = True
        return result

    def open(self, page: Path) -> None:
        self._call("Page.navigate", until="Page.loadEventFired", url=page.resolve().as_uri())

    def evaluate(self, expression: str):
        answer = self._call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(answer["exceptionDetails"])
        return answer["result"]["value"]

    def close(self) -> None:
        os.close(self._commands)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._answers)
        self._profile.cleanup()
