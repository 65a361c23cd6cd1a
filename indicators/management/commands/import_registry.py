from django.core.management.base import BaseCommand, CommandError

from indicators.services import ImportFailed, registry_import


class Command(BaseCommand):
    help = (
        "Import the indicator registry (and optionally domains) from CSV, upserting by code. "
        "Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("indicators_csv", help="Indicators CSV (columns as demo_framework.csv)")
        parser.add_argument(
            "--domains", help="Domains CSV: code,name,reporting_question,lead_forum,order"
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish new indicators (default: draft)"
        )

    def handle(self, *args, indicators_csv, domains=None, publish=False, **options):
        try:
            reports = registry_import(
                indicators_file=_existing(indicators_csv),
                domains_file=_existing(domains),
                publish=publish,
            )
        except ImportFailed as failure:
            for message in failure.errors:
                self.stderr.write(message)
            raise CommandError(f"{failure} from {indicators_csv}") from None
        for noun, report in reports.items():
            self.stdout.write(report.summary(noun.capitalize()))


def _existing(path):
    if path is None:
        return None
    try:
        open(path, "rb").close()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None
    return path
