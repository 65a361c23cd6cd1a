"""When each indicator's next data is expected, and which are overdue or due soon.

The next period ends one frequency step after the latest period with data (a month, a
quarter or a year: a pooled ``2021 - 23`` is followed by ``2022 - 24``), and is published
its publication lag after that: the indicator's ``publication_lag_months``, or by default 2
months for monthly, 3 for quarterly and 12 for annual indicators. Fingertips releases most
annual indicators about a year after the period ends. The admin's list and the API read each
indicator's latest period here; the indicator page takes it from the headline series it has
read already (``indicators.templatetags.next_update``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from indicators.models import Indicator, Observation, Period
from indicators.periods import month_end

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
DEFAULT_LAG_MONTHS = {"monthly": 2, "quarterly": 3, "annual": 12}
DUE_SOON = timedelta(days=31)


@dataclass(frozen=True)
class NextUpdate:
    expected: date
    latest_period: str  # the label of the latest period with data
    lag_months: int
    lag_is_default: bool

    def status(self, today: date | None = None) -> str:
        """``overdue``, ``due_soon`` (within a month) or ``""``."""
        today = today or timezone.localdate()
        if self.expected < today:
            return "overdue"
        return "due_soon" if self.expected <= today + DUE_SOON else ""

    @property
    def overdue(self) -> bool:
        return self.status() == "overdue"


def next_update(
    *, frequency: str, lag_months: int | None, latest_period_end: date, latest_period: str
) -> NextUpdate | None:
    """The indicator's next update after its latest period (None for a frequency we do not
    know); ``lag_months`` None means the frequency's default."""
    if frequency not in FREQUENCY_MONTHS:
        return None
    months = DEFAULT_LAG_MONTHS[frequency] if lag_months is None else lag_months
    return NextUpdate(
        expected=next_update_expected(
            latest_period_end=latest_period_end, frequency=frequency, lag_months=months
        ),
        latest_period=latest_period,
        lag_months=months,
        lag_is_default=lag_months is None,
    )


def next_update_expected(*, latest_period_end: date, frequency: str, lag_months: int) -> date:
    """The end of the period after the latest, plus the publication lag."""
    return add_months(latest_period_end, FREQUENCY_MONTHS[frequency] + lag_months)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; a month's last day stays its month's last day (periods
    end on one), and a day the shorter month lacks becomes its last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_end(year, month + 1)
    if day == month_end(day.year, day.month):
        return last
    return last.replace(day=min(day.day, last.day))


def indicators_next_update(indicator_ids) -> dict[int, NextUpdate | None]:
    """Each indicator's next update expected (None when it has no data yet), in two queries
    whatever the number of indicators: the latest period is found through the observations'
    (indicator, period) index, newest period first."""
    with_data = Observation.objects.filter(
        indicator_id=OuterRef(OuterRef("pk")), period_id=OuterRef("pk")
    )
    latest = Period.objects.filter(Exists(with_data)).order_by("-end", "-sort_key")
    rows = list(
        Indicator.objects.filter(pk__in=list(indicator_ids))
        .annotate(latest_period_id=Subquery(latest.values("pk")[:1]))
        .values_list("pk", "frequency", "publication_lag_months", "latest_period_id")
    )
    periods = Period.objects.in_bulk([row[3] for row in rows if row[3] is not None])
    updates: dict[int, NextUpdate | None] = {}
    for pk, frequency, lag, period_id in rows:
        period = periods.get(period_id)
        updates[pk] = (
            None
            if period is None
            else next_update(
                frequency=frequency, lag_months=lag, latest_period_end=period.end,
                latest_period=period.label,
            )
        )  # fmt: skip
    return updates
