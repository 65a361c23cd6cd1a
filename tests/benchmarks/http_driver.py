"""A small load driver for the page benchmark and the load test: gunicorn on loopback,
one signed-in session shared by client threads, bounded loops, latency percentiles.
Python threads are enough here: each client waits on the server almost all the time."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.private_services import stop_process

REPO = Path(__file__).resolve().parents[2]
BENCH_USER = "bench_viewer"
BENCH_PASSWORD = "bench-viewer-password-1"  # noqa: S105 - a throwaway benchmark database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int, log: Path):
    """The app under gunicorn with the benchmark URLconf (the floor view), DEBUG off."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"} | {
        "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": "bench-only",
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "outcomes_site.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
             "--backlog", "2048", "--no-control-socket"],
            cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log}")
                time.sleep(0.2)
            yield port
        finally:
            stop_process(process, timeout=30)


def request(port: int, path: str, *, cookie: str = "", method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        all_headers = {"Cookie": cookie, "Host": "127.0.0.1"} | (headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie") or "", data
    finally:
        connection.close()


def sign_in(port: int) -> str:
    """Log in once through the login form; every client reuses the session cookie."""
    status, set_cookie, page = request(port, "/accounts/login/")
    assert status == 200, status
    csrf = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode(
        {"username": BENCH_USER, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
    )
    status, set_cookie, _ = request(
        port, "/accounts/login/", cookie=f"csrftoken={csrf}", method="POST", body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{port}/accounts/login/"},
    )  # fmt: skip
    assert status == 302, f"login failed ({status})"
    session = re.search(r"sessionid=([^;]+)", set_cookie).group(1)
    return f"sessionid={session}; csrftoken={csrf}"


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) * 1000 if self.latencies else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def drive(port: int, cookie: str, paths: list[str], *, clients: int, per_client: int | None = None,
          seconds: float | None = None, max_requests: int = 100_000) -> Run:  # fmt: skip
    """``clients`` threads request ``paths`` in turn until each has made ``per_client``
    requests or ``seconds`` have passed; never more than ``max_requests`` in all."""
    run, lock = Run(), threading.Lock()
    issued = [0]
    started = time.perf_counter()
    deadline = started + seconds if seconds else None

    def client(number: int):
        made = 0
        while True:
            if per_client is not None and made >= per_client:
                return
            if deadline is not None and time.perf_counter() >= deadline:
                return
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            path = paths[(number + made) % len(paths)]
            made += 1
            begin = time.perf_counter()
            try:
                status, _, _ = request(port, path, cookie=cookie)
            except Exception as error:  # a refused or dropped connection is an error to count
                with lock:
                    run.errors.append(f"{path}: {type(error).__name__}")
                continue
            elapsed = time.perf_counter() - begin
            with lock:
                if status == 200:
                    run.latencies.append(elapsed)
                else:
                    run.errors.append(f"{path}: HTTP {status}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run
