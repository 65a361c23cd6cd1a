import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from outcomes_site.health import broker_status, database_status


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: 200 when the database and broker answer."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(
        status == "ok" or status.startswith("not configured") for status in checks.values()
    )
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows after too many failed sign-ins (its AXES_LOCKOUT_CALLABLE)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


# Seconds a client is asked to wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 30


def server_error(request):
    """handler500: a database that cannot be reached (restarting, failing over) is a temporary
    outage, answered as a plain 503 page with Retry-After; anything else is the usual 500.

    Rendered without the request, so no context processor touches the database again. The
    broken connection is dropped at the end of the request and, with CONN_HEALTH_CHECKS,
    replaced on the next one: service resumes by itself when the database is back."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)
