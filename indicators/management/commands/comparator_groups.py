from django.core.management.base import BaseCommand, CommandError

from indicators.comparator_groups import (
    ComparatorGroupError,
    neighbours_group_build,
    region_groups_build,
)
from indicators.statistics.neighbours import DEFAULT_K


class Command(BaseCommand):
    help = (
        "Generate comparator groups from data: --regions makes one group per NHS region (its "
        "ICBs) and per ONS region (its local authorities); --neighbours AREA_CODE makes the "
        "area's nearest-neighbour group (docs/nearest-neighbours.md). Groups are upserted by code."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--regions", action="store_true")
        action.add_argument("--neighbours", metavar="AREA_CODE")
        parser.add_argument(
            "--k", type=int, default=DEFAULT_K, help=f"Neighbours to find (default {DEFAULT_K})."
        )
        parser.add_argument(
            "--code", default="", help="Group code for --neighbours (default NN-<AREA_CODE>)."
        )

    def handle(self, *args, regions, neighbours, k, code, **options):
        try:
            if regions:
                written = region_groups_build()
                if not written:
                    raise ComparatorGroupError(
                        "No NHS or ONS region in the area registry has ICBs or local "
                        "authorities under it: import the areas first."
                    )
            else:
                written = [neighbours_group_build(area_code=neighbours, k=k, code=code)]
        except ComparatorGroupError as error:
            raise CommandError(str(error)) from None
        for group in written:
            self.stdout.write(group.summary())
