"""Session expiry on top of Django's: an idle limit and an absolute limit from sign-in.

Django's SESSION_COOKIE_AGE restarts whenever the session is saved, so on its own it is
neither. This middleware signs the user out after SESSION_IDLE_TIMEOUT seconds without a
request, and SESSION_COOKIE_AGE seconds after sign-in whatever they do. It writes the session
at most once a minute, so pages do not each pay for a session update.

Two guards below answer 400 to requests no view should see: a NUL in the address, and a
query string or form too big to read.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest
from django.urls import get_resolver, get_urlconf

SIGNED_IN_AT = "outcomes_signed_in_at"
LAST_SEEN = "outcomes_last_seen"
LAST_SEEN_GRANULARITY = 60  # seconds


def stamp_session_at_sign_in(sender, request, user, **kwargs):
    """Start both clocks at sign-in, so the login's own session save carries them and the
    first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)  # LoginRequiredMiddleware then sends them to sign in
            elif LAST_SEEN not in session or now - last_seen >= LAST_SEEN_GRANULARITY:
                session[LAST_SEEN] = now
        return self.get_response(request)


class RejectNullCharactersMiddleware:
    """Answer 400 to a URL holding a NUL character (raw or %00), in its path or query string.

    No real URL has one, and PostgreSQL refuses NUL in text, so a lookup by such a code would
    otherwise fail as a 500. Forms reject NUL in the values they read; this covers the codes
    in paths (/domains/<code>/) and parameters no form reads (the admin's search)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in query or "%00" in query:
            return HttpResponseBadRequest("The address contains a NUL character.")
        return self.get_response(request)


class RejectUnreadableRequestDataMiddleware:
    """Answer the site's 400 page when the query string or form is too big to read: more
    than DATA_UPLOAD_MAX_NUMBER_FIELDS fields or DATA_UPLOAD_MAX_NUMBER_FILES files, or a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django answers these with a 400 itself, but with DEBUG on its technical error page reads
    request.GET again, which raises again, and the answer becomes a 500. Reading the data
    here, before any view, gives the same 400 page whatever DEBUG is."""

    UNREADABLE = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018 - parsed (and cached) here for its error
            if request.method == "POST":
                request.POST  # noqa: B018
        except self.UNREADABLE as error:
            # The logger Django would use for this SuspiciousOperation.
            logging.getLogger(f"django.security.{type(error).__name__}").warning(str(error))
            handler = get_resolver(get_urlconf()).resolve_error_handler(400)
            return handler(request, exception=error)
        return self.get_response(request)
