from django.db.models import Max

from indicators.models import Extract, ExtractStatus


def data_status(request):
    """Whether the data shown is synthetic, and when it last changed: for every page's banner
    and footer. Two small queries, evaluated only if a template uses them."""

    def synthetic():
        return Extract.objects.filter(is_synthetic=True, status=ExtractStatus.SUCCEEDED).exists()

    def last_updated():
        return Extract.objects.filter(status=ExtractStatus.SUCCEEDED).aggregate(
            latest=Max("finished_at")
        )["latest"]

    return {"data_is_synthetic": synthetic, "data_last_updated": last_updated}
