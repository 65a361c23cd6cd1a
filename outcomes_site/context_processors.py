from django.conf import settings
from django.db.models import Max

from indicators.disclosure import ANALYST_FOOTNOTE, FOOTNOTE
from indicators.models import Extract, ExtractStatus
from indicators.selectors import protects
from indicators.system import deprivation_current, system_current


def data_status(request):
    """Whether the data shown is synthetic, and when it last changed: for every page's banner
    and footer. Two small queries, evaluated only if a template uses them."""

    def synthetic():
        return Extract.objects.filter(is_synthetic=True, status=ExtractStatus.SUCCEEDED).exists()

    def last_updated():
        return Extract.objects.filter(status=ExtractStatus.SUCCEEDED).aggregate(
            latest=Max("finished_at")
        )["latest"]

    def disclosure_footnote():
        return FOOTNOTE if protects(request.user) else ANALYST_FOOTNOTE

    return {
        "data_is_synthetic": synthetic,
        "data_last_updated": last_updated,
        "disclosure_footnote": disclosure_footnote,
        "public_read": settings.PUBLIC_READ,
    }


def system(request):
    """The configured system (its names, headline and benchmark areas) and its deprivation
    edition for every template; read when a template first uses them, once per request."""
    return {"system": system_current, "deprivation": deprivation_current}
