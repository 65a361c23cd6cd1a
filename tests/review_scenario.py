"""A small scenario for review before publishing: five years of one indicator live for England,
the ICB and Bristol, and a re-issued file that changes them in every way a review reports."""

from indicators.models import Extract, Observation
from ingest.services import extract_create, extract_process

HEADER = (
    "Indicator ID,Area Code,Sex,Age,Time period,Value,Lower CI 95.0 limit,"
    "Upper CI 95.0 limit,Count,Denominator,Value note\n"
)
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def values_file(rows: list[str]) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def row(area: str, period: str, value: float, count: int, denominator: int = 100_000, *,
        code: str = "PRV01", ci: tuple[float, float] | None = None) -> str:  # fmt: skip
    lower, upper = ci or (value - 0.2, value + 0.2)
    return f"{code},{area},Persons,All ages,{period},{value},{lower},{upper},{count},{denominator},"


# England 15%; the ICB 16% and Bristol 17% every year, both worse than England (lower is better).
LIVE = (
    [row("E92000001", year, 15.0, 1_500_000, 10_000_000, ci=(14.98, 15.02)) for year in YEARS]
    + [row("E54000039", year, 16.0, 16_000) for year in YEARS]
    + [row("E06000023", year, 17.0, 17_000, ci=(16.0, 18.0)) for year in YEARS]
)
# The re-issued file: Bristol's latest year jumps beyond its own CI, England's rises past the
# ICB's (whose row is not in the file), the ICB's 2022/23 count becomes small, and a new year.
CORRECTION = [
    row("E06000023", "2023/24", 25.0, 25_000, ci=(24.0, 26.0)),
    row("E92000001", "2023/24", 17.5, 1_750_000, 10_000_000, ci=(17.48, 17.52)),
    row("E54000039", "2022/23", 0.005, 5, ci=(0.002, 0.012)),
    row("E06000023", "2024/25", 17.0, 17_000),
]


def process(data: bytes, name: str = "extract.csv", **options) -> Extract:
    extract = extract_create(data=data, original_name=name, kind="values")
    return extract_process(extract_id=extract.pk, **options)


def live_values() -> list[tuple]:
    return sorted(
        Observation.objects.values_list(
            "area__code", "period__label", "value", "lower_95", "suppressed", "england_comparison"
        )
    )
