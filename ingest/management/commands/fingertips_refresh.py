from django.core.management.base import BaseCommand, CommandError

from ingest.queue import fingertips_refresh_submit
from ingest.refresh import RefreshRefused


class Command(BaseCommand):
    help = (
        "Fetch the Fingertips API's data for indicators with a Fingertips id, at the area types "
        "the registry uses, and send each through the pipeline as a values extract (reviewed "
        "before it goes live unless INGEST_AUTO_PUBLISH is on). Exits non-zero if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--indicator", action="append", metavar="CODE",
            help="Only this indicator (repeat for more); default: every one with a Fingertips id",
        )  # fmt: skip

    def handle(self, *args, indicator=None, **options):
        try:
            outcomes = fingertips_refresh_submit(indicator_codes=indicator)
        except RefreshRefused as refusal:
            raise CommandError(refusal.message) from None
        if not outcomes:
            self.stdout.write("No indicator has a Fingertips id: nothing to refresh.")
            return
        failed = []
        for outcome in outcomes:
            extract = outcome.extract
            if extract is not None:
                extract.refresh_from_db()
                if extract.status == "failed":
                    failed.append(outcome.indicator)
                    self.stderr.write(f"{outcome.indicator}: {extract.error_summary}")
                    continue
                status = extract.get_status_display().lower()
                self.stdout.write(f"{outcome.indicator}: {outcome.message} Now {status}.")
            else:
                self.stdout.write(f"{outcome.indicator}: {outcome.message}")
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} indicators could not be refreshed: "
                f"{', '.join(failed)}."
            )
