"""Board pack benchmark (issue 19): how long the whole-framework pack takes to build, for the
demo (44 indicators) and for the 200-indicator scale set, and how long a pack already built
takes to download.

    python -m tests.benchmarks.scale_data --scale ics   # once (make bench-data): 200 indicators
    python -m tests.benchmarks.bench_boardpack [--runs 3] [--downloads 20] [--json PATH]

Both need PostgreSQL. The demo is loaded into a database of its own (BENCH_DATABASE_URL with
``_boardpack_demo`` appended) by ``manage.py load_demo``, through the real pipeline; the scale
set is copied from the page benchmark's ``ics`` database (so that one is left as it was) and
given the demo's system, whose headline area is the one the scale data covers. Both copies
are dropped at the end.

- **Build**: the background task's work (``reporting.packs.board_pack_build``), in-process,
  for the protected audience at the latest data, ``--runs`` times from scratch; median.
- **Cached download**: ``GET /board-pack.pdf`` through gunicorn once the pack is built, the
  old URL, which works out the data version, finds the pack and streams the stored file;
  median and slowest of ``--downloads`` requests, the whole body read. Goal: under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from tests.benchmarks.http_driver import REPO, gunicorn, request, sign_in
from tests.benchmarks.scale_data import (
    DEFAULT_BASE,
    connect_admin,
    database_url,
    recreate_database,
)

GOAL_DOWNLOAD_SECONDS = 1.0


def bench_url(name: str) -> str:
    return f"{os.environ.get('BENCH_DATABASE_URL', DEFAULT_BASE)}_boardpack_{name}"


def manage(url: str, *args: str, debug: bool = False, **extra_env: str) -> None:
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "true" if debug else "false",
                        "SECRET_KEY": "bench-only"} | extra_env  # fmt: skip
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def demo_prepare() -> str:
    """A fresh database with the demo loaded through the pipeline (about a minute)."""
    url = bench_url("demo")
    recreate_database(url)
    manage(url, "migrate", "--noinput")
    # The demo's extracts are applied at once, as load_demo means them to be, whether or
    # not this deployment holds extracts for an analyst's review first.
    manage(url, "load_demo", debug=True, INGEST_AUTO_PUBLISH="true")
    return url


def scale_prepare() -> str:
    """A copy of the page benchmark's 200-indicator database, with the demo's system."""
    source, url = database_url("ics"), bench_url("scale")
    with connect_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [_name(source)]
        ).fetchone()
        if not exists:
            raise SystemExit(f"{source} is missing: run `make bench-data` first")
        admin.execute(f'CREATE DATABASE "{_name(url)}" TEMPLATE "{_name(source)}"')
    manage(url, "migrate", "--noinput")
    manage(url, "import_system", str(REPO / "fixtures/demo_system.toml"))
    return url


def _name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def measure(url: str, runs: int, downloads: int) -> dict:
    """One database, in its own process (Django is set up for one database at a time)."""
    os.environ.update(
        DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="tests.benchmarks.bench_settings",
    )  # fmt: skip
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.db import connection

    from indicators.models import Indicator, Status
    from reporting import packs
    from reporting.models import BoardPack
    from tests.benchmarks.bench_pages import bench_user_ensure

    scope = packs.PackScope(domain_code="", period_label="", protected=True)
    seconds = []
    for _ in range(runs):
        BoardPack.objects.all().delete()
        pack, _ = packs.board_pack_request(scope=scope)
        started = time.perf_counter()
        pack = packs.board_pack_build(pack_id=pack.pk)
        seconds.append(time.perf_counter() - started)
    figures = {
        "indicators": Indicator.objects.filter(status=Status.PUBLISHED).count(),
        "pages": pack.pages, "megabytes": round(pack.file.size / 1e6, 2),
        "build_seconds": [round(value, 2) for value in seconds],
        "build_median": round(statistics.median(seconds), 2),
    }  # fmt: skip
    bench_user_ensure()
    connection.close()
    with tempfile.TemporaryDirectory() as folder:
        with gunicorn(url, workers=2, log=Path(folder) / "gunicorn.log") as port:
            cookie = sign_in(port)
            times = []
            for _ in range(downloads):
                started = time.perf_counter()
                status, _, body = request(port, "/board-pack.pdf", cookie=cookie)
                times.append(time.perf_counter() - started)
                assert status == 200 and body.startswith(b"%PDF"), status
    figures |= {
        "download_median_ms": round(statistics.median(times) * 1000, 1),
        "download_max_ms": round(max(times) * 1000, 1),
    }
    return figures


def report(results: dict) -> str:
    lines = [
        "| Framework | Indicators | Pages | PDF MB | Build, median s (runs) "
        "| Cached download, median / slowest ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, figures in results.items():
        slowest = figures["download_max_ms"]
        lines.append(
            f"| {name} | {figures['indicators']} | {figures['pages']} | {figures['megabytes']} "
            f"| {figures['build_median']} ({', '.join(map(str, figures['build_seconds']))}) "
            f"| {figures['download_median_ms']:.0f} / {slowest:.0f}"
            f"{'' if slowest < GOAL_DOWNLOAD_SECONDS * 1000 else ' (over the 1 s goal)'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds per framework")
    parser.add_argument("--downloads", type=int, default=20, help="cached downloads timed")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # a database URL: child process
    args = parser.parse_args()
    if args.measure:
        figures = measure(args.measure, args.runs, args.downloads)
        args.json.write_text(json.dumps(figures))
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MEDIA_ROOT"] = str(Path(folder) / "media")  # the packs, for this run only
        prepared = []
        try:
            for name, prepare in [("Demo", demo_prepare), ("Scale set", scale_prepare)]:
                print(f"Preparing the {name.lower()} database…", flush=True)
                url = prepare()
                prepared.append(url)
                out = Path(folder) / "figures.json"
                subprocess.run(
                    [sys.executable, "-m", "tests.benchmarks.bench_boardpack", "--measure", url,
                     "--runs", str(args.runs), "--downloads", str(args.downloads),
                     "--json", str(out)],
                    cwd=REPO, check=True,
                )  # fmt: skip
                results[name] = json.loads(out.read_text())
                print(f"  {name}: {results[name]}", flush=True)
        finally:
            for url in prepared:
                with connect_admin(url) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
