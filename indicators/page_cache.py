"""Pages built once per version of what they show, and served from the shared cache after
(docs/architecture.md, "Cached pages").

What costs a page its time is its body: 200 indicators' statuses and sparklines, 153 areas'
rows and charts. That body is the same for everyone in one **audience** (protected viewers,
or analysts, who see drafts and unsuppressed numbers) until the data changes, so it is
rendered once and kept under a key of:

- the page: its path, its query string and, for htmx, which part of it was asked for;
- the audience, and whatever else the view says the body depends on (``vary``);
- the data version (``indicators.data_version``), which changes with every publication,
  revert, narrative, registry or configuration edit;
- today's date (a page may say what is overdue) and the release (the templates and code
  that drew it), so a new deployment never serves old drawings.

Nothing personal is cached: a page's blocks (``BLOCKS``: its title, head, breadcrumbs,
content and scripts) are, and the frame around them — who is signed in, the log-out form and
its CSRF token, messages, the footer — is rendered for each request from ``base.html``.
When many readers ask at once for a page not yet drawn for this version, one draws it and
the others wait for its drawing (up to ``DRAWING_SECONDS``) rather than each drawing it
again. A cache that is down is a miss (``outcomes_site.cache``): the page is built as before.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache as memoize
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django_htmx.http import push_url
from render_block import render_block_to_string

from indicators.data_version import data_version
from indicators.selectors import protects

# base.html's blocks a page fills; the test of this module checks base.html has no others.
BLOCKS = ("title", "head", "breadcrumbs", "content", "scripts")
SHELL = "page_from_cache.html"
# Long enough to serve a day's readers, short enough that keys of past versions, which are
# never asked for again, leave the cache on their own.
TIMEOUT_SECONDS = 6 * 60 * 60
# How long a reader waits for another process drawing the same page before drawing it too.
DRAWING_SECONDS = 20
# What a release is made of: the code and templates that draw pages.
RELEASE_SOURCES = ("indicators", "reporting", "explorer", "outcomes_site", "templates")


@memoize
def release() -> str:
    """A digest of the code and templates, read once per process."""
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for folder in RELEASE_SOURCES:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def audience(user) -> str:
    """Who a page's body is drawn for: everyone but analysts sees protected numbers."""
    return "protected" if protects(user) else "analyst"


def _key(kind: str, *parts) -> str:
    """A cache key of ``parts`` for the data as it is now, drawn by this release."""
    joined = "\x1f".join(map(str, [*parts, data_version(), release()]))
    return f"{kind}:{hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()}"


def page_key(request, *, part: str = "", vary: Iterable = ()) -> str:
    """The cache key of what ``request`` is shown (module docstring)."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    trigger = (request.htmx.trigger_name or "") if request.htmx else ""
    return _key(
        "page", request.path, query, part, trigger, audience(request.user), *vary,
        datetime.date.today().isoformat(),
    )  # fmt: skip


def cached_by_version(name: str, compute: Callable[[], object], *parts) -> object:
    """What ``compute()`` returns, computed once per data version and release: for the lists
    every page's filters read (indicators, areas, periods), which change only with the data."""
    key = _key("read", name, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def _drawn_elsewhere(key: str) -> dict | None:
    """When another process is drawing this page (a new version, many readers at once), wait
    for its drawing rather than draw it again; None to draw it here (nobody is drawing it,
    the drawer failed or took too long, or the cache is down)."""
    deadline = time.monotonic() + DRAWING_SECONDS
    while cache.get(key + ":drawing") and time.monotonic() < deadline:
        time.sleep(0.05)
        kept = cache.get(key)
        if kept is not None:
            return kept
    return None


@dataclass
class Drawn:
    """What a view draws: its template's context, its status (400 when the query string
    named something unknown, with the page still shown), warnings for the reader (shown as
    messages each time the page is served) and, for htmx, the address of what is shown
    (pushed to the browser's history, so a bookmark shows the same)."""

    context: dict
    status: int = 200
    warnings: list[str] = field(default_factory=list)
    push_url: str = ""


def render_page(
    request, template: str, draw: Callable[[], Drawn | dict], *, vary: Iterable = ()
) -> HttpResponse:
    """``template`` drawn with what ``draw()`` returns, its blocks from the cache when this
    page was drawn for this audience and version before (then ``draw`` is not called). For
    htmx, ``template`` names the partial to answer with (``page.html#results``), cached whole."""
    name, _, part = template.partition("#")
    partial = bool(request.htmx and part)
    key = page_key(request, part=part if partial else "", vary=vary)
    kept = cache.get(key) or _drawn_elsewhere(key)
    if kept is None:
        cache.add(key + ":drawing", True, DRAWING_SECONDS)
        try:
            drawn = draw()
            if not isinstance(drawn, Drawn):
                drawn = Drawn(drawn)
            if partial:
                html = render_to_string(template, drawn.context, request)
            else:
                html = {
                    block: render_block_to_string(name, block, drawn.context, request)
                    for block in BLOCKS
                }
            kept = {
                "html": html, "status": drawn.status, "warnings": drawn.warnings,
                "push_url": drawn.push_url,
            }  # fmt: skip
            cache.set(key, kept, TIMEOUT_SECONDS)
        finally:
            cache.delete(key + ":drawing")
    for warning in kept["warnings"]:
        messages.warning(request, warning)
    if partial:
        response = HttpResponse(kept["html"], status=kept["status"])
    else:
        blocks = {block: mark_safe(html) for block, html in kept["html"].items()}  # noqa: S308 - ours
        response = render(request, SHELL, {"blocks": blocks}, status=kept["status"])
    if request.htmx and kept["push_url"]:
        push_url(response, kept["push_url"])
    return response
