"""When an indicator's next data is expected: the period after its latest one, plus its
publication lag; shown on the indicator page, listed when overdue or due, and in the API."""

import io
from datetime import date

import pytest

from indicators.next_update import (
    NextUpdate,
    add_months,
    indicators_next_update,
    next_update_expected,
)
from indicators.services import ImportFailed, registry_import
from tests.review_scenario import LIVE, process, values_file


@pytest.mark.parametrize(
    "latest_period_end, frequency, lag_months, expected",
    [
        # 2023/24 ends 31 Mar 2024; 2024/25 ends 31 Mar 2025; a year later, March 2026.
        (date(2024, 3, 31), "annual", 12, date(2026, 3, 31)),
        # Calendar 2023; 2024 ends 31 Dec 2024; eleven months later, 30 Nov 2025.
        (date(2023, 12, 31), "annual", 11, date(2025, 11, 30)),
        # Pooled 2021 - 23 is followed by 2022 - 24, ending 31 Dec 2024.
        (date(2023, 12, 31), "annual", 0, date(2024, 12, 31)),
        # 2024/25 Q2 (Jul-Sep 2024); Q3 ends 31 Dec 2024; three months later, 31 Mar 2025.
        (date(2024, 9, 30), "quarterly", 3, date(2025, 3, 31)),
        # Jan 2024; Feb 2024 ends on the 29th (a leap year); two months later, 30 Apr 2024.
        (date(2024, 1, 31), "monthly", 2, date(2024, 4, 30)),
    ],
)
def test_next_update_is_the_next_periods_end_plus_the_lag(
    latest_period_end, frequency, lag_months, expected
):
    assert (
        next_update_expected(
            latest_period_end=latest_period_end, frequency=frequency, lag_months=lag_months
        )
        == expected
    )


def test_adding_months_keeps_a_month_end_a_month_end():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 2, 28), 12) == date(2024, 2, 29)
    assert add_months(date(2024, 9, 30), 3) == date(2024, 12, 31)
    assert add_months(date(2024, 1, 15), 1) == date(2024, 2, 15)
    assert add_months(date(2024, 1, 30), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 14) == date(2026, 1, 31)


def test_overdue_and_due_soon():
    update = NextUpdate(date(2027, 3, 31), "2024/25", 12, True)
    assert update.status(date(2027, 4, 1)) == "overdue"
    assert update.status(date(2027, 3, 31)) == "due_soon"
    assert update.status(date(2027, 3, 1)) == "due_soon"
    assert update.status(date(2027, 2, 27)) == ""


@pytest.fixture
def live(framework, geography):
    return process(values_file(LIVE), "live.csv", publish=True)


def test_each_indicators_next_update_in_two_queries(live, framework, django_assert_num_queries):
    smoking, screening = framework["smoking"], framework["screening"]
    with django_assert_num_queries(2):
        updates = indicators_next_update([smoking.pk, screening.pk])
    # PRV01's latest period is 2023/24; annual, with the default lag of a year.
    assert updates[smoking.pk] == NextUpdate(date(2026, 3, 31), "2023/24", 12, True)
    assert updates[screening.pk] is None  # no data yet
    smoking.publication_lag_months = 9
    smoking.save()
    assert indicators_next_update([smoking.pk])[smoking.pk].expected == date(2025, 12, 31)


def test_the_indicator_page_says_when_the_next_update_is_expected(client, viewer, live):
    client.force_login(viewer)
    page = client.get("/indicators/PRV01/").text
    assert "Next update expected" in page and "March 2026" in page
    page = client.get("/indicators/LTC03/").text
    assert "Not known until its first data arrives" in page


def test_the_registry_import_reads_a_publication_lag(framework):
    header = "code,domain_code,name,definition,value_type,multiplier,polarity,frequency,ci_method,publication_lag_months\n"
    good = header + "PRV01,OVR,Smoking,Def.,proportion,100,lower_better,annual,wilson,10\n"
    registry_import(indicators_file=io.StringIO(good))
    framework["smoking"].refresh_from_db()
    assert framework["smoking"].publication_lag_months == 10
    bad = header + "PRV01,OVR,Smoking,Def.,proportion,100,lower_better,annual,wilson,soon\n"
    with pytest.raises(ImportFailed) as failure:
        registry_import(indicators_file=io.StringIO(bad))
    assert failure.value.errors == ["Line 2: publication_lag_months 'soon' is not a whole number."]


def test_the_api_gives_each_indicator_its_next_update(client, viewer, live):
    client.force_login(viewer)
    rows = {row["code"]: row for row in client.get("/api/indicators/").json()["results"]}
    assert rows["PRV01"]["next_update_expected"] == "2026-03-31"
    assert rows["LTC03"]["next_update_expected"] is None
