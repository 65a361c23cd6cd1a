"""The configured system (``System``): the one read every page makes to know whose framework
it shows, its headline area and its benchmark.

Read once per request: ``SystemMiddleware`` gives each request a fresh memo, so a page that
asks ten times costs one query, and an edit in the admin is seen by the next request in every
process (no cross-process cache to invalidate). Outside a request (commands, tasks) every
call reads the database, which is one small query.

A fresh install has no System row; pages still work with ``system_unconfigured()`` — England
as headline and benchmark, named "Outcomes" — and the framework summary tells analysts to
configure one (``manage.py import_system`` or the admin).
"""

from __future__ import annotations

import contextvars

from indicators.models import SYSTEM_PK, Area, AreaType, DeprivationEdition, System
from indicators.vocabulary import DEFAULT_DEPRIVATION, DEFAULT_SMALL_AREAS, ENGLAND_CODE

UNCONFIGURED_NAME = "Outcomes"

_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("system_memo", default=None)


class SystemMiddleware:
    """A fresh memo for ``system_current`` per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def request_memo() -> dict | None:
    """This request's memo (None outside a request), for other reads made once per request."""
    return _memo.get()


def system_current() -> System:
    """The configured system with its headline area (and that area's type and parent) and
    benchmark area; the unconfigured stand-in when there is none. One query per request."""
    memo = _memo.get()
    if memo is not None and "system" in memo:
        return memo["system"]
    system = (
        System.objects.select_related(
            "headline_area__area_type",
            "headline_area__parent",
            "benchmark_area",
            "deprivation_edition",
        )
        .filter(pk=SYSTEM_PK)
        .first()
    ) or system_unconfigured()
    if memo is not None:
        memo["system"] = system
    return system


def system_unconfigured() -> System:
    """An unsaved System standing in until one is configured: England (from the registry when
    it is there) as both headline and benchmark, so pages show England's values."""
    england = Area.objects.select_related("area_type").filter(code=ENGLAND_CODE).first()
    if england is None:  # not even England loaded yet: pages show no data, but they work
        england = Area(code=ENGLAND_CODE, name="England", area_type=AreaType(code="england"))
    system = System(
        name=UNCONFIGURED_NAME, short_name=UNCONFIGURED_NAME,
        headline_area=england, benchmark_area=england,
    )  # fmt: skip
    system.is_configured = False
    return system


def deprivation_current() -> DeprivationEdition:
    """The deprivation edition the system breaks extracts down by: the one it chose, else
    the first loaded (the shipped IMD 2019), else an unsaved stand-in naming the default."""
    system = system_current()
    if system.deprivation_edition_id is not None:
        return system.deprivation_edition
    memo = _memo.get()
    if memo is not None and "deprivation" in memo:
        return memo["deprivation"]
    edition = DeprivationEdition.objects.first() or DeprivationEdition(
        name=DEFAULT_DEPRIVATION, small_areas=DEFAULT_SMALL_AREAS
    )
    if memo is not None:
        memo["deprivation"] = edition
    return edition
