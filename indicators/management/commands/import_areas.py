from django.core.management.base import BaseCommand, CommandError

from indicators.management.commands.import_registry import _existing
from indicators.services import ImportFailed, areas_import


class Command(BaseCommand):
    help = (
        "Import areas from CSV (code,name,area_type,parent_code,imd2019_decile,population), "
        "upserting by code. Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("areas_csv")

    def handle(self, *args, areas_csv, **options):
        try:
            report = areas_import(areas_file=_existing(areas_csv))
        except ImportFailed as failure:
            for message in failure.errors:
                self.stderr.write(message)
            raise CommandError(f"{failure} from {areas_csv}") from None
        self.stdout.write(report.summary("Areas"))
