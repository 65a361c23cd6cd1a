"""The geography import: areas, their parents in every hierarchy, and the small areas of a
deprivation edition with their deciles (docs/design.md §4.2, docs/geography.md).

Like every import, it reads the whole file, checks every row and writes only when there are
no errors, in one transaction; it upserts by code, so a second run changes nothing.
"""

from __future__ import annotations

from typing import IO

from django.db import transaction

from indicators import audit
from indicators.models import (
    Area,
    AreaAlias,
    AreaDeprivation,
    AreaLink,
    AreaType,
    AuditAction,
    DeprivationEdition,
)
from indicators.services import ImportFailed, ImportReport, read_csv_rows
from indicators.system import deprivation_current
from indicators.vocabulary import DEFAULT_DEPRIVATION, DEFAULT_SMALL_AREAS, DEPRIVATION_AREA_TYPE

AREA_COLUMNS = ["code", "name", "area_type", "parent_code"]


def areas_import(
    *, areas_file: IO | str, deprivation: str | None = None, small_areas: str | None = None
) -> ImportReport:
    """Upsert areas by code. Parents may come after their children in the file or already be
    in the registry; unknown parents, unknown area types and cycles are refused.

    The optional ``also_in`` column lists further parents in other hierarchies, separated by
    ``|`` (an LSOA's district beside its sub-ICB parent, a system's locality): a listed
    parent replaces the area's earlier link to a parent of the same area type, and other
    links are kept. Written in bulk, so all of England's LSOAs load in seconds; one audit
    event records the import.

    The optional ``aliases`` column lists the area's other codes, separated by ``|``: its ODS
    code, or a newer ONS code a boundary file uses (``AreaAlias``).

    The file's small areas (LSOAs, and any area given an ``imd_decile``) are written as the
    small areas of the deprivation edition ``deprivation`` (default: the system's), created
    on the small-area vintage ``small_areas`` when it is new (docs/geography.md)."""
    rows = read_csv_rows(areas_file, required=AREA_COLUMNS, what="areas")
    errors: list[str] = []
    edition = _edition_for(deprivation, small_areas, errors)
    area_types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    registry = {
        code: (parent, type_id)
        for code, parent, type_id in Area.objects.values_list("code", "parent__code", "area_type")
    }
    parsed: dict[str, tuple[int, dict]] = {}
    for line, row in rows:
        code = row["code"]
        if not code:
            errors.append(f"Line {line}: area code is empty.")
            continue
        if code in parsed:
            errors.append(
                f"Line {line}: area {code} appears twice (first on line {parsed[code][0]})."
            )
            continue
        if not row["name"]:
            errors.append(f"Line {line}: area {code} has no name.")
        if row["area_type"] not in area_types:
            errors.append(
                f"Line {line}: area type {row['area_type']!r} is not known; "
                f"use one of {', '.join(sorted(area_types))}."
            )
        decile = row.get("imd_decile", "")
        if decile and (not decile.isdigit() or not 1 <= int(decile) <= 10):
            errors.append(f"Line {line}: imd_decile {decile!r} must be a whole number 1–10.")
            decile = ""
        population = row.get("population", "").replace(",", "")
        if population and not population.isdigit():
            errors.append(f"Line {line}: population {row['population']!r} is not a whole number.")
            population = ""
        if row["parent_code"] == code:
            errors.append(f"Line {line}: area {code} names itself as its parent.")
        also_in = [part.strip() for part in row.get("also_in", "").split("|") if part.strip()]
        if code in also_in:
            errors.append(f"Line {line}: area {code} names itself in also_in.")
        parsed[code] = (
            line,
            {
                "name": row["name"],
                "area_type": row["area_type"],
                "parent_code": row["parent_code"],
                "decile": int(decile) if decile else None,
                "small": row["area_type"] == DEPRIVATION_AREA_TYPE or bool(decile),
                "population": int(population) if population else None,
                "also_in": [other for other in also_in if other != code],
                "aliases": [
                    part.strip() for part in row.get("aliases", "").split("|") if part.strip()
                ],  # fmt: skip
            },
        )

    parent_of = {code: parent for code, (parent, _) in registry.items()} | {
        code: values["parent_code"] or None for code, (_, values) in parsed.items()
    }
    for code, (line, values) in parsed.items():
        parent = values["parent_code"]
        if parent and parent not in parent_of:
            errors.append(
                f"Line {line}: parent {parent!r} of area {code} is neither in the file nor in the registry."
            )
        for other in values["also_in"]:
            if other not in parent_of:
                errors.append(
                    f"Line {line}: also_in area {other!r} of area {code} is neither in the file "
                    "nor in the registry."
                )
    errors += _cycle_errors(parsed, parent_of)
    errors += _alias_errors(parsed, parent_of)
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        report = _areas_write(parsed, area_types)
        ranked = _deprivation_write(parsed, edition) | _aliases_write(parsed)
        report.changed += [code for code in report.unchanged if code in ranked]
        report.unchanged = [code for code in report.unchanged if code not in ranked]
        if report.created or report.changed:
            audit.record(
                action=AuditAction.CHANGED,
                details={"areas import": {"created": len(report.created),
                                          "changed": len(report.changed),
                                          "deprivation": str(edition)}},
            )  # fmt: skip
    small = sum(values["small"] for _, values in parsed.values())
    if small:
        report.detail = f"{small} small areas of {edition}"
    return report


def _edition_for(name: str | None, small_areas: str | None, errors: list[str]):
    """The edition the file's deciles belong to: the one named, else the system's. A new
    edition needs its small-area vintage; an existing one must not be given another."""
    name = name or deprivation_current().name
    edition = DeprivationEdition.objects.filter(name=name).first()
    if edition is not None:
        if small_areas and small_areas != edition.small_areas:
            errors.append(
                f"Deprivation edition {name} ranks {edition.small_areas}, not {small_areas}: "
                "an edition has one small-area vintage."
            )
        return edition
    if not small_areas and name == DEFAULT_DEPRIVATION:
        small_areas = DEFAULT_SMALL_AREAS
    if not small_areas:
        errors.append(
            f"Deprivation edition {name} is new: say which small areas it ranks "
            '(--small-areas, e.g. "LSOA 2021").'
        )
    return DeprivationEdition(name=name, small_areas=small_areas or "")


def _deprivation_write(parsed: dict[str, tuple[int, dict]], edition) -> set[str]:
    """The file's small areas become the edition's, with their deciles; the codes of the
    areas whose edition row was created or changed."""
    small = {code: values["decile"] for code, (_, values) in parsed.items() if values["small"]}
    if not small:
        return set()
    if edition.pk is None:
        edition.save()
    ids = dict(Area.objects.filter(code__in=list(small)).values_list("code", "id"))
    held = {
        row.area_id: row
        for row in AreaDeprivation.objects.filter(edition=edition, area_id__in=list(ids.values()))
    }
    fresh, changed, touched = [], [], set()
    for code, decile in small.items():
        row = held.get(ids[code])
        if row is None:
            fresh.append(AreaDeprivation(edition=edition, area_id=ids[code], decile=decile))
        elif row.decile != decile:
            row.decile = decile
            changed.append(row)
        else:
            continue
        touched.add(code)
    AreaDeprivation.objects.bulk_create(fresh, batch_size=5000)
    AreaDeprivation.objects.bulk_update(changed, ["decile"], batch_size=5000)
    return touched


def _areas_write(parsed: dict[str, tuple[int, dict]], area_types: dict) -> ImportReport:
    """Create new areas parents first (so each is written once, with its parent), update the
    areas that changed, then set further parents: the file's order does not matter."""
    report = ImportReport()
    existing = {area.code: area for area in Area.objects.filter(code__in=list(parsed))}
    parent_codes = {values["parent_code"] for _, values in parsed.values()} - {""}
    ids = dict(Area.objects.filter(code__in=list(parent_codes)).values_list("code", "id"))
    ids |= {code: area.pk for code, area in existing.items()}

    def fields_of(values) -> dict:
        fields = {key: values[key] for key in ("name", "population")}
        return fields | {"area_type_id": area_types[values["area_type"]].pk}

    new = [code for code in parsed if code not in existing]
    for level in _levels(new, {code: parsed[code][1]["parent_code"] for code in new}):
        created = Area.objects.bulk_create(
            [
                Area(
                    code=code,
                    parent_id=ids.get(parsed[code][1]["parent_code"]),
                    **fields_of(parsed[code][1]),
                )
                for code in level
            ],  # fmt: skip
            batch_size=5000,
        )
        ids |= {area.code: area.pk for area in created}
        report.created += level
    changed = []
    for code, area in existing.items():
        values = parsed[code][1]
        fields = fields_of(values) | {"parent_id": ids.get(values["parent_code"])}
        if any(getattr(area, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(area, key, value)
            changed.append(area)
            report.changed.append(code)
    Area.objects.bulk_update(changed, ["name", "population", "area_type", "parent"], batch_size=500)
    linked = _links_write(parsed, ids | dict(
        Area.objects.filter(
            code__in=[other for _, values in parsed.values() for other in values["also_in"]]
        ).values_list("code", "id")
    ))  # fmt: skip
    written = set(report.created) | set(report.changed)
    report.changed += [code for code in parsed if code in linked and code not in written]
    report.unchanged = [code for code in parsed if code not in written and code not in linked]
    return report


def _levels(codes: list[str], parent_of: dict[str, str]) -> list[list[str]]:
    """New areas in rounds: each area after its parent when the parent is new too."""
    depth: dict[str, int] = {}
    for code in codes:
        chain = []
        while code in parent_of and code not in depth and code not in chain:
            chain.append(code)
            code = parent_of[code]
        level = depth.get(code, -1)
        for item in reversed(chain):
            level += 1
            depth[item] = level
    rounds: dict[int, list[str]] = {}
    for code in codes:
        rounds.setdefault(depth[code], []).append(code)
    return [rounds[level] for level in sorted(rounds)]


def _links_write(parsed: dict[str, tuple[int, dict]], ids: dict[str, int]) -> set[str]:
    """A listed further parent replaces the area's link to a parent of the same type. The
    codes of the areas whose links changed."""
    listed = {code: values["also_in"] for code, (_, values) in parsed.items() if values["also_in"]}
    touched: set[str] = set()
    if not listed:
        return touched
    type_of = dict(
        Area.objects.filter(
            id__in=[ids[other] for others in listed.values() for other in others]
        ).values_list("id", "area_type_id")
    )
    links = AreaLink.objects.filter(area_id__in=[ids[code] for code in listed])
    held: dict[int, dict[int, int]] = {}  # area → {parent type: link's parent}
    for area_id, parent_id, parent_type in links.values_list(
        "area_id", "parent_id", "parent__area_type_id"
    ):
        held.setdefault(area_id, {})[parent_type] = parent_id
    stale, fresh = [], []
    for code, others in listed.items():
        area_id = ids[code]
        for other in others:
            parent_id = ids[other]
            before = held.get(area_id, {}).get(type_of[parent_id])
            if before == parent_id:
                continue
            if before is not None:
                stale.append((area_id, before))
            fresh.append(AreaLink(area_id=area_id, parent_id=parent_id))
            touched.add(code)
    for area_id, parent_id in stale:
        AreaLink.objects.filter(area_id=area_id, parent_id=parent_id).delete()
    AreaLink.objects.bulk_create(fresh, batch_size=5000)
    return touched


def _cycle_errors(parsed: dict, parent_of: dict[str, str | None]) -> list[str]:
    """Cycles through parents and also_in links (a depth-first walk, each area once)."""
    graph = {code: [parent] for code, parent in parent_of.items() if parent}
    for code, (_, values) in parsed.items():
        graph.setdefault(code, []).extend(values["also_in"])
    errors, state = [], {}  # state: 1 on the current path, 2 done
    for start in parsed:
        if state.get(start):
            continue
        path, stack = [], [(start, iter(graph.get(start, ())))]
        state[start] = 1
        path.append(start)
        while stack:
            code, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                state[code] = 2
                stack.pop()
                path.pop()
            elif state.get(parent) == 1:
                cycle = path[path.index(parent) :] + [parent]
                line = parsed[cycle[0]][0] if cycle[0] in parsed else parsed[start][0]
                errors.append(f"Line {line}: areas form a cycle: {' → '.join(cycle)}.")
                state[parent] = 2  # report each cycle once
            elif not state.get(parent):
                state[parent] = 1
                path.append(parent)
                stack.append((parent, iter(graph.get(parent, ()))))
    return errors


def _alias_errors(parsed: dict, parent_of: dict[str, str | None]) -> list[str]:
    """An alias may not be an area's own code, nor another area's alias; an area's code may
    not be an alias already."""
    errors, owner = [], dict(AreaAlias.objects.values_list("code", "area__code"))
    for code, (line, values) in parsed.items():
        if code in owner:
            errors.append(f"Line {line}: area code {code} is already an alias of {owner[code]}.")
        for alias in values["aliases"]:
            if alias in parent_of:
                errors.append(f"Line {line}: alias {alias!r} of area {code} is an area's own code.")
            elif owner.setdefault(alias, code) != code:
                errors.append(
                    f"Line {line}: alias {alias!r} of area {code} already names area {owner[alias]}."
                )
    return errors


def _aliases_write(parsed: dict[str, tuple[int, dict]]) -> set[str]:
    """Add the file's aliases (kept when a later file leaves them out); the codes of the
    areas given a new one."""
    listed = {alias: code for code, (_, values) in parsed.items() for alias in values["aliases"]}
    if not listed:
        return set()
    held = set(AreaAlias.objects.filter(code__in=list(listed)).values_list("code", flat=True))
    ids = dict(Area.objects.filter(code__in=set(listed.values())).values_list("code", "id"))
    fresh = [AreaAlias(code=alias, area_id=ids[code])
             for alias, code in listed.items() if alias not in held]  # fmt: skip
    AreaAlias.objects.bulk_create(fresh, batch_size=5000)
    return {listed[alias.code] for alias in fresh}
