"""The area types Outcomes knows, kept as data: a migration creates them and every migrate
(and test-database flush) makes sure they are still there."""

AREA_TYPES = [
    # code, name, level (0 = England; larger = smaller areas), note shown with the type
    ("england", "England", 0, ""),
    ("region", "NHS region", 1, ""),
    ("ons_region", "Region (ONS)", 1, ""),
    ("icb", "Integrated care board", 2, ""),
    ("sub_icb", "Sub-ICB location", 3, ""),
    ("local_authority", "Local authority (county or unitary)", 4, ""),
    ("district", "Local authority district (lower tier)", 5, ""),
    ("locality", "Locality partnership", 5,
     "Illustrative: built from MSOAs for the demo (not an official boundary)"),
    ("pcn", "Primary care network", 6, ""),
    ("practice", "GP practice", 7, ""),
    ("lsoa", "LSOA", 7, ""),  # the vintage is the deprivation edition's (DeprivationEdition)
]  # fmt: skip


# Areas that extracts give counts for and roll-ups start from; every other area is a sum.
SMALL_AREA_TYPES = frozenset({"lsoa", "practice"})


def ensure_area_types(area_type_model) -> None:
    for code, name, level, note in AREA_TYPES:
        area_type_model.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "note": note}
        )
