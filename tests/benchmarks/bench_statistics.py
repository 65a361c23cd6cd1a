"""Throughput of the interval functions on one million rows, against statsmodels' Wilson.

Run as ``python -m tests.benchmarks.bench_statistics [--json PATH] [--repeats N]``. It is a
plain script, not a pytest module. Each figure is the best of a few repeats, so that
background load on the machine inflates it as little as possible.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indicators.statistics.intervals import byar_exact_interval, wilson_interval
from indicators.statistics.standardised import ESP2013, directly_standardised_rate

ROWS = 1_000_000
SEED = 20240601


def best_time(call: Callable[[], object], repeats: int) -> float:
    call()  # warm up: imports, caches, page faults
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return min(timings)


def proportion_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Practice- to ICB-sized denominators, with prevalences spread over 0–100%."""
    denominators = np.round(rng.lognormal(mean=7.5, sigma=1.5, size=ROWS)) + 1
    prevalence = rng.beta(2, 8, size=ROWS)
    numerators = rng.binomial(denominators.astype(np.int64), prevalence).astype(float)
    return numerators, denominators


def rate_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Populations with event rates around 1 in 200: many counts below 10, most above."""
    populations = np.round(rng.lognormal(mean=8.0, sigma=1.5, size=ROWS)) + 1
    rates = rng.gamma(shape=2.0, scale=0.0025, size=ROWS)
    events = rng.poisson(populations * rates).astype(float)
    return events, populations


def dsr_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Areas × 19 ESP2013 bands, with mortality rising with age."""
    areas = -(-ROWS // len(ESP2013))
    populations = np.round(rng.lognormal(mean=6.5, sigma=0.8, size=(areas, len(ESP2013)))) + 1
    band_rate = 0.0002 * np.exp(0.4 * np.arange(len(ESP2013)))  # 2.4% at 60-64, 27% at 90+
    events = rng.poisson(populations * band_rate * rng.gamma(4.0, 0.25, size=(areas, 1)))
    return events.astype(float), populations


def run(repeats: int) -> dict:
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(SEED)
    numerators, denominators = proportion_inputs(rng)
    events, populations = rate_inputs(rng)
    dsr_events, dsr_populations = dsr_inputs(rng)

    timings = {
        "wilson_interval": best_time(
            lambda: wilson_interval(numerators, denominators, confidence=0.95), repeats
        ),
        "statsmodels proportion_confint(wilson)": best_time(
            lambda: proportion_confint(numerators, denominators, alpha=0.05, method="wilson"),
            repeats,
        ),
        "byar_exact_interval": best_time(
            lambda: byar_exact_interval(events, populations, multiplier=100_000), repeats
        ),
        "directly_standardised_rate (Dobson)": best_time(
            lambda: directly_standardised_rate(dsr_events, dsr_populations), repeats
        ),
    }
    rows = {name: ROWS for name in timings}
    rows["directly_standardised_rate (Dobson)"] = dsr_events.size
    results = [
        {
            "function": name,
            "rows": rows[name],
            "seconds": seconds,
            "rows_per_second": rows[name] / seconds,
        }
        for name, seconds in timings.items()
    ]
    ratio = timings["wilson_interval"] / timings["statsmodels proportion_confint(wilson)"]
    return {
        "rows": ROWS,
        "seed": SEED,
        "repeats": repeats,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "exact_share_of_rate_rows": float(np.mean(events < 10)),
        "dsr_areas": int(dsr_events.shape[0]),
        "dsr_suppressed_share": float(np.mean(dsr_events.sum(axis=1) < 10)),
        "results": results,
        "wilson_time_ratio_to_statsmodels": ratio,
    }


def print_table(report: dict) -> None:
    print(f"{'function':<40} {'rows':>10} {'best s':>9} {'rows/s':>14}")
    for result in report["results"]:
        print(
            f"{result['function']:<40} {result['rows']:>10,} {result['seconds']:>9.4f} "
            f"{result['rows_per_second']:>14,.0f}"
        )
    ratio = report["wilson_time_ratio_to_statsmodels"]
    verdict = "no slower" if ratio <= 1 else "SLOWER"
    print(f"\nWilson time / statsmodels time: {ratio:.2f} ({verdict} than statsmodels)")
    print(
        f"rates: {report['exact_share_of_rate_rows']:.1%} of rows below 10 events (exact); "
        f"DSR: {report['dsr_areas']:,} areas, {report['dsr_suppressed_share']:.1%} suppressed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per function")
    arguments = parser.parse_args()
    report = run(arguments.repeats)
    print_table(report)
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
