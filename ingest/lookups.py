"""Read the registry into the plain structures the pure pipeline steps take.

Validation, roll-up and compute import no Django: the pipeline hands them these snapshots.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Count

from indicators.models import (
    Area,
    AreaAlias,
    AreaDeprivation,
    AreaLink,
    AreaType,
    DeprivationEdition,
    Indicator,
    Observation,
)
from indicators.system import deprivation_current
from indicators.vocabulary import DEFAULT_SMALL_AREAS, DEPRIVATION_AREA_TYPE
from ingest.rollup import AreaTree, IndicatorSpec, TreeArrays
from ingest.validation.registry import IndicatorInfo, Registry, SmallAreaVintage

FREQUENCY_PERIOD_KIND = {"monthly": "month", "quarterly": "quarter", "annual": "financial_year"}
# Fingertips "Area Type" texts for --create-areas.
FINGERTIPS_AREA_TYPES = {
    "england": "england", "country": "england", "region": "ons_region",
    "nhs region": "region", "nhs regions": "region", "regions": "ons_region",
    "county & ua": "local_authority", "counties & uas": "local_authority",
    "counties and unitary authorities": "local_authority", "upper tier local authority": "local_authority",
    "ua": "local_authority", "icb": "icb", "integrated care board": "icb",
    "nhs integrated care boards": "icb", "sub-icb": "sub_icb", "nhs sub integrated care boards": "sub_icb",
    "pcn": "pcn", "gp": "practice", "gps": "practice", "gp practice": "practice", "lsoa": "lsoa",
}  # fmt: skip


def indicator_period_kinds() -> dict[int, str]:
    """Each indicator's usual period kind: the commonest among its stored values, else what
    its frequency suggests (annual indicators are taken as financial years)."""
    kinds: dict[int, str] = {}
    counts = (
        Observation.objects.values("indicator_id", "period__kind")
        .annotate(n=Count("id"))
        .order_by("indicator_id", "-n")
    )
    for row in counts:
        kinds.setdefault(row["indicator_id"], row["period__kind"])
    return kinds


def validation_registry(
    *, create_areas: bool = False, skip_unknown_indicators: bool = False
) -> Registry:
    kinds = indicator_period_kinds()
    infos = [
        IndicatorInfo(
            code=indicator.code,
            value_type=indicator.value_type,
            polarity=indicator.polarity,
            frequency=indicator.frequency,
            period_kind=kinds.get(indicator.pk, FREQUENCY_PERIOD_KIND[indicator.frequency]),
            multiplier=indicator.multiplier,
            fingertips_id=indicator.fingertips_id,
        )
        for indicator in Indicator.objects.all()
    ]
    areas = geography()
    vintage = SmallAreaVintage(
        name=areas.small_areas, edition=areas.arrays.deprivation, others=areas.outside_vintage
    )
    return Registry.build(
        infos,
        areas.codes,
        aliases=dict(AreaAlias.objects.values_list("code", "area__code")),
        vintage=vintage,
        create_areas=create_areas,
        skip_unknown_indicators=skip_unknown_indicators,
    )


def indicator_specs() -> dict[str, IndicatorSpec]:
    return {
        indicator.code: IndicatorSpec(
            code=indicator.code,
            value_type=indicator.value_type,
            multiplier=indicator.multiplier,
            breakdowns=tuple(indicator.breakdowns),
            default_age=indicator.default_age,
        )
        for indicator in Indicator.objects.all()
    }


# All of England's geography is 33,000 areas. What the pipeline builds from them is kept for
# as long as the geography's fingerprint is unchanged: in the process, and as plain arrays in
# VAR_DIR/cache, so a fresh worker process reads it in milliseconds (PostgreSQL; elsewhere
# it is built afresh each time).
_geography: dict[str, object] = {}
FINGERPRINT_SQL = """
    SELECT concat_ws(':', count(*), max(id), sum(id * coalesce(parent_id, 0)),
                     sum(id * area_type_id),
                     sum(id * length(code)), sum(id * ascii(right(code, 1))),
                     (SELECT concat_ws(':', count(*), max(id), sum(id * area_id),
                                       sum(id * parent_id))
                      FROM indicators_arealink),
                     (SELECT concat_ws(':', count(*), max(id), sum(id * area_id),
                                       sum(id * coalesce(decile, 0)))
                      FROM indicators_areadeprivation WHERE edition_id = %s))
    FROM indicators_area
"""
TREE_FIELDS = ("parent", "type_code", "decile", "ancestors", "has_children", "signature",
               "signature_ancestors")  # fmt: skip


def geography_fingerprint(edition: DeprivationEdition) -> str | None:
    """Changes whenever any area's code, type or parent, any link, or the system's
    deprivation edition or its small areas and deciles do."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, [edition.pk or 0])
        text = f"{edition.pk}:{edition.name}:{cursor.fetchone()[0]}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, eq=False)
class Geography:
    """What the pipeline reads of the areas: the roll-up's tree, every parent of every area
    in every hierarchy (secondary suppression's groups) and the codes (validation)."""

    arrays: TreeArrays
    parents: pd.DataFrame  # area_id, parent_id, child_type
    small_areas: str = DEFAULT_SMALL_AREAS  # the vintage the edition ranks
    # LSOAs of another vintage than the edition's (say LSOA 2011 codes once LSOA 2021 is
    # loaded): left out of the tree, so they neither roll up nor count towards a parent's
    # coverage, and named in validation's message when an extract uses one.
    outside_vintage: frozenset[str] = frozenset()

    @property
    def codes(self) -> list[str]:
        return self.arrays.codes.tolist()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial.npz")
        np.savez(
            partial,
            codes=np.asarray(self.arrays.codes, dtype=str),
            type_names=np.asarray(self.arrays.type_names, dtype=str),
            edition=np.asarray([self.arrays.deprivation, self.small_areas], dtype=str),
            outside_vintage=np.asarray(sorted(self.outside_vintage), dtype=str),
            **{name: getattr(self.arrays, name) for name in TREE_FIELDS},
            **{f"parents_{name}": self.parents[name].to_numpy() for name in self.parents},
        )
        partial.replace(path)  # whole or not at all: another process may be reading

    @classmethod
    def load(cls, path: Path) -> Geography:
        with np.load(path, allow_pickle=False) as saved:
            deprivation, small_areas = saved["edition"].tolist()
            arrays = TreeArrays(
                codes=pd.Index(saved["codes"].tolist(), dtype=object),
                type_names=saved["type_names"].astype(object),
                deprivation=deprivation,
                **{name: saved[name] for name in TREE_FIELDS},
            )
            parents = pd.DataFrame(
                {name: saved[f"parents_{name}"] for name in ("area_id", "parent_id", "child_type")}
            )
            outside = frozenset(saved["outside_vintage"].tolist())
        return cls(arrays=arrays, parents=parents, small_areas=small_areas, outside_vintage=outside)


def geography() -> Geography:
    edition = deprivation_current()
    fingerprint = geography_fingerprint(edition)
    if fingerprint is None:
        return _geography_build(edition)
    if _geography.get("fingerprint") == fingerprint:
        return _geography["value"]
    database = re.sub(r"\W", "_", str(connection.settings_dict["NAME"]))
    folder = Path(settings.VAR_DIR) / "cache"
    path = folder / f"geography-{database}-{fingerprint}.npz"
    try:
        value = Geography.load(path)
    except (OSError, ValueError, KeyError):  # absent or unreadable: build it again
        value = _geography_build(edition)
        try:
            for stale in folder.glob(f"geography-{database}-*.npz"):
                stale.unlink(missing_ok=True)
            value.save(path)
        except OSError:  # a read-only VAR_DIR only costs speed
            pass
    _geography.update(fingerprint=fingerprint, value=value)
    return value


def _geography_build(edition: DeprivationEdition) -> Geography:
    # Plain cursors and columns: the ORM's row objects cost more than the work itself here.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT area.id, area.code, area.parent_id, area.area_type_id, ranked.decile, "
            f"ranked.id IS NOT NULL FROM {Area._meta.db_table} area "
            f"LEFT JOIN {AreaDeprivation._meta.db_table} ranked "
            "ON ranked.area_id = area.id AND ranked.edition_id = %s",
            [edition.pk or 0],
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT area_id, parent_id FROM {AreaLink._meta.db_table}")
        link_rows = cursor.fetchall()
    type_names = dict(AreaType.objects.values_list("id", "code"))
    outside_vintage: frozenset[str] = frozenset()
    if any(row[5] for row in rows):  # the edition has small areas: others are another vintage
        outside = [
            row for row in rows if not row[5] and type_names[row[3]] == DEPRIVATION_AREA_TYPE
        ]
        outside_vintage = frozenset(row[1] for row in outside)
        left_out = {row[0] for row in outside}
        rows = [row for row in rows if row[0] not in left_out]
        link_rows = [link for link in link_rows if link[0] not in left_out]
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 6
    ids, codes, parent_ids, type_ids, deciles, _ = columns
    code_of = dict(zip(ids, codes, strict=True))
    linked: dict[str, tuple[str, ...]] = {}
    for area_id, parent_id in link_rows:
        code = code_of[area_id]
        linked[code] = (*linked.get(code, ()), code_of[parent_id])
    tree = AreaTree(
        area_type=dict(zip(codes, [type_names[item] for item in type_ids], strict=True)),
        parent=dict(zip(codes, [code_of.get(item) for item in parent_ids], strict=True)),
        imd_decile={code: int(item) for code, item in zip(codes, deciles, strict=True) if item},
        links=linked,
        deprivation=edition.name,
    )
    type_of = dict(zip(ids, type_ids, strict=True))
    pairs = [(area, parent, kind) for area, parent, kind in zip(ids, parent_ids, type_ids, strict=True)
             if parent is not None]  # fmt: skip
    pairs += [(area, parent, type_of[area]) for area, parent in link_rows]
    parents = pd.DataFrame(pairs, columns=["area_id", "parent_id", "child_type"], dtype="int64")
    return Geography(
        arrays=tree.arrays,
        parents=parents.drop_duplicates(["area_id", "parent_id"]),
        small_areas=edition.small_areas,
        outside_vintage=outside_vintage,
    )


def area_parents() -> pd.DataFrame:
    """Every (area, parent) pair in every hierarchy, with the child's area type: the
    geography's additive groups for secondary suppression."""
    return geography().parents


def area_type_for_fingertips_names() -> dict[str, AreaType]:
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    mapped = {name: types[code] for name, code in FINGERTIPS_AREA_TYPES.items() if code in types}
    mapped |= {code: area_type for code, area_type in types.items()}
    mapped |= {area_type.name.lower(): area_type for area_type in types.values()}
    return mapped
