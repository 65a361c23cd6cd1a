"""Number formatting for reporting pages: one decimal place, thousands separators, units."""

from django import template

register = template.Library()


@register.filter
def number(value, places=1):
    """1234.567 → "1,234.6"; None → an en dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return f"{value:,.{int(places)}f}"


@register.filter
def with_unit(value, unit):
    """A value in its unit: "23.4%", "312.0 per 100,000"."""
    text = number(value)
    if text == "–" or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


@register.filter
def signed(value):
    """A change with its sign: "+1.2", "-0.4"."""
    if value is None:
        return "–"
    return f"{value:+,.1f}"


@register.filter
def cell(value, places=1):
    """A table cell: numbers to ``places`` decimal places (whole numbers, such as counts,
    to none), text as it is, blanks as an en dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return number(value, 0 if isinstance(value, int) else places)
