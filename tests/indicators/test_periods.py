from datetime import date

import pytest

from indicators.periods import PeriodLabelError, parse_period_label


@pytest.mark.parametrize(
    "label, kind, start, end, display",
    [
        ("2023/24", "financial_year", date(2023, 4, 1), date(2024, 3, 31), "2023/24"),
        ("1999/00", "financial_year", date(1999, 4, 1), date(2000, 3, 31), "1999/00"),
        ("2023", "calendar_year", date(2023, 1, 1), date(2023, 12, 31), "2023"),
        ("2021 - 23", "pooled_years", date(2021, 1, 1), date(2023, 12, 31), "2021 - 23"),
        ("2021-23", "pooled_years", date(2021, 1, 1), date(2023, 12, 31), "2021 - 23"),
        ("2018 - 2020", "pooled_years", date(2018, 1, 1), date(2020, 12, 31), "2018 - 20"),
        (
            "2019/20 - 21/22",
            "pooled_financial_years",
            date(2019, 4, 1),
            date(2022, 3, 31),
            "2019/20 - 21/22",
        ),
        ("2023/24 Q1", "quarter", date(2023, 4, 1), date(2023, 6, 30), "2023/24 Q1"),
        ("2023/24 Q2", "quarter", date(2023, 7, 1), date(2023, 9, 30), "2023/24 Q2"),
        ("2023/24 Q4", "quarter", date(2024, 1, 1), date(2024, 3, 31), "2023/24 Q4"),
        ("Q3 2023/24", "quarter", date(2023, 10, 1), date(2023, 12, 31), "2023/24 Q3"),
        ("2024 Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31), "2023/24 Q4"),
        ("Mar 2024", "month", date(2024, 3, 1), date(2024, 3, 31), "Mar 2024"),
        ("February 2024", "month", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        ("2024-03", "month", date(2024, 3, 1), date(2024, 3, 31), "Mar 2024"),
        ("2016-04-01", "month", date(2016, 4, 1), date(2016, 4, 30), "Apr 2016"),
        ("  2023/24 ", "financial_year", date(2023, 4, 1), date(2024, 3, 31), "2023/24"),
    ],
)
def test_reads_fingertips_and_iso_labels(label, kind, start, end, display):
    period = parse_period_label(label)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, display)


def test_academic_year_needs_a_hint():
    period = parse_period_label("2023/24", kind_hint="academic_year")
    assert (period.kind, period.start, period.end) == (
        "academic_year",
        date(2023, 9, 1),
        date(2024, 8, 31),
    )


def test_sort_key_orders_by_start_then_length():
    labels = ["2024", "Mar 2024", "2023/24", "2023/24 Q4", "Jan 2024", "2021 - 23"]
    ordered = sorted(labels, key=lambda label: parse_period_label(label).sort_key)
    assert ordered == ["2021 - 23", "2023/24", "Jan 2024", "2023/24 Q4", "2024", "Mar 2024"]


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", "next year", "2023/25", "2023/22", "2023/24 Q5", "Foo 2024", "2024-13", "2023 - 21",
     "2010 - 25", "24/25", "2024-00", "2024-02-30", "Q0 2023/24", "13/2024"],
)  # fmt: skip
def test_garbage_is_refused_with_the_label_in_the_message(garbage):
    with pytest.raises(PeriodLabelError, match="Cannot read the period"):
        parse_period_label(garbage)


def test_unknown_kind_hint_is_refused():
    with pytest.raises(PeriodLabelError, match="Unknown period kind"):
        parse_period_label("2023", kind_hint="fortnight")
