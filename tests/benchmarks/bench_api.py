"""API benchmark (issue 21): /api/data/ pages at two sizes of the same database, and the peak
memory of a streamed CSV download of every row.

    python -m tests.benchmarks.bench_api [--sizes 100000,1000000] [--repeat 5]

It builds its own database (``BENCH_DATABASE_URL`` with ``_api`` appended): the demo
framework's published indicators, England's geography and ten financial years, then
observations inserted by PostgreSQL itself (indicator × period × area × sex) up to each
size. At each size it times, as a viewer (disclosure applied, as for most users) through
Django's test client:

- page 1 of ``/api/data/`` (100 rows), page 2 by its cursor, and pages by cursors in the
  middle and near the end, which the keyset seeks in the unique index; and the same for
  LSOAs only (a filter that joins the areas);
- what numbered pages cost before (Django's Paginator): counting every row, and an OFFSET
  page as deep as the cursor's.

Then, in a fresh process, it downloads ``format=csv`` of every row and reports the process's
resident memory at the first chunk and at its peak: what streaming holds.

Goal: page 1 and a deep page take the same time at every size; memory does not grow with
the rows downloaded.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from tests.benchmarks.scale_data import (
    DEFAULT_BASE,
    REPO,
    YEARS,
    django_setup,
    geography_build,
    recreate_database,
)


def database_build(url: str) -> None:
    recreate_database(url)
    django_setup(url)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from indicators.models import Period
    from indicators.periods import parse_period_label

    call_command("migrate", verbosity=0)
    call_command("import_registry", str(REPO / "fixtures/demo_framework.csv"), "--domains",
                 str(REPO / "fixtures/demo_domains.csv"), "--publish", verbosity=0)  # fmt: skip
    geography_build()
    for year in YEARS:
        parsed = parse_period_label(f"{year}/{(year + 1) % 100:02d}")
        Period.objects.get_or_create(
            kind=parsed.kind, start=parsed.start, end=parsed.end,
            defaults={"label": parsed.label, "sort_key": parsed.sort_key},
        )  # fmt: skip
    viewer = User.objects.create_user("bench_api_viewer")
    viewer.groups.add(Group.objects.get(name="viewer"))


def observations_grow(size: int) -> None:
    """Insert observations, by indicator, then period, then area and sex, up to ``size``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM indicators_observation")
        have = cursor.fetchone()[0]
        if have >= size:
            return
        # Row n is indicator n // (3AP), period (n // 3A) % P, area (n // 3) % A, sex n % 3.
        cursor.execute(
            """
            WITH ind AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n
                         FROM indicators_indicator),
                 per AS (SELECT id, row_number() OVER (ORDER BY sort_key) - 1 AS n
                         FROM indicators_period),
                 ar AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM indicators_area),
                 sizes AS (SELECT (SELECT count(*) FROM ar) AS a, (SELECT count(*) FROM per) AS p)
            INSERT INTO indicators_observation (
                indicator_id, area_id, period_id, sex, age, category_type, category,
                value, lower_95, upper_95, count, denominator, value_note, suppressed,
                england_comparison, parent_comparison, target_comparison)
            SELECT ind.id, ar.id, per.id, (ARRAY['Persons', 'Male', 'Female'])[g.n %% 3 + 1],
                   'All ages', '', '', v.value, v.value * 0.9, v.value * 1.1, v.value * 10, 1000,
                   '', false, 'Similar', 'Similar', ''
            FROM generate_series(%s::bigint, %s::bigint - 1) g(n) CROSS JOIN sizes
            JOIN ar ON ar.n = (g.n / 3) %% sizes.a
            JOIN per ON per.n = (g.n / (3 * sizes.a)) %% sizes.p
            JOIN ind ON ind.n = g.n / (3 * sizes.a * sizes.p)
            CROSS JOIN LATERAL (SELECT 5 + (g.n * 7919 %% 900) / 10.0 AS value) v
            """,
            [have, size],
        )
        cursor.execute("ANALYZE")


def timed(call, repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pages_measure(client, repeat: int) -> dict[str, float]:
    from django.core import signing
    from django.core.paginator import Paginator

    from explorer import api
    from explorer.selectors import api_observations
    from indicators.models import Observation

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    # A cursor 100 rows from the end: the deepest page there is.
    last = Observation.objects.order_by(*api.DATA_KEY).values_list(*api.DATA_KEY)
    total = Observation.objects.count()
    early = signing.dumps(list(last[99]), salt=api.CURSOR_SALT)
    middle = signing.dumps(list(last[total // 2]), salt=api.CURSOR_SALT)
    cursor = signing.dumps(list(last[total - 101]), salt=api.CURSOR_SALT)
    from django.contrib.auth.models import User

    viewer = User.objects.get(username="bench_api_viewer")
    filters = {name: None for name in ("domain", "indicator", "area_type", "parent", "area",
                                       "group", "period", "sex", "age", "category_type")}  # fmt: skip
    queryset = api_observations(user=viewer, filters=filters)
    paginator = Paginator(queryset, 100)
    return {
        "rows": total,
        "page 1 (keyset)": timed(lambda: get("/api/data/"), repeat),
        "page 2 by cursor": timed(lambda: get(f"/api/data/?cursor={early}"), repeat),
        "middle page by cursor": timed(lambda: get(f"/api/data/?cursor={middle}"), repeat),
        "last page by cursor": timed(lambda: get(f"/api/data/?cursor={cursor}"), repeat),
        "LSOAs only: page 1": timed(lambda: get("/api/data/?area_type=lsoa"), repeat),
        "LSOAs only: middle page by cursor": timed(
            lambda: get(f"/api/data/?area_type=lsoa&cursor={middle}"), repeat
        ),
        "count every row (Paginator, before)": timed(lambda: queryset.count(), repeat),
        "deep OFFSET page (before)": timed(
            lambda: list(paginator.page(paginator.num_pages).object_list), max(1, repeat // 2)
        ),
    }


def csv_measure(client) -> dict[str, float]:
    """Download every row as CSV, reading the streamed body as a client would: the RSS this
    process gains between the first chunk and the last is what the download holds."""
    from indicators.models import Indicator

    codes = ",".join(Indicator.objects.order_by("code").values_list("code", flat=True))
    started = time.perf_counter()
    response = client.get(f"/api/data/?indicator={codes}&format=csv")
    assert response.status_code == 200 and response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    size, lines = len(first), first.count(b"\n")
    before = rss_megabytes()
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    response.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": lines - 1,
        "MB sent": size / 2**20,
        "seconds": seconds,
        "rows per second": (lines - 1) / seconds,
        "RSS at the first chunk, MB": before,
        "peak RSS, MB": peak,
        "growth while streaming, MB": peak - before,
    }


def rss_megabytes() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def signed_in_client():
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench_api_viewer"))
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--csv-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    url = f"{os.environ.get('BENCH_DATABASE_URL', DEFAULT_BASE)}_api"
    os.environ.update(HTTPS="false", ALLOWED_HOSTS="testserver", REDIS_URL="none")
    if args.csv_only:  # in a fresh process, so that its peak RSS is the download's own
        django_setup(url)
        for name, value in csv_measure(signed_in_client()).items():
            print(f"  {name:<40} {value:>12,.1f}")
        return

    started = time.perf_counter()
    database_build(url)
    print(f"Registry, geography and periods: {time.perf_counter() - started:.0f} s")
    client = signed_in_client()
    for size in sizes:
        started = time.perf_counter()
        observations_grow(size)
        print(f"\n{size:,} observations (built in {time.perf_counter() - started:.0f} s)")
        for name, value in pages_measure(client, args.repeat).items():
            print(f"  {name:<40} {value:>12,.1f}" + ("" if name == "rows" else " ms"))
        print("  Streamed CSV of every row, as a viewer:", flush=True)
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_api", "--csv-only"],
            cwd=REPO, check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
