"""Ingest benchmark (DESIGN 7): a one-million-row granular extract processed end to end,
against PostgreSQL's COPY of the same file into a bare table, in the same run.

    python -m tests.benchmarks.bench_ingest [--rows 1000000] [--json PATH]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/outcomes_bench)
names a database it creates afresh. The pipeline runs in a child process (``manage.py ingest
--wait``, tasks in-process) so its wall time and peak memory (max RSS) are measured alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
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
    lsoas = areas.loc[areas["area_type"] == "lsoa", "code"].to_numpy()
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


def copy_time(url: str, path: Path) -> float:
    """Seconds for PostgreSQL to COPY the same file into a bare table of text columns."""
    parts = urlparse(url)
    with psycopg.connect(
        dbname=parts.path.lstrip("/"), user=parts.username or "postgres",
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
    ) as connection:  # fmt: skip
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
    parts = urlparse(url)
    with psycopg.connect(
        dbname=parts.path.lstrip("/"), user=parts.username or "postgres",
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
    ) as connection:  # fmt: skip
        row = connection.execute(
            "SELECT EXTRACT(EPOCH FROM finished_at - started_at) FROM indicators_extract "
            "WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return float(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
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
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-counts.csv"
        rows = build_extract(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        copy_seconds = min(copy_time(url, path) for _ in range(3))
        env["MEDIA_ROOT"] = str(Path(folder) / "media")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        result = manage("ingest", str(path), "--kind", "counts", "--wait", env=env)
        pipeline_seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pipeline_only = pipeline_seconds_recorded(url)
    figures = {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "copy_seconds": round(copy_seconds, 3),
        "pipeline_seconds": round(pipeline_seconds, 3),
        "pipeline_recorded_seconds": round(pipeline_only, 3),
        "ratio_to_copy": round(pipeline_seconds / copy_seconds, 2),
        "ratio_to_copy_recorded": round(pipeline_only / copy_seconds, 2),
        "peak_memory_mb": round(peak_mb, 1),
        "peak_memory_includes_earlier_children_mb": round(before / 1024, 1),
    }
    print(result.stdout.strip().splitlines()[-1])
    print(f"Granular extract: {rows:,} rows, {size_mb:.1f} MB")
    print(f"PostgreSQL COPY into a bare table: {copy_seconds:.2f} s (best of 3)")
    print(
        f"manage.py ingest --wait, whole process: {pipeline_seconds:.2f} s "
        f"({figures['ratio_to_copy']}× COPY)"
    )
    print(f"Pipeline as the extract records it (read file → derive, committed): "
          f"{pipeline_only:.2f} s ({figures['ratio_to_copy_recorded']}× COPY; goal ≤ 2×)")  # fmt: skip
    print(f"Peak memory of the pipeline process: {peak_mb:.0f} MB (goal: under 1,024 MB)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
