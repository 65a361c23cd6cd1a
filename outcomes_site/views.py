from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
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
