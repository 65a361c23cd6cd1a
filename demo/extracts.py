"""Seeded synthetic extracts for the demo framework: one system's story, told in realistic
numbers.

``generate_demo_extracts`` writes the files an analyst would upload for the demo
indicators, and a manifest saying in which order to ingest them:

- ``values_comparators.csv`` (kind ``values``, Fingertips format): England, the 7 NHS regions
  and the other ICBs at every period of every indicator (``demo.comparators``); never the
  system's own ICB, which the pipeline computes from the counts or the next file carries.
- ``values_system.csv`` (kind ``values``): the system's ICB, sub-ICB locations, councils and
  localities for the indicators a source publishes ready-made (``demo.local_values``).
- ``counts_<CODE>.csv`` (kind ``counts``, docs/design.md §4.4): one file per indicator built
  from counts, with every LSOA of the system in every period (``demo.counts``).
- ``baselines_targets.csv`` and ``narratives.csv`` (``demo.stories``).

Nothing here imports Django: the result is a pure function of the fixtures, the system, the
seed and the arguments. The calibration is data (``fixtures/demo/``); the patterns follow
docs/domain.md §8, and every figure is **illustrative**.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from demo.calibration import FIXTURES, calibration_read, local_story_read
from demo.comparators import comparator_rows
from demo.counts import counts_frame, counts_headline, generate_counts
from demo.figures import VALUES_HEADER, ValueRow, values_headline
from demo.framework import SEXES, indicator_periods, load_framework
from demo.geography import build_geography
from demo.local_values import local_value_rows
from demo.stories import (
    BASELINES_HEADER,
    LIFE_EXPECTANCY,
    NARRATIVES_HEADER,
    baseline_record,
    narrative_facts,
    narrative_record,
)
from demo.systems import DemoSystem, UnknownSystem, demo_system_resolve
from indicators.vocabulary import ENGLAND_CODE

# `make demo` must stay quick: the whole granular demo stays under this many rows.
GRANULAR_ROW_BUDGET = 1_500_000


@dataclass(frozen=True)
class DemoManifest:
    """What was written, in the order to ingest it."""

    extracts: list[tuple[Path, str]]  # (path, "values" | "counts"), comparators first
    baselines_targets: Path
    narratives: Path
    row_counts: dict[str, int] = field(default_factory=dict)  # file name -> data rows

    @property
    def granular_rows(self) -> int:
        return sum(self.row_counts[path.name] for path, kind in self.extracts if kind == "counts")

    def describe(self) -> str:
        lines = ["Ingest in this order:"]
        for path, kind in self.extracts:
            size = path.stat().st_size if path.exists() else 0
            lines.append(
                f"  {kind:<6} {path.name:<24} {self.row_counts[path.name]:>9,} rows "
                f"{size / 1e6:7.1f} MB"
            )
        for path in (self.baselines_targets, self.narratives):
            lines.append(f"  {'':<6} {path.name:<24} {self.row_counts[path.name]:>9,} rows")
        lines.append(f"Granular rows: {self.granular_rows:,} (budget {GRANULAR_ROW_BUDGET:,})")
        return "\n".join(lines)


def _write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate_demo_extracts(
    *,
    out_dir: Path,
    system: DemoSystem | None = None,
    seed: int = 2024,
    years: int = 5,
    today: date = date(2026, 3, 31),
    indicators: Iterable[str] | None = None,
    fixtures_dir: Path = FIXTURES,
) -> DemoManifest:
    """Write the demo extracts for ``system`` (the shipped default when None) to ``out_dir``
    and return the manifest.

    ``indicators`` restricts the run to some codes (for quick tests); each indicator draws
    from its own seeded stream, so a subset produces the same numbers as the full run.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    system = system or demo_system_resolve(None, fixtures_dir)
    calibration = calibration_read(fixtures_dir)
    story = local_story_read(system.icb, fixtures_dir)
    geo = build_geography(system.icb, seed, calibration, story, fixtures_dir)
    specs = load_framework(fixtures_dir, calibration, story)
    life = next(spec for spec in specs if spec.code == LIFE_EXPECTANCY)
    if indicators is not None:
        wanted = set(indicators)
        unknown = wanted - {spec.code for spec in specs}
        if unknown:
            raise ValueError(f"Unknown indicator codes: {', '.join(sorted(unknown))}")
        specs = [spec for spec in specs if spec.code in wanted]

    row_counts: dict[str, int] = {}
    counts_files: list[tuple[Path, str]] = []
    comparators: list[ValueRow] = []
    local: list[ValueRow] = []
    baselines: list[list[str]] = []
    narratives: list[list[str]] = []
    for spec in specs:
        periods = indicator_periods(spec, years=years, today=today)
        if spec.from_counts:
            counts = generate_counts(spec, geo, seed, periods)
            path = out_dir / f"counts_{spec.code}.csv"
            frame = counts_frame(counts, geo)
            frame.to_csv(path, index=False, lineterminator="\n")
            row_counts[path.name] = len(frame)
            counts_files.append((path, "counts"))
            headline = {"Persons": counts_headline(counts)}
        else:
            spec_local = local_value_rows(spec, geo, seed, periods, life)
            local += spec_local
            sexes = ("Persons", *SEXES) if spec.pattern.female else ("Persons",)
            headline = {
                sex: values_headline(spec_local, periods, geo.icb, sex=sex) for sex in sexes
            }
        spec_comparators = comparator_rows(
            spec, geo, seed, periods, headline, calibration.icb_profiles
        )
        comparators += spec_comparators
        baselines.append(baseline_record(spec, geo.icb, periods, headline["Persons"]))
        facts = narrative_facts(spec, geo.icb, periods, local)
        if spec.narrative is not None and facts is not None:
            england = values_headline(spec_comparators, periods, ENGLAND_CODE)
            narratives.append(
                narrative_record(
                    spec,
                    geo.icb,
                    system.short_name,
                    periods,
                    headline["Persons"],
                    england,
                    **facts,
                )  # fmt: skip
            )

    values_files = []
    for name, rows in (("values_comparators.csv", comparators), ("values_system.csv", local)):
        if not rows:
            continue  # a subset of count-based indicators has no values of the system's own
        path = out_dir / name
        row_counts[name] = _write_rows(path, VALUES_HEADER, (row.record(geo) for row in rows))
        values_files.append((path, "values"))
    baselines_path = out_dir / "baselines_targets.csv"
    row_counts[baselines_path.name] = _write_rows(baselines_path, BASELINES_HEADER, baselines)
    narratives_path = out_dir / "narratives.csv"
    row_counts[narratives_path.name] = _write_rows(narratives_path, NARRATIVES_HEADER, narratives)
    return DemoManifest(
        extracts=values_files + counts_files,
        baselines_targets=baselines_path,
        narratives=narratives_path,
        row_counts=row_counts,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.extracts", description="Write the synthetic demo extracts."
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--system", help="An ICB's ONS or ODS code (default: the demo's)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--years", type=int, default=5)
    arguments = parser.parse_args(argv)
    try:
        system = demo_system_resolve(arguments.system)
    except UnknownSystem as error:
        parser.error(str(error))
    started = time.perf_counter()
    manifest = generate_demo_extracts(
        out_dir=arguments.out_dir, system=system, seed=arguments.seed, years=arguments.years
    )
    print(manifest.describe())
    print(f"Generated in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
