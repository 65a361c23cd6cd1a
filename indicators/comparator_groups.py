"""Writing comparator groups generated from data: the ICBs of each NHS region, the local
authorities of each ONS region, and an area's nearest neighbours (docs/nearest-neighbours.md).

Groups are upserted by code, so running a command again refreshes its groups; a code that
already names a group of another kind is refused and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from indicators import audit
from indicators.models import (
    Area,
    AuditAction,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorKind,
)
from indicators.statistics.common import StatisticsInputError
from indicators.statistics.neighbours import DEFAULT_K, nearest_neighbours

AREA_PROFILES_FILE = Path(settings.BASE_DIR) / "fixtures" / "area_profiles.csv"
# The features of docs/nearest-neighbours.md, in the words the method note uses.
NEIGHBOUR_FEATURES = {
    "share_imd_decile_1_2": "share of LSOAs in national deciles 1-2",
    "mean_income_decile": "mean income decile",
    "mean_employment_decile": "mean employment decile",
    "mean_education_decile": "mean education decile",
    "mean_health_decile": "mean health decile",
    "mean_crime_decile": "mean crime decile",
    "mean_housing_access_decile": "mean barriers to housing and services decile",
    "mean_environment_decile": "mean living environment decile",
}
# Region area type → (group kind, the area type of its members, group code prefix, wording).
REGION_GROUPS = {
    "region": (ComparatorKind.NHS_REGION, "icb", "NHSREG", "ICBs"),
    "ons_region": (ComparatorKind.ONS_REGION, "local_authority", "ONSREG", "local authorities"),
}


class ComparatorGroupError(Exception):
    """A group that cannot be made; the message says why, and nothing was written."""


@dataclass
class GroupWritten:
    group: ComparatorGroup
    created: bool
    members: list[Area]
    skipped: list[str] = field(default_factory=list)  # codes not in the area registry

    def summary(self) -> str:
        verb = "Created" if self.created else "Updated"
        text = f"{verb} {self.group.code} ({self.group.name}): {len(self.members)} members."
        if self.skipped:
            text += (
                f" Not in the area registry, so left out: {', '.join(self.skipped)} "
                "(import them with import_areas and run this again to include them)."
            )
        return text


def area_profiles_read(path: Path = AREA_PROFILES_FILE) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"area_code": str, "area_type": str})


def neighbours_method_note(*, k: int, candidates: int, area_type_name: str) -> str:
    return (
        f"Nearest neighbours by deprivation: the {k} areas, of the {candidates} of this type "
        f"({area_type_name}) in England, most like this one on IMD 2019 (LSOA 2011): "
        f"{', '.join(NEIGHBOUR_FEATURES.values())}. Each feature is standardised (z-score "
        "over all candidates), distance is Euclidean, ties go to the lower area code. "
        "The area itself is listed first, then its neighbours, nearest first."
    )


def neighbours_group_build(
    *, area_code: str, k: int = DEFAULT_K, code: str = "", profiles: pd.DataFrame | None = None
) -> GroupWritten:
    """Create or update the ``nearest_neighbours`` group of an ICB or upper-tier LA."""
    area = Area.objects.select_related("area_type").filter(code=area_code).first()
    if area is None:
        raise ComparatorGroupError(
            f"{area_code} is not in the area registry: import it with import_areas first."
        )
    profiles = area_profiles_read() if profiles is None else profiles
    candidates = profiles[profiles["area_type"] == area.area_type.code]
    if area_code not in set(candidates["area_code"]):
        raise ComparatorGroupError(
            f"{area_code} ({area.area_type.name}) has no deprivation profile: nearest "
            "neighbours are computed for ICBs and upper-tier local authorities only."
        )
    try:
        neighbours = nearest_neighbours(
            candidates["area_code"].tolist(),
            candidates[list(NEIGHBOUR_FEATURES)].to_numpy(),
            area=area_code,
            k=k,
        )
    except StatisticsInputError as error:
        raise ComparatorGroupError(str(error)) from None
    ordered = [area_code] + [neighbour.code for neighbour in neighbours]
    return _group_write(
        code=code or f"NN-{area_code}",
        name=f"{area.name} and its {len(neighbours)} nearest neighbours",
        kind=ComparatorKind.NEAREST_NEIGHBOURS,
        method_note=neighbours_method_note(
            k=len(neighbours), candidates=len(candidates), area_type_name=area.area_type.name
        ),
        member_codes=ordered,
    )


def region_groups_build() -> list[GroupWritten]:
    """One group per NHS region (its ICBs) and per ONS region (its local authorities), from
    the area tree; regions without such children make no group."""
    written = []
    regions = Area.objects.filter(area_type__code__in=REGION_GROUPS).select_related("area_type")
    for region in regions.order_by("area_type__code", "name"):
        kind, member_type, prefix, wording = REGION_GROUPS[region.area_type.code]
        members = list(
            region.children.filter(area_type__code=member_type)
            .order_by("name", "code")
            .values_list("code", flat=True)
        )
        if not members:
            continue
        written.append(
            _group_write(
                code=f"{prefix}-{region.code}",
                name=f"{region.name} {wording}",
                kind=kind,
                method_note=f"The {wording} in {region.name} ({region.area_type.name}), "
                "from the area registry, in name order.",
                member_codes=members,
            )
        )
    return written


@transaction.atomic
def _group_write(*, code, name, kind, method_note, member_codes) -> GroupWritten:
    existing = ComparatorGroup.objects.filter(code=code).first()
    if existing is not None and existing.kind != kind:
        raise ComparatorGroupError(
            f"{code} is already a comparator group of another kind "
            f"({existing.get_kind_display()}): choose another code with --code."
        )
    found = Area.objects.in_bulk(member_codes, field_name="code")
    members = [found[member] for member in member_codes if member in found]
    group, created = ComparatorGroup.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "method_note": method_note}
    )
    before = list(group.members.order_by("position").values_list("area_id", flat=True))
    group.members.all().delete()
    ComparatorGroupMember.objects.bulk_create(
        ComparatorGroupMember(group=group, area=area, position=position)
        for position, area in enumerate(members, start=1)
    )
    if before != [area.pk for area in members]:
        # Written in bulk, so no signal says so: the audit log (and with it the data version
        # that keys cached pages) learns of the new members here.
        audit.record(
            action=AuditAction.CHANGED, obj=group,
            details={"members": [area.code for area in members]},
        )  # fmt: skip
    return GroupWritten(
        group=group,
        created=created,
        members=members,
        skipped=[member for member in member_codes if member not in found],
    )
