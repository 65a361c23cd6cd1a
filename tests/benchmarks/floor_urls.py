"""The project's URLs plus the benchmark floor: a minimal view running one indexed query
through the same middleware (sessions, login, CSRF) as every page."""

from django.http import HttpResponse
from django.urls import path

from indicators.models import Indicator
from outcomes_site.urls import handler500
from outcomes_site.urls import urlpatterns as site_urlpatterns

FLOOR_PATH = "/bench/floor/"


def floor(request):
    name = Indicator.objects.filter(code="OVR01").values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor), *site_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
