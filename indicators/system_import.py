"""The system configuration file (``manage.py import_system FILE.toml``): read, check, write.

The file says whose framework this instance shows (the ``[system]`` table) and which groups of
areas people compare with (``[[comparator_groups]]``); the README ("Set up your own system")
shows its format. ``system_file_read`` checks the whole file and raises ``SystemFileError``
with every problem, each naming its field (``comparator_groups[2].members[1]``, counted from
1 as a person reads the file) and, for TOML syntax, its line. ``system_import`` writes a
checked file in one transaction, so a bad file changes nothing and a good one is applied whole.
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from django.db import transaction

from indicators.models import (
    SYSTEM_PK,
    Area,
    AreaAlias,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorKind,
    DeprivationEdition,
    System,
    comparator_members_mixed,
)
from indicators.vocabulary import ENGLAND_CODE


class SystemFileError(Exception):
    """The file cannot be imported; ``messages`` says every reason."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


# key → (type, required, longest text allowed or None)
SYSTEM_KEYS = {
    "name": (str, True, System._meta.get_field("name").max_length),
    "short_name": (str, True, System._meta.get_field("short_name").max_length),
    "headline_area": (str, True, None),
    "benchmark_area": (str, False, None),
    "framework_title": (str, False, System._meta.get_field("framework_title").max_length),
    "introduction": (str, False, None),
    "deprivation": (str, False, None),
}
GROUP_KEYS = {
    "code": (str, True, ComparatorGroup._meta.get_field("code").max_length),
    "name": (str, True, ComparatorGroup._meta.get_field("name").max_length),
    "kind": (str, True, None),
    "members": (list, True, None),
    "default": (bool, False, None),
    "method_note": (str, False, None),
}
TOP_KEYS = ("system", "comparator_groups")
TYPE_NAMES = {str: "a string", list: "a list", bool: "true or false", dict: "a table"}


@dataclass(frozen=True)
class GroupConfig:
    code: str
    name: str
    kind: str
    method_note: str
    is_default: bool
    members: list[Area]


@dataclass(frozen=True)
class SystemConfig:
    name: str
    short_name: str
    headline_area: Area
    benchmark_area: Area
    framework_title: str
    introduction: str
    groups: list[GroupConfig]
    deprivation: DeprivationEdition | None = None  # None: the file leaves it as it is


# --- Read and check --------------------------------------------------------------------------


def system_file_read(data: bytes) -> SystemConfig:
    """The checked configuration in ``data`` (the file's bytes); raises SystemFileError."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise SystemFileError([f"the file is not UTF-8 text ({error.reason})"]) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends "(at line N, column M)": the line the analyst needs.
        raise SystemFileError([f"TOML syntax error: {error}"]) from None
    errors: list[str] = []
    for key in document:
        if key not in TOP_KEYS:
            errors.append(f"{key}: unknown key (expected {' or '.join(TOP_KEYS)})")
    system = document.get("system")
    if system is None:
        errors.append("system: missing (the file needs a [system] table)")
        system = {}
    elif not isinstance(system, dict):
        errors.append("system: must be a table ([system])")
        system = {}
    groups = document.get("comparator_groups", [])
    if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
        errors.append("comparator_groups: must be tables ([[comparator_groups]])")
        groups = []

    system = _checked_table(system, SYSTEM_KEYS, "system", errors)
    groups = [
        _checked_table(group, GROUP_KEYS, f"comparator_groups[{number}]", errors)
        for number, group in enumerate(groups, start=1)
    ]
    areas = _areas_named(system, groups)

    headline = _area(system.get("headline_area"), "system.headline_area", areas, errors)
    benchmark = _area(
        system.get("benchmark_area", ENGLAND_CODE), "system.benchmark_area", areas, errors
    )
    group_configs = _checked_groups(groups, areas, errors)
    deprivation = _edition(system.get("deprivation"), errors)
    if errors:
        raise SystemFileError(errors)
    return SystemConfig(
        name=system["name"], short_name=system["short_name"],
        headline_area=headline, benchmark_area=benchmark,
        framework_title=system.get("framework_title", ""),
        introduction=system.get("introduction", ""), groups=group_configs,
        deprivation=deprivation,
    )  # fmt: skip


def _edition(name: str | None, errors: list[str]) -> DeprivationEdition | None:
    if name is None:
        return None
    edition = DeprivationEdition.objects.filter(name=name).first()
    if edition is None:
        loaded = ", ".join(DeprivationEdition.objects.values_list("name", flat=True)) or "none"
        errors.append(
            f"system.deprivation: {name!r} is not a loaded deprivation edition (loaded: "
            f"{loaded}); load it first with manage.py import_areas --deprivation"
        )
    return edition


def _checked_table(table: dict, keys: dict, where: str, errors: list[str]) -> dict:
    """``table`` with only its well-typed known keys (strings stripped); a message in
    ``errors`` for every unknown key, missing required key and wrong type."""
    checked = {}
    for key, value in table.items():
        if key not in keys:
            errors.append(f"{where}.{key}: unknown key (expected one of {', '.join(keys)})")
            continue
        kind, required, longest = keys[key]
        if type(value) is not kind:  # type(), not isinstance(): true is not a number here
            errors.append(f"{where}.{key}: must be {TYPE_NAMES[kind]}")
            continue
        if kind is str:
            value = value.strip()
            if required and not value:
                errors.append(f"{where}.{key}: must not be empty")
                continue
            if longest is not None and len(value) > longest:
                errors.append(f"{where}.{key}: longer than {longest} characters")
                continue
        checked[key] = value
    for key, (_, required, _) in keys.items():
        if required and key not in table:
            errors.append(f"{where}.{key}: missing (required)")
    return checked


def _areas_named(system: dict, groups: list[dict]) -> dict[str, Area]:
    """Every area the file names, by its code or an alias (an ICB's ODS code, say), in two
    queries."""
    codes = {system.get("headline_area"), system.get("benchmark_area", ENGLAND_CODE)}
    for group in groups:
        codes |= {code for code in group.get("members", []) if isinstance(code, str)}
    codes.discard(None)
    areas = Area.objects.select_related("area_type")
    named = areas.in_bulk(list(codes), field_name="code")
    for alias in AreaAlias.objects.filter(code__in=list(codes - set(named))).select_related(
        "area__area_type"
    ):
        named[alias.code] = alias.area
    return named


def _area(code: str | None, where: str, areas: dict[str, Area], errors: list[str]):
    if code is None:
        return None  # already reported as missing
    area = areas.get(code)
    if area is None:
        errors.append(f"{where}: no area has the code {code}")
    return area


def _checked_groups(groups: list[dict], areas: dict[str, Area], errors: list[str]):
    configs, seen_codes, defaults = [], set(), []
    for number, group in enumerate(groups, start=1):
        where = f"comparator_groups[{number}]"
        code = group.get("code")
        if code is not None:
            if code in seen_codes:
                errors.append(f"{where}.code: {code} is already used by an earlier group")
            seen_codes.add(code)
        kind = group.get("kind")
        if kind is not None and kind not in ComparatorKind.values:
            errors.append(
                f"{where}.kind: unknown kind {kind!r} (expected one of "
                f"{', '.join(ComparatorKind.values)})"
            )
        if group.get("default"):
            defaults.append(code or where)
        members = _checked_members(group.get("members"), where, areas, errors)
        if members is not None:  # with any error the file is refused whole, configs unused
            configs.append(
                GroupConfig(
                    code=code, name=group.get("name"), kind=kind,
                    method_note=group.get("method_note", ""),
                    is_default=group.get("default", False), members=members,
                )
            )  # fmt: skip
    if len(defaults) > 1:
        errors.append(
            f"comparator_groups: more than one group is the default ({', '.join(defaults)}); "
            "at most one may say default = true"
        )
    return configs


def _checked_members(codes: list | None, where: str, areas: dict[str, Area], errors: list[str]):
    if codes is None:
        return None  # missing or of the wrong type: already reported
    if not codes:
        errors.append(f"{where}.members: a group needs at least one member")
        return None
    members, ok = [], True
    for number, code in enumerate(codes, start=1):
        field = f"{where}.members[{number}]"
        if not isinstance(code, str):
            errors.append(f"{field}: must be an area code in quotes")
            ok = False
        elif code in areas and areas[code] in members:
            errors.append(f"{field}: {code} is already a member of this group")
            ok = False
        elif code not in areas:
            errors.append(f"{field}: no area has the code {code}")
            ok = False
        else:
            members.append(areas[code])
    mixed = comparator_members_mixed(members)
    if mixed:
        errors.append(f"{where}.members: {mixed}")
        ok = False
    return members if ok else None


# --- Write ------------------------------------------------------------------------------------


@transaction.atomic
def system_import(config: SystemConfig, *, replace_groups: bool = False) -> list[str]:
    """Write a checked configuration: upsert the system and the groups (by code; a group's
    members become the file's list), and with ``replace_groups`` delete groups the file does
    not name. Rows are saved one by one so the audit log records each change. Returns a line
    per system or group saying what happened."""
    report = [_system_write(config)]
    default = next((group.code for group in config.groups if group.is_default), None)
    if default is not None:  # the file names the default, so no other group may keep it
        for other in ComparatorGroup.objects.filter(is_default=True).exclude(code=default):
            other.is_default = False
            other.save()
            report.append(f"Comparator group {other.code}: no longer the default")
    for group in config.groups:
        report.append(_group_write(group))
    if replace_groups:
        named = [group.code for group in config.groups]
        for group in ComparatorGroup.objects.exclude(code__in=named):
            group.delete()
            report.append(f"Comparator group {group.code}: deleted (not in the file)")
    return report


def _system_write(config: SystemConfig) -> str:
    system = System.objects.filter(pk=SYSTEM_PK).first()
    created = system is None
    system = system or System(pk=SYSTEM_PK)
    wanted = {
        "name": config.name, "short_name": config.short_name,
        "headline_area_id": config.headline_area.pk, "benchmark_area_id": config.benchmark_area.pk,
        "framework_title": config.framework_title, "introduction": config.introduction,
    }  # fmt: skip
    if config.deprivation is not None:
        wanted["deprivation_edition_id"] = config.deprivation.pk
    elif created:  # the edition in use is then written down, for the admin to show
        wanted["deprivation_edition_id"] = DeprivationEdition.objects.values_list(
            "pk", flat=True
        ).first()
    if not created and all(getattr(system, key) == value for key, value in wanted.items()):
        return f"System {config.short_name}: unchanged"
    for key, value in wanted.items():
        setattr(system, key, value)
    system.save(force_insert=created)
    return f"System {config.short_name}: {'created' if created else 'updated'}"


def _group_write(config: GroupConfig) -> str:
    group = ComparatorGroup.objects.filter(code=config.code).first()
    created = group is None
    group = group or ComparatorGroup(code=config.code)
    wanted = {
        "name": config.name, "kind": config.kind, "method_note": config.method_note,
        "is_default": config.is_default,
    }  # fmt: skip
    changed = created or any(getattr(group, key) != value for key, value in wanted.items())
    if changed:
        for key, value in wanted.items():
            setattr(group, key, value)
        group.save()
    stored = list(group.members.order_by("position").values_list("area_id", flat=True))
    if stored != [area.pk for area in config.members]:
        changed = True
        for member in group.members.all():
            member.delete()
        for position, area in enumerate(config.members, start=1):
            ComparatorGroupMember(group=group, area=area, position=position).save()
    state = "created" if created else "updated" if changed else "unchanged"
    return f"Comparator group {config.code}: {state} ({len(config.members)} members)"
