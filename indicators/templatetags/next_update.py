"""``{% next_update_expected indicator points as next_update %}``: when the indicator's next
data is expected (``indicators.next_update``), from a series already read for the page
(``points`` with each period's ``end`` and ``period`` label, such as the indicator page's
headline series), so the page runs no query for it; None before its first data."""

from django import template

from indicators.next_update import next_update

register = template.Library()


@register.simple_tag
def next_update_expected(indicator, points):
    if not points:
        return None
    latest = max(points, key=lambda point: point.end)
    return next_update(
        frequency=indicator.frequency,
        lag_months=indicator.publication_lag_months,
        latest_period_end=latest.end,
        latest_period=latest.period,
    )
