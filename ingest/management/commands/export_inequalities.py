from django.core.management.base import BaseCommand

from indicators.exports import inequalities_for_export, write_inequalities_csv


class Command(BaseCommand):
    help = "Write inequality summaries (SII, RII, gap, ratio) as CSV (docs/design.md §4.5)."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", help="Indicator code (repeatable)")
        parser.add_argument("--area", action="append", help="Area code (repeatable)")
        parser.add_argument("--period", action="append", help="Period label (repeatable)")

    def handle(self, *args, indicator=None, area=None, period=None, **options):
        rows = inequalities_for_export(
            indicator_codes=indicator, area_codes=area, period_labels=period
        )
        write_inequalities_csv(self.stdout, rows)
