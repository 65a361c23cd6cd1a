from django.core.management.base import BaseCommand, CommandError

from indicators.areas_import import areas_import
from indicators.management.commands.import_registry import _existing
from indicators.services import ImportFailed


class Command(BaseCommand):
    help = (
        "Import areas from CSV (code,name,area_type,parent_code[,imd_decile,population,also_in]), "
        "upserting by code. The file's LSOAs and deciles are the small areas of a deprivation "
        "edition (--deprivation, default the system's). Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("areas_csv")
        parser.add_argument(
            "--deprivation",
            help='The deprivation edition of the imd_decile column, e.g. "IMD 2025" '
            "(default: the one the system uses).",
        )
        parser.add_argument(
            "--small-areas",
            help='The small-area vintage a new edition ranks, e.g. "LSOA 2021".',
        )

    def handle(self, *args, areas_csv, deprivation=None, small_areas=None, **options):
        try:
            report = areas_import(
                areas_file=_existing(areas_csv), deprivation=deprivation, small_areas=small_areas
            )
        except ImportFailed as failure:
            for message in failure.errors:
                self.stderr.write(message)
            raise CommandError(f"{failure} from {areas_csv}") from None
        self.stdout.write(report.summary("Areas"))
