"""Private Redis and PostgreSQL servers for fault tests, on loopback and free ports.

The shared servers other work depends on are never stopped: a test that needs to stop Redis
or restart PostgreSQL starts its own, and stops it (by its own process id) when done.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("OUTCOMES_PG_BIN", "/usr/lib/postgresql/15/bin"))


def stop_process(process: subprocess.Popen, *, timeout: float) -> None:
    """Ask a child process to stop, and kill it if it has not within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 20, open_: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            is_open = probe.connect_ex(("127.0.0.1", port)) == 0
        if is_open == open_:
            return
        time.sleep(0.1)
    state = "open" if open_ else "closed"
    raise AssertionError(f"port {port} did not become {state} within {timeout} s")


class PrivateRedis:
    """A redis-server on a free loopback port, without persistence; start() and stop() at will."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=10)
        self.process = None
        wait_for_port(self.port, open_=False)


class PrivatePostgreSQL:
    """A throwaway PostgreSQL cluster (initdb) on a free loopback port, owned by the postgres
    user when we run as root. Durability is off: it only has to survive a clean restart."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="outcomes-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        if self.as_postgres:
            line = " ".join(f"'{part}'" for part in command)
            command = ("su", "postgres", "-c", line)
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, user="postgres")
            self.folder.chmod(0o700)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.folder / "log"), "start")  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
