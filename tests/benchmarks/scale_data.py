"""Scale data for the page benchmark and load test (issue 8): synthetic, seeded, written through
the ingest pipeline's own write and derive steps.

    python -m tests.benchmarks.scale_data --scale national   # ≥ 10 million observations
    python -m tests.benchmarks.scale_data --scale ics        # about 100,000

Both build the same registry and geography: the demo framework's 44 indicators plus 156
synthetic variants (200: 150 annual, 30 quarterly, 20 monthly, over 10 financial years), and
the fixture geography, of which the data covers England, the 7 NHS and 9 ONS regions, the
42 ICBs, the 153 upper-tier local authorities and BNSSG down to its 563 LSOAs.

- ``national``: every area every period, Persons, Male and Female; for annual indicators also
  the national IMD quintiles and deciles for every area above LSOA, and the LSOAs themselves.
- ``ics``: one ICS's own data — England, the South West, BNSSG, its LAs and localities, every
  period, Persons — plus every ICB and upper-tier LA at each indicator's latest period and
  BNSSG's IMD quintiles. What the benchmarked pages show is the same at both scales.

Each indicator is one synthetic extract through ``observations_apply`` (comparisons, trends,
SPC and SII derived, then COPY into a temporary table, upsert and history) in one
transaction, exactly as the pipeline runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import psycopg

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BASE = "postgres://postgres@127.0.0.1:5432/outcomes_bench"
SCALES = {"ics": "pages_100k", "national": "pages_10m"}
YEARS = range(2015, 2025)  # financial years 2015/16 … 2024/25
FREQUENCY_TARGETS = {"annual": 150, "quarterly": 30, "monthly": 20}
QUINTILE = "IMD 2019 quintile (national)"
DECILE = "IMD 2019 decile (national)"
MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
CORE_CODES = ["E92000001", "E40000006", "E54000039", "E38000222", "E06000023", "E06000024",
              "E06000025", "NWB", "ICE", "SBR", "WWV", "WSP", "SGL"]  # fmt: skip
BNSSG_SUB_ICB = "E38000222"
POPULATION = {"england": 56_500_000, "region": 8_000_000, "icb": 1_300_000,
              "sub_icb": 980_000, "ons_region": 6_000_000, "local_authority": 350_000,
              "locality": 160_000,
              "lsoa": 1_700}  # fmt: skip


def database_url(scale: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BASE)
    return f"{base}_{SCALES[scale]}"


def connect_admin(url: str):
    parts = urlparse(url)
    return psycopg.connect(
        dbname="postgres", user=parts.username or "postgres", host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432, autocommit=True,
    )  # fmt: skip


def recreate_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with connect_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ.update(DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-data-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcomes_site.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


# --- Registry and geography ------------------------------------------------------------------


def registry_build() -> list:
    """The demo framework plus synthetic variants up to 200 indicators by frequency."""
    from django.core.management import call_command

    from indicators.models import Indicator, Status

    call_command("import_registry", str(REPO / "fixtures/demo_framework.csv"), "--domains",
                 str(REPO / "fixtures/demo_domains.csv"), "--publish", verbosity=0)  # fmt: skip
    demo = list(Indicator.objects.order_by("code"))
    by_frequency = {frequency: [item for item in demo if item.frequency == frequency]
                    for frequency in FREQUENCY_TARGETS}  # fmt: skip
    variants = []
    for frequency, wanted in FREQUENCY_TARGETS.items():
        sources = by_frequency[frequency]
        for number in range(wanted - len(sources)):
            source = sources[number % len(sources)]
            variant = Indicator.objects.get(pk=source.pk)
            variant.pk = None
            variant.code = f"SYN{len(variants) + 1:03d}"
            variant.name = f"{source.name} (synthetic variant {number + 1})"[:300]
            variant.status = Status.PUBLISHED
            variants.append(variant)
    Indicator.objects.bulk_create(variants)
    return list(Indicator.objects.order_by("code"))


def geography_build() -> None:
    """The fixture geography: all of England, of which the benchmark uses the areas
    ``areas_frame`` keeps."""
    from django.core.management import call_command

    call_command("import_areas", str(REPO / "fixtures/areas.csv"), verbosity=0)


# --- Observations ----------------------------------------------------------------------------


def period_labels(frequency: str) -> list[str]:
    labels = []
    for year in YEARS:
        financial = f"{year}/{(year + 1) % 100:02d}"
        if frequency == "annual":
            labels.append(financial)
        elif frequency == "quarterly":
            labels += [f"{financial} Q{quarter}" for quarter in range(1, 5)]
        else:
            labels += [f"{month} {year + (index >= 9)}" for index, month in enumerate(MONTHS)]
    return labels


def breakdown_cells(with_imd: bool) -> list[tuple[str, str, str]]:
    cells = [("Persons", "", ""), ("Male", "", ""), ("Female", "", "")]
    if with_imd:
        cells += [("Persons", QUINTILE, f"Quintile {n}" + (" (most deprived)" if n == 1 else
                   " (least deprived)" if n == 5 else "")) for n in range(1, 6)]  # fmt: skip
        cells += [("Persons", DECILE, f"Decile {n}" + (" (most deprived)" if n == 1 else
                   " (least deprived)" if n == 10 else "")) for n in range(1, 11)]  # fmt: skip
    return cells


def cell_shares(cells) -> np.ndarray:
    return np.array([1.0 if not kind and sex == "Persons" else 0.5 if not kind
                     else 0.2 if kind == QUINTILE else 0.1 for sex, kind, _ in cells])  # fmt: skip


def gradient(cells) -> np.ndarray:
    """Worse outcomes in more deprived groups (DOMAIN §8): about 1.6× from least to most."""
    out = []
    for sex, kind, category in cells:
        if not kind:
            out.append(1.05 if sex == "Male" else 0.95 if sex == "Female" else 1.0)
        else:
            n = int(category.split()[1])
            top = 5 if kind == QUINTILE else 10
            out.append(1.3 - 0.6 * (n - 1) / (top - 1))
    return np.array(out)


def indicator_frame(indicator, areas: pd.DataFrame, scale: str, rng) -> pd.DataFrame:
    from indicators.statistics.intervals import byar_exact_interval, wilson_interval

    labels = period_labels(indicator.frequency)
    annual = indicator.frequency == "annual"
    frames = []
    cell_sets = []
    if scale == "national":
        cell_sets.append((areas[areas["type"] != "lsoa"], labels, breakdown_cells(annual)))
        if annual:
            cell_sets.append((areas[areas["type"] == "lsoa"], labels, breakdown_cells(False)))
    else:
        persons = breakdown_cells(False)[:1]
        cell_sets.append((areas[areas["code"].isin(CORE_CODES)], labels, persons))
        wide = areas[areas["type"].isin(["icb", "local_authority"])
                     & ~areas["code"].isin(CORE_CODES)]  # fmt: skip
        cell_sets.append((wide, labels[-1:], persons))
        if annual:
            cell_sets.append((areas[areas["code"] == "E54000039"], labels,
                              breakdown_cells(True)[3:8]))  # fmt: skip
    base = (
        rng.uniform(0.05, 0.6)
        if indicator.value_type == "proportion"
        else rng.uniform(0.0005, 0.01)
    )
    drift = rng.uniform(-0.03, 0.03)
    for chosen, periods, cells in cell_sets:
        if chosen.empty:
            continue
        n_area, n_period, n_cell = len(chosen), len(periods), len(cells)
        area_index = np.repeat(np.arange(n_area), n_period * n_cell)
        period_index = np.tile(np.repeat(np.arange(n_period), n_cell), n_area)
        cell_index = np.tile(np.arange(n_cell), n_area * n_period)
        all_periods = len(labels)
        offset = all_periods - n_period  # the latest periods when only some are written
        population = chosen["population"].to_numpy(dtype=float)[area_index]
        if indicator.frequency == "quarterly":
            population = population / 4
        elif indicator.frequency == "monthly":
            population = population / 12
        denominator = np.maximum(np.round(population * cell_shares(cells)[cell_index]), 10)
        effect = chosen["effect"].to_numpy()[area_index]
        trend = 1 + drift * (period_index + offset) / max(all_periods / 10, 1)
        rate = np.clip(base * effect * trend * gradient(cells)[cell_index], 1e-6, 0.95)
        kind = indicator.value_type
        if kind == "proportion":
            count = rng.binomial(denominator.astype(np.int64), rate).astype(float)
            interval = wilson_interval(count, denominator, multiplier=indicator.multiplier)
            interval_998 = wilson_interval(count, denominator, confidence=0.998,
                                           multiplier=indicator.multiplier)  # fmt: skip
        elif kind in {"dsr", "crude_rate", "count", "isr"}:
            count = rng.poisson(rate * denominator).astype(float)
            multiplier = indicator.multiplier if kind != "count" else 1
            interval = byar_exact_interval(count, denominator, multiplier=multiplier)
            interval_998 = byar_exact_interval(count, denominator, confidence=0.998,
                                               multiplier=multiplier)  # fmt: skip
        else:  # years, gap, mean: a modelled value with a symmetric interval, no count
            count = np.full(len(rate), np.nan)
            value = 60 + 400 * rate * rng.normal(1, 0.01, len(rate))
            se = value * 0.01
            interval = (value, value - 1.96 * se, value + 1.96 * se)
            interval_998 = (value, value - 3.09 * se, value + 3.09 * se)
            denominator = np.full(len(rate), np.nan)
        value, lower, upper = (np.asarray(part, dtype=float) for part in interval)
        frames.append(pd.DataFrame({
            "indicator_code": indicator.code,
            "area_code": chosen["code"].to_numpy()[area_index],
            "period_label": np.array(periods)[period_index],
            "sex": np.array([cell[0] for cell in cells])[cell_index],
            "age": indicator.default_age,
            "category_type": np.array([cell[1] for cell in cells])[cell_index],
            "category": np.array([cell[2] for cell in cells])[cell_index],
            "value": value, "lower_95": lower, "upper_95": upper,
            "lower_998": np.asarray(interval_998[1], dtype=float),
            "upper_998": np.asarray(interval_998[2], dtype=float),
            "count": count, "denominator": denominator, "value_note": "", "suppressed": False,
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def areas_frame(rng) -> pd.DataFrame:
    from django.db.models import Q

    from indicators.models import Area

    # England, its NHS and ONS regions, the ICBs, the 153 upper-tier local authorities and
    # BNSSG down to its LSOAs: the national set's shape since issue 8 (other systems' LSOAs,
    # sub-ICB locations and districts would multiply it without changing what pages read).
    rows = Area.objects.filter(
        ~Q(area_type__code__in=["lsoa", "sub_icb", "district"])
        | Q(code=BNSSG_SUB_ICB)
        | Q(parent__code=BNSSG_SUB_ICB)
    ).values_list("code", "area_type__code", "population")
    frame = pd.DataFrame(list(rows), columns=["code", "type", "population"])
    default = frame["type"].map(POPULATION).astype(float)
    frame["population"] = frame["population"].astype(float).fillna(default)
    frame["effect"] = rng.lognormal(0, 0.15, len(frame))
    frame.loc[frame["code"] == "E92000001", "effect"] = 1.0
    return frame


def observations_build(indicators, scale: str, *, seed: int = 2026, progress=print) -> int:
    from django.db import transaction
    from django.utils import timezone

    from indicators.models import Extract, ExtractKind, ExtractStatus
    from ingest.derive import observations_apply

    rng = np.random.default_rng(seed)
    areas = areas_frame(np.random.default_rng(2026))
    total = 0
    started = time.perf_counter()
    for number, indicator in enumerate(indicators, 1):
        frame = indicator_frame(indicator, areas, scale, rng)
        with transaction.atomic():
            now = timezone.now()
            extract = Extract.objects.create(
                kind=ExtractKind.VALUES, original_name=f"synthetic-{indicator.code}.csv",
                stored_file=f"bench/synthetic-{indicator.code}.csv", checksum=f"bench-{scale}-{indicator.code}",
                status=ExtractStatus.PROCESSING, is_synthetic=True, started_at=now,
                rows_read=len(frame), rows_accepted=len(frame), attempts=1,
            )  # fmt: skip
            written, derived = observations_apply(frame, extract=extract)
            Extract.objects.filter(pk=extract.pk).update(
                status=ExtractStatus.SUCCEEDED, progress=100, step="Done",
                finished_at=timezone.now(),
                report={"observations_created": written.created,
                        "series_derived": derived.series,
                        "inequality_summaries": derived.inequality_summaries},
            )  # fmt: skip
        total += len(frame)
        if number % 10 == 0 or number == len(indicators):
            elapsed = time.perf_counter() - started
            progress(f"  {number}/{len(indicators)} indicators, {total:,} observations, "
                     f"{elapsed:.0f} s ({total / elapsed:,.0f} rows/s)")  # fmt: skip
    return total


BULK_TABLES = ("indicators_observation", "indicators_observationhistory")


def secondary_indexes_drop(connection) -> list[str]:
    """Drop the non-unique indexes of the two big tables for the load and return their
    definitions, to build once at the end (the usual bulk-load practice: building an index
    once is far cheaper than maintaining it row by row). The unique key stays: the upsert
    and the history step need it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
               WHERE i.tablename = ANY(%s) AND NOT x.indisunique""",
            [list(BULK_TABLES)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--indicators", type=int, default=None, help="first N only (trials)")
    parser.add_argument("--processes", type=int, default=2, help="loaders writing at once")
    parser.add_argument("--part", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = database_url(args.scale)
    if args.part is not None:  # a child loader: every --processes'th indicator
        django_setup(url)
        from indicators.models import Indicator

        chosen = list(Indicator.objects.order_by("code"))[: args.indicators][
            args.part :: args.processes
        ]
        observations_build(chosen, args.scale, seed=2026 + args.part,
                           progress=lambda line: print(f"[{args.part}]{line}", flush=True))  # fmt: skip
        return
    started = time.perf_counter()
    recreate_database(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    indicators = registry_build()
    geography_build()
    setup_seconds = time.perf_counter() - started
    print(f"{args.scale}: registry and geography in {setup_seconds:.0f} s; writing observations")
    build_started = time.perf_counter()
    indexes = secondary_indexes_drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    # Indicators are independent (the pipeline locks per indicator), so loaders run side by
    # side, each in its own process and transaction per indicator.
    command = [sys.executable, "-m", "tests.benchmarks.scale_data", "--scale", args.scale,
               "--processes", str(args.processes)]  # fmt: skip
    if args.indicators:
        command += ["--indicators", str(args.indicators)]
    loaders = [subprocess.Popen([*command, "--part", str(part)], cwd=REPO)
               for part in range(args.processes)]  # fmt: skip
    if any(loader.wait() != 0 for loader in loaders):
        raise SystemExit("a loader failed")
    total = len(indicators[: args.indicators])
    load_seconds = time.perf_counter() - build_started
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in indexes:
            cursor.execute(definition)
    build_seconds = time.perf_counter() - build_started
    print(f"{args.scale}: {len(indexes)} indexes rebuilt in {build_seconds - load_seconds:.0f} s")
    connection.close()
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        count = conn.execute("SELECT count(*) FROM indicators_observation").fetchone()[0]
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    print(f"{args.scale}: {count:,} observations for {total} indicators in {build_seconds:.0f} s "
          f"write + derive; {time.perf_counter() - started:.0f} s in all; database {size}")  # fmt: skip


if __name__ == "__main__":
    main()
