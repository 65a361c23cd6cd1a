from django.core.management.base import BaseCommand, CommandError

from indicators.management.commands.import_registry import _existing
from indicators.services import ImportFailed, targets_import


class Command(BaseCommand):
    help = (
        "Import baselines and targets from CSV (indicator_code, area_code, sex, baseline_period, "
        "baseline_value, baseline_lower_95, baseline_upper_95, target_value or target_lower and "
        "target_upper, target_period, target_source, target_source_detail). Nothing is written "
        "if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("targets_csv")

    def handle(self, *args, targets_csv, **options):
        try:
            reports = targets_import(targets_file=_existing(targets_csv))
        except ImportFailed as failure:
            for message in failure.errors:
                self.stderr.write(message)
            raise CommandError(f"{failure} from {targets_csv}") from None
        for noun, report in reports.items():
            self.stdout.write(report.summary(noun.capitalize()))
