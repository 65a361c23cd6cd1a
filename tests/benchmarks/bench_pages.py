"""Page benchmark (docs/design.md §7, issue 8): each page at about 100,000 and at 10 million
observations — SQL queries, p50 and p95 latency and throughput with 8 concurrent clients
against gunicorn, throughput as a fraction of the floor (a minimal view running one indexed
query, measured in the same run), and p95 at 10 million over p95 at 100,000.

    python -m tests.benchmarks.scale_data --scale ics        # once (make bench-data)
    python -m tests.benchmarks.scale_data --scale national   # once (make bench-data)
    python -m tests.benchmarks.bench_pages [--requests 12] [--json PATH]

Goals: the query count does not change with the data; p95 ratio ≤ 1.3.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.http_driver import (
    BENCH_PASSWORD,
    BENCH_USER,
    REPO,
    drive,
    gunicorn,
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
}
FLOOR = "Floor (one indexed query)"
SCALE_LABELS = {"ics": "100k", "national": "10M"}


def bench_user_ensure() -> None:
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username=BENCH_USER)
    user.set_password(BENCH_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="viewer"))


def query_counts() -> dict[str, int]:
    """Queries per page, in-process with the test client (after one warm-up request)."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=BENCH_USER))
    counts = {}
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def measure_scale(scale: str, requests: int) -> dict:
    """One scale, in its own process (Django is set up for one database at a time)."""
    url = database_url(scale)
    os.environ.update(
        DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="tests.benchmarks.bench_settings",
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
                run = drive(port, cookie, [path], clients=CLIENTS, per_client=requests)
                assert not run.errors, run.errors[:5]
                results["pages"][name] = {
                    "queries": counts[name], "requests": run.count,
                    "p50_ms": round(run.percentile(50), 1), "p95_ms": round(run.percentile(95), 1),
                    "throughput": round(run.throughput, 2),
                }  # fmt: skip
                print(f"  [{SCALE_LABELS[scale]}] {name}: {results['pages'][name]}", flush=True)
    floor = results["pages"][FLOOR]["throughput"]
    for page in results["pages"].values():
        page["fraction_of_floor"] = round(page["throughput"] / floor, 3)
    return results


def report(results: dict) -> str:
    small, large = results["ics"], results["national"]
    lines = [
        f"Observations: {small['observations']:,} and {large['observations']:,}; "
        f"{CLIENTS} concurrent clients against gunicorn (4 sync workers).",
        "",
        "| Page | Queries (100k / 10M) | p50 ms (100k / 10M) | p95 ms (100k / 10M) "
        "| Throughput /s (100k / 10M) | Fraction of floor (100k / 10M) | p95 ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in PAGES:
        a, b = small["pages"][name], large["pages"][name]
        ratio = b["p95_ms"] / a["p95_ms"]
        lines.append(
            f"| {name} | {a['queries']} / {b['queries']} | {a['p50_ms']:.0f} / {b['p50_ms']:.0f} "
            f"| {a['p95_ms']:.0f} / {b['p95_ms']:.0f} | {a['throughput']:.1f} / "
            f"{b['throughput']:.1f} | {a['fraction_of_floor']:.2f} / "
            f"{b['fraction_of_floor']:.2f} | {ratio:.2f}{'' if ratio <= 1.3 else ' (miss)'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=12, help="per client per page")
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
