from django.core.management.base import BaseCommand, CommandError

from indicators.services import ImportFailed
from ingest.change_points import change_points_import


class Command(BaseCommand):
    help = (
        "Import SPC change points from CSV (indicator_code, area_code (blank: every area), "
        "period (the first period of the new phase), reason) and re-derive the indicators' "
        "SPC. Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("change_points_csv")

    def handle(self, *args, change_points_csv, **options):
        try:
            open(change_points_csv, "rb").close()
        except OSError as error:
            raise CommandError(f"Cannot read {change_points_csv}: {error.strerror}") from None
        try:
            report = change_points_import(change_points_file=change_points_csv)
        except ImportFailed as failure:
            for message in failure.errors:
                self.stderr.write(message)
            raise CommandError(f"{failure} from {change_points_csv}") from None
        self.stdout.write(report.summary("Change points"))
