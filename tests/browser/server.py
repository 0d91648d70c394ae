"""Start the `make demo` server (python -m microcredential_xblock.demo) on a free port with its own data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "microcredential.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoServer:
    """The demo as a child process; ``stop()`` ends only that process. Output goes to ``var/server.log``."""

    def __init__(self, var: Path, port: int | None = None):
        self.var = var
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> DemoServer:
        self.var.mkdir(parents=True, exist_ok=True)
        self.log = (self.var / "server.log").open("ab")
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "microcredential_xblock.demo", "--port", str(self.port), "--var", str(self.var)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Ready when GET / lists the sample scenario; the first answer must not be an error (see the notes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"demo server exited with {self.process.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=10) as response:  # noqa: S310 - local
                    body = response.read().decode()
            except urllib.error.HTTPError as exc:
                self.stop()
                raise RuntimeError(f"first GET / answered {exc.code}: {self.output()}") from exc
            except OSError:
                time.sleep(0.3)
                continue
            if f"/scenario/{SCENARIO}/" not in body:
                self.stop()
                raise RuntimeError(f"scenario {SCENARIO} is not listed (broken scenario?): {self.output()}")
            return
        self.stop()
        raise RuntimeError(f"demo server not ready after {timeout} s: {self.output()}")

    def output(self) -> str:
        path = self.var / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:  # noqa: S310 - local
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
