"""Load test (issues 8 and 21): 50 concurrent clients for 60 seconds across the benchmarked
pages against gunicorn, PostgreSQL and the shared Redis cache (BENCH_REDIS_URL, emptied first,
so the run includes building each page once), on loopback. Reports throughput, latency
percentiles and errors; exits non-zero on any error. Bounded in time (--seconds) and in
count (--max-requests).

    python -m tests.benchmarks.bench_load [--scale national] [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
from pathlib import Path

from tests.benchmarks.bench_pages import (
    DEFAULT_REDIS,
    FLOOR,
    PAGES,
    bench_user_ensure,
    cache_flush,
)
from tests.benchmarks.http_driver import drive, gunicorn, sign_in
from tests.benchmarks.scale_data import SCALES, database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = database_url(args.scale)
    os.environ.update(DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-only",
                      DJANGO_SETTINGS_MODULE="tests.benchmarks.bench_settings",
                      REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))  # fmt: skip
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.db import connection

    from indicators.models import Observation

    observations = Observation.objects.count()
    bench_user_ensure()
    connection.close()
    cache_flush()
    paths = [path for name, path in PAGES.items() if name != FLOOR]
    with tempfile.TemporaryDirectory() as folder:
        with gunicorn(url, workers=args.workers, log=Path(folder) / "gunicorn.log") as port:
            cookie = sign_in(port)
            run = drive(port, cookie, paths, clients=args.clients, seconds=args.seconds,
                        max_requests=args.max_requests)  # fmt: skip
    figures = {
        "observations": observations, "clients": args.clients, "seconds": round(run.seconds, 1),
        "gunicorn_workers": args.workers, "requests": run.count, "errors": len(run.errors),
        "throughput": round(run.throughput, 2),
        **{f"p{q}_ms": round(run.percentile(q)) for q in (50, 90, 95, 99)},
        "max_ms": round(run.percentile(100)),
    }  # fmt: skip
    print(f"Load test: {args.clients} clients for {run.seconds:.0f} s against gunicorn "
          f"({args.workers} workers), {observations:,} observations, {len(paths)} pages")  # fmt: skip
    print(f"  {run.count:,} requests, {len(run.errors)} errors, {run.throughput:.1f} requests/s")
    print("  latency ms: " + ", ".join(
        f"p{q} {figures[f'p{q}_ms']}" for q in (50, 90, 95, 99)) + f", max {figures['max_ms']}")  # fmt: skip
    if run.errors:
        print("  errors:", dict(collections.Counter(run.errors).most_common(10)))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if run.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
