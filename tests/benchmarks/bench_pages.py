"""Page benchmark (docs/design.md §7, issues 8 and 21): each page at about 100,000 and at 10
million observations — SQL queries, p50 and p95 latency and throughput with 8 concurrent
clients against gunicorn, p50 as a multiple of the floor's (a minimal view running one
indexed query through the same middleware, measured in the same run), p95 at 10 million over
p95 at 100,000, and what each page sends (HTML with its chart JSON, raw and gzipped).

Pages are served from the shared page cache (Redis at BENCH_REDIS_URL, flushed first) once
built: the steady-state figures are of served pages. "Built" is one request straight after
the cache is emptied, when the page is computed from the database (the median of three).

    python -m tests.benchmarks.scale_data --scale ics        # once (make bench-data)
    python -m tests.benchmarks.scale_data --scale national   # once (make bench-data)
    python -m tests.benchmarks.bench_pages [--requests 30] [--json PATH]

Goals: the query count does not change with the data; p95 ratio ≤ 1.3; every page's p50
within 5× the floor's; no page over 1 MB gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.http_driver import (
    BENCH_PASSWORD,
    BENCH_USER,
    REPO,
    drive,
    gunicorn,
    request,
    sign_in,
)
from tests.benchmarks.scale_data import SCALES, database_url

CLIENTS = 8
INDICATOR = "PRV01"  # annual proportion with IMD breakdowns
PAGES = {
    "Floor (one indexed query)": "/bench/floor/",
    "Framework summary": "/",
    "Domain page": "/domains/PRV/",
    "Indicator page": f"/indicators/{INDICATOR}/",
    "Compare areas (all 153 upper-tier LAs)": (
        f"/explore/compare/?indicator={INDICATOR}&area_type=local_authority&period=2024/25"
    ),
    "Area summary (BNSSG ICB)": "/explore/area/?area_type=icb&area=E54000039",
    "Inequalities (BNSSG, IMD quintiles)": (
        f"/explore/inequalities/?indicator={INDICATOR}&area_type=icb&area=E54000039"
        "&period=2024/25&breakdown=imd_quintile"
    ),
    "Trends (Bristol and its peers)": (
        f"/explore/trends/?indicator={INDICATOR}&area_type=local_authority"
        "&parent=E12000009&area=E06000023"  # within the South West (ONS region)
    ),
    "Map (all upper-tier LAs)": (
        f"/explore/map/?indicator={INDICATOR}&area_type=local_authority&period=2024/25"
    ),
    "Summary icons (200 indicators)": "/summary/",
    "Overview grid (South West LAs)": (
        "/explore/overview/?area_type=local_authority&parent=E12000009"
    ),
    "Funnel plot (all upper-tier LAs)": (
        f"/explore/funnel/?indicator={INDICATOR}&area_type=local_authority&period=2024/25"
    ),
}
# The map draws on a boundary file served as a static asset (cached by the browser).
MAP_BOUNDARIES = REPO / "explorer/static/explorer/boundaries/county_ua_2023.geojson"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
PAYLOAD_LIMIT = 1_000_000  # bytes, gzipped
FLOOR_MULTIPLE = 5
FLOOR = "Floor (one indexed query)"
SCALE_LABELS = {"ics": "100k", "national": "10M"}


def bench_user_ensure() -> None:
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username=BENCH_USER)
    user.set_password(BENCH_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="viewer"))


def cache_flush() -> None:
    """Empty the benchmark's cache database (every gunicorn worker shares it)."""
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def query_counts() -> dict[str, tuple[int, int]]:
    """Queries per page, in-process with the test client: built (after the cache is emptied)
    and served from the cache."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=BENCH_USER))
    counts = {}
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200, path  # the session and process warmed
        cache_flush()
        measured = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            measured.append(len(captured.captured_queries))
        counts[name] = tuple(measured)
    return counts


def payload(body: bytes) -> dict:
    """What a page sends: its HTML, the chart JSON within it, and the HTML gzipped."""
    charts = re.findall(rb'<script id="[^"]*" type="application/json">(.*?)</script>', body, re.S)
    return {
        "html_bytes": len(body), "chart_json_bytes": sum(len(chart) for chart in charts),
        "gzip_bytes": len(gzip.compress(body, compresslevel=6)),
    }  # fmt: skip


def built_ms(port: int, cookie: str, path: str, *, samples: int = 3) -> float:
    """One request straight after the cache is emptied: the page computed from the database."""
    times = []
    for _ in range(samples):
        cache_flush()
        begin = time.perf_counter()
        status, _, _ = request(port, path, cookie=cookie)
        times.append((time.perf_counter() - begin) * 1000)
        assert status == 200, (path, status)
    return statistics.median(times)


def measure_scale(scale: str, requests: int) -> dict:
    """One scale, in its own process (Django is set up for one database at a time)."""
    url = database_url(scale)
    os.environ.update(
        DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="tests.benchmarks.bench_settings",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
    )  # fmt: skip
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.db import connection

    from indicators.models import Observation

    observations = Observation.objects.count()
    bench_user_ensure()
    counts = query_counts()
    connection.close()
    results = {"observations": observations, "pages": {}}
    with tempfile.TemporaryDirectory() as folder:
        with gunicorn(url, workers=4, log=Path(folder) / "gunicorn.log") as port:
            cookie = sign_in(port)
            for name, path in PAGES.items():
                drive(port, cookie, [path], clients=CLIENTS, per_client=1)  # warm every worker
                built = built_ms(port, cookie, path)
                _, _, body = request(port, path, cookie=cookie)
                run = drive(port, cookie, [path], clients=CLIENTS, per_client=requests)
                assert not run.errors, run.errors[:5]
                results["pages"][name] = {
                    "queries_built": counts[name][0], "queries": counts[name][1],
                    "requests": run.count, "built_ms": round(built, 1),
                    "p50_ms": round(run.percentile(50), 1), "p95_ms": round(run.percentile(95), 1),
                    "throughput": round(run.throughput, 2), **payload(body),
                }  # fmt: skip
                print(f"  [{SCALE_LABELS[scale]}] {name}: {results['pages'][name]}", flush=True)
    floor = results["pages"][FLOOR]
    for page in results["pages"].values():
        page["fraction_of_floor"] = round(page["throughput"] / floor["throughput"], 3)
        page["p50_floor_multiple"] = round(page["p50_ms"] / floor["p50_ms"], 2)
    return results


def report(results: dict) -> str:
    small, large = results["ics"], results["national"]
    lines = [
        f"Observations: {small['observations']:,} and {large['observations']:,}; "
        f"{CLIENTS} concurrent clients against gunicorn (4 sync workers), Redis cache.",
        "",
        "| Page | Queries built / served | Built ms (100k / 10M) | p50 ms (100k / 10M) "
        "| p95 ms (100k / 10M) | p50 × floor (100k / 10M) | Throughput /s (100k / 10M) "
        "| p95 ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in PAGES:
        a, b = small["pages"][name], large["pages"][name]
        ratio = b["p95_ms"] / a["p95_ms"]
        multiple = b["p50_floor_multiple"]
        queries = f"{a['queries_built']} / {a['queries']}"
        if (b["queries_built"], b["queries"]) != (a["queries_built"], a["queries"]):
            queries += f" (10M: {b['queries_built']} / {b['queries']})"
        lines.append(
            f"| {name} | {queries} | {a['built_ms']:.0f} / {b['built_ms']:.0f} "
            f"| {a['p50_ms']:.0f} / {b['p50_ms']:.0f} | {a['p95_ms']:.0f} / {b['p95_ms']:.0f} "
            f"| {a['p50_floor_multiple']:.1f} / {multiple:.1f}"
            f"{'' if name == FLOOR or multiple <= FLOOR_MULTIPLE else ' (miss)'} "
            f"| {a['throughput']:.1f} / {b['throughput']:.1f} "
            f"| {ratio:.2f}{'' if ratio <= 1.3 else ' (miss)'} |"
        )
    lines += [
        "",
        "What each page sends at 10M (HTML with its chart JSON):",
        "",
        "| Page | HTML KB | of which chart JSON KB | gzipped KB |",
        "|---|---|---|---|",
    ]
    for name in PAGES:
        page = large["pages"][name]
        over = " (over 1 MB)" if page["gzip_bytes"] > PAYLOAD_LIMIT else ""
        lines.append(
            f"| {name} | {page['html_bytes'] / 1024:.0f} | {page['chart_json_bytes'] / 1024:.0f} "
            f"| {page['gzip_bytes'] / 1024:.0f}{over} |"
        )
    boundaries = MAP_BOUNDARIES.read_bytes()
    lines.append(
        f"\nThe map's boundary file, a static asset the browser caches: "
        f"{len(boundaries) / 1024:.0f} KB, {len(gzip.compress(boundaries)) / 1024:.0f} KB gzipped."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="per client per page")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--scale", choices=sorted(SCALES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale:
        figures = measure_scale(args.scale, args.requests)
        args.json.write_text(json.dumps(figures))
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for scale in ("ics", "national"):
            out = Path(folder) / f"{scale}.json"
            print(f"Measuring {SCALE_LABELS[scale]} ({database_url(scale)})", flush=True)
            subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_pages", "--scale", scale,
                 "--requests", str(args.requests), "--json", str(out)],
                cwd=REPO, check=True,
            )  # fmt: skip
            results[scale] = json.loads(out.read_text())
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
