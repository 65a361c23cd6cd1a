from django.core.management.base import BaseCommand, CommandError

from indicators.exports import observations_for_export, write_export_csv
from indicators.models import Indicator


class Command(BaseCommand):
    help = (
        "Write stored observations as CSV in the Fingertips download layout (docs/design.md §4.5)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--indicator", action="append", required=True, help="Indicator code (repeatable)"
        )
        parser.add_argument("--area", action="append", help="Area code (repeatable)")
        parser.add_argument(
            "--period", action="append", help="Period label, e.g. 2023/24 (repeatable)"
        )

    def handle(self, *args, indicator, area=None, period=None, **options):
        unknown = sorted(
            set(indicator)
            - set(Indicator.objects.filter(code__in=indicator).values_list("code", flat=True))
        )
        if unknown:
            raise CommandError(f"Unknown indicator code(s): {', '.join(unknown)}")
        rows = observations_for_export(
            indicator_codes=indicator, area_codes=area, period_labels=period
        )
        write_export_csv(self.stdout, rows)
