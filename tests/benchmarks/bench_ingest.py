"""Ingest benchmark (docs/design.md §7): a one-million-row granular extract processed end to end,
against PostgreSQL's COPY of the same file into a bare table, in the same run.

    python -m tests.benchmarks.bench_ingest [--rows 1000000] [--runs 3] [--json PATH]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/outcomes_bench)
names a database it creates afresh. The pipeline runs in a child process (``manage.py ingest
--wait``, tasks in-process) so its wall time and peak memory (max RSS) are measured alone.

Both are measured the same way, so that the ratio compares like with like on a machine whose
speed wanders: ``--runs`` times each, each from a freshly vacuumed and analysed database (the
pipeline's into an empty framework: the observations and extracts of the run before are
truncated), reporting the best and the median of each and the ratio of best to best and of
median to median.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import psycopg

REPO = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/outcomes_bench"
BANDS = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
]  # fmt: skip
COUNTABLE = {"proportion", "crude_rate", "dsr", "count"}


def recreate_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        dbname="postgres", user=parts.username or "postgres", host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432, autocommit=True,
    )  # fmt: skip
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def build_extract(path: Path, rows_wanted: int, seed: int = 7) -> int:
    """A realistic granular counts file: countable demo indicators × BNSSG LSOAs × sex × age
    band, over as many periods as it takes to reach ``rows_wanted``."""
    framework = pd.read_csv(REPO / "fixtures" / "demo_framework.csv")
    indicators = framework[framework["value_type"].isin(COUNTABLE)]
    areas = pd.read_csv(REPO / "fixtures" / "areas.csv")
    lsoas = areas.loc[
        (areas["area_type"] == "lsoa") & (areas["parent_code"] == "E38000222"), "code"
    ]
    lsoas = lsoas.to_numpy()  # BNSSG's, under its sub-ICB location
    rng = np.random.default_rng(seed)
    per_period = len(indicators) * len(lsoas) * 2 * len(BANDS)
    periods = [f"{year}/{(year + 1) % 100:02d}" for year in range(2023, 2000, -1)]
    frames, total = [], 0
    for period in periods:
        for row in indicators.itertuples():
            if total >= rows_wanted:
                break
            n = len(lsoas) * 2 * len(BANDS)
            denominator = rng.integers(20, 120, size=n)
            rate = 0.08 if row.value_type == "proportion" else 0.01
            numerator = np.minimum(rng.binomial(denominator, rate), denominator)
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_code": row.code,
                        "period": period,
                        "area_code": np.repeat(lsoas, 2 * len(BANDS)),
                        "sex": np.tile(np.repeat(["Male", "Female"], len(BANDS)), len(lsoas)),
                        "age_band": np.tile(BANDS, len(lsoas) * 2),
                        "numerator": numerator,
                        "denominator": denominator,
                    }
                )
            )
            total += n
    frame = pd.concat(frames, ignore_index=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    assert per_period > 0
    return len(frame)


def connect(url: str, **options) -> psycopg.Connection:
    parts = urlparse(url)
    return psycopg.connect(
        dbname=parts.path.lstrip("/"), user=parts.username or "postgres",
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, **options,
    )  # fmt: skip


def settle(url: str, *, empty: bool = False) -> None:
    """Vacuum and analyse, so that no run meets autovacuum working on the rows of the one
    before it; with ``empty``, first remove what an earlier pipeline run stored."""
    with connect(url, autocommit=True) as connection:
        if empty:
            connection.execute(
                "TRUNCATE indicators_observationhistory, indicators_observation, "
                "indicators_seriesanalytics, indicators_inequalitysummary, indicators_extract "
                "CASCADE"
            )
        connection.execute("VACUUM ANALYZE")


def copy_time(url: str, path: Path) -> float:
    """Seconds for PostgreSQL to COPY the same file into a bare table of text columns."""
    with connect(url) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_copy")
        connection.execute(
            "CREATE TABLE bench_copy (indicator_code text, period text, area_code text, sex text, "
            "age_band text, numerator text, denominator text)"
        )
        connection.commit()
        start = time.perf_counter()
        with connection.cursor() as cursor, open(path, "rb") as handle:
            with cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        connection.commit()
        elapsed = time.perf_counter() - start
        connection.execute("DROP TABLE bench_copy")
        connection.commit()
    return elapsed


def pipeline_seconds_recorded(url: str) -> float:
    """The extract's own started → finished time: the pipeline without process start-up."""
    with connect(url) as connection:
        row = connection.execute(
            "SELECT EXTRACT(EPOCH FROM finished_at - started_at) FROM indicators_extract "
            "WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return float(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "true", "SECRET_KEY": "bench"}
    env.pop("CELERY_BROKER_URL", None)  # the pipeline runs in the child process itself

    recreate_database(url)
    manage("migrate", "--noinput", env=env)
    manage("import_registry", "fixtures/demo_framework.csv", "--domains", "fixtures/demo_domains.csv",
           "--publish", env=env)  # fmt: skip
    manage("import_areas", "fixtures/areas.csv", env=env)
    copies, wholes, recorded, peaks = [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-counts.csv"
        rows = build_extract(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        for _ in range(args.runs):
            settle(url)
            copies.append(copy_time(url, path))
        env["MEDIA_ROOT"] = str(Path(folder) / "media")
        for _ in range(args.runs):
            settle(url, empty=True)
            start = time.perf_counter()
            result = subprocess.Popen(
                [sys.executable, "manage.py", "ingest", str(path), "--kind", "counts", "--wait",
                 "--publish"],
                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            out, err = result.communicate()
            wholes.append(time.perf_counter() - start)
            if result.returncode:
                raise SystemExit(f"manage.py ingest failed:\n{out}{err}")
            peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            recorded.append(pipeline_seconds_recorded(url))
    best, median = min, statistics.median
    figures = {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "runs": args.runs,
        "copy_seconds": [round(item, 3) for item in copies],
        "pipeline_recorded_seconds": [round(item, 3) for item in recorded],
        "pipeline_whole_process_seconds": [round(item, 3) for item in wholes],
        "ratio_best_to_best": round(best(recorded) / best(copies), 2),
        "ratio_median_to_median": round(median(recorded) / median(copies), 2),
        "whole_process_ratio_best_to_best": round(best(wholes) / best(copies), 2),
        # ru_maxrss of children is the largest of any child so far (migrate and imports too).
        "peak_memory_mb": round(max(peaks), 1),
    }
    print(out.strip().splitlines()[-1])
    print(f"Granular extract: {rows:,} rows, {size_mb:.1f} MB; {args.runs} runs of each")
    print(f"PostgreSQL COPY into a bare table: best {best(copies):.2f} s, "
          f"median {median(copies):.2f} s")  # fmt: skip
    print(f"Pipeline as the extract records it (read file → derive, committed): best "
          f"{best(recorded):.2f} s, median {median(recorded):.2f} s")  # fmt: skip
    print(f"Ratio to COPY: {figures['ratio_best_to_best']}× best to best, "
          f"{figures['ratio_median_to_median']}× median to median (goal ≤ 2×)")  # fmt: skip
    print(f"manage.py ingest --wait, whole process (Python and Django start-up, checks, storing "
          f"the file): best {best(wholes):.2f} s ({figures['whole_process_ratio_best_to_best']}× "
          "COPY)")  # fmt: skip
    print(f"Peak memory of a pipeline process: {max(peaks):.0f} MB (goal: under 1,024 MB)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
