"""Headline series for PRV01 written through the pipeline (write, then derive), for the tests of
SPC charts, run charts and change points wherever they are shown."""

from django.db import transaction

from indicators.models import ChangePoint, Indicator, Period, SeriesAnalytics
from ingest.derive import analytics_derive
from ingest.writing import observations_incoming, observations_write
from tests import reference_data
from tests.extracts import extract, values_frame

REASON = "New discharge-to-assess pathway, Oct 2024"


def year_labels(count: int) -> list[str]:
    """``count`` financial years from 2000/01."""
    return [f"{year}/{(year + 1) % 100:02d}" for year in range(2000, 2000 + count)]


def headline_series(labels: list[str]) -> SeriesAnalytics:
    """PRV01 for the headline area over ``labels``, with counts, derived: its analytics."""
    values = [15.0 + (number % 3) for number in range(len(labels))]
    frame = values_frame(
        [
            ("PRV01", "E54000039", label, value, value - 0.5, value + 0.5)
            for label, value in zip(labels, values, strict=True)
        ]  # fmt: skip
    )
    frame["denominator"] = 10_000.0
    frame["count"] = frame["value"] * 100
    with transaction.atomic():
        observations_write(observations_incoming(frame), extract=extract())
        analytics_derive(indicator_ids=[Indicator.objects.get(code="PRV01").pk])
    return SeriesAnalytics.objects.get(basis="shown", area__code="E54000039", category="")


def load_series(values: list[float], areas=("E54000039",)) -> list[str]:
    """PRV01 ``values`` in each area, one a year from 2000/01, derived: the period labels."""
    periods = year_labels(len(values))
    rows = [
        ("PRV01", area, period, value, value - 0.5, value + 0.5)
        for area in areas
        for period, value in zip(periods, values, strict=True)
    ]
    frame = values_frame(rows)  # no counts: the values are used exactly as given
    with transaction.atomic():
        observations_write(observations_incoming(frame), extract=extract())
        analytics_derive(indicator_ids=[Indicator.objects.get(code="PRV01").pk])
    return periods


def rebase_case_values() -> list[float]:
    """The reference SPC rebase case (24 values around 0, new phase at point 13), shifted by
    50 as rates cannot be negative."""
    (case,) = [
        case
        for case in reference_data.spc_cases()["cases"]
        if case["id"] == "synthetic_rebase_at_13"
    ]
    return [50.0 + value for value in case["input"]["values"]]


def rebased_values() -> tuple[list[float], int]:
    """The reference rebase case, lengthened by two points so that both phases have 13; and
    the position of the change."""
    values = rebase_case_values()
    values += values[:2]
    return values, 13


def series_with_change_point(values: list[float], start: int) -> list[str]:
    """PRV01 for the headline area with an analyst's change point at ``start``."""
    periods = load_series(values)
    indicator = Indicator.objects.get(code="PRV01")
    ChangePoint.objects.create(
        indicator=indicator, period=Period.objects.get(label=periods[start]), reason=REASON
    )
    with transaction.atomic():
        analytics_derive(indicator_ids=[indicator.pk])
    return periods
