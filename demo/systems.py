"""Which system the demo is for: ``fixtures/demo_system.toml``'s by default, or any ICB named
by its ONS code (E54…) or ODS code (Q…, one of its aliases in ``fixtures/areas.csv``), whose
system file is then written from the shipped geography (README, "Set up your own system")."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from demo.calibration import FIXTURES
from indicators.vocabulary import ENGLAND_CODE

DEFAULT_SYSTEM_FILE = "demo_system.toml"


class UnknownSystem(ValueError):
    """The code names no ICB; the message says what was expected."""


@dataclass(frozen=True)
class DemoSystem:
    icb: str  # the ICB's ONS code: the system's headline area
    name: str
    short_name: str
    system_file: Path | None = None  # the shipped file, for the default system

    @property
    def is_default(self) -> bool:
        return self.system_file is not None


@dataclass(frozen=True)
class Icb:
    name: str
    region: str  # its NHS region's code
    aliases: frozenset[str]  # its other codes: the ODS code, a newer boundary code


def _icbs(fixtures_dir: Path) -> dict[str, Icb]:
    """Every ICB in the shipped geography, by ONS code, in areas.csv order."""
    with (fixtures_dir / "areas.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["code"]: Icb(
                row["name"], row["parent_code"], frozenset(filter(None, row["aliases"].split("|")))
            )
            for row in csv.DictReader(handle)
            if row["area_type"] == "icb"
        }


def _icb_code(code: str, icbs: dict[str, Icb]) -> str | None:
    wanted = code.strip().upper()
    return next((ons for ons, icb in icbs.items() if wanted == ons or wanted in icb.aliases), None)


def _area_names(fixtures_dir: Path, codes: set[str]) -> dict[str, str]:
    with (fixtures_dir / "areas.csv").open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["code"] in codes}


def system_name(icb_name: str) -> str:
    """The system's name from its ICB's: "NHS Devon Integrated Care Board" → "Devon"."""
    return re.sub(r"^NHS\s+|\s+Integrated Care Board$", "", icb_name.strip())


def short_name(name: str) -> str:
    """A short name for page text: a name listing places becomes its initials (three or more,
    as systems abbreviate themselves), and a single place keeps its name."""
    if " and " not in name and "," not in name:
        return name
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    initials = "".join(word[0] for word in words if word[0].isupper())
    return initials if len(initials) >= 3 else name


def default_system_names(fixtures_dir: Path = FIXTURES) -> list[str]:
    """The default system's names, as its own notes may use them."""
    default = tomllib.loads((fixtures_dir / DEFAULT_SYSTEM_FILE).read_text(encoding="utf-8"))
    return [default["system"]["name"], default["system"]["short_name"]]


def demo_system_resolve(code: str | None, fixtures_dir: Path = FIXTURES) -> DemoSystem:
    """The demo's system: the shipped default when ``code`` is empty or names its ICB, else
    the ICB with that ONS or ODS code (case-insensitive)."""
    default_file = fixtures_dir / DEFAULT_SYSTEM_FILE
    default = tomllib.loads(default_file.read_text(encoding="utf-8"))["system"]
    icbs = _icbs(fixtures_dir)
    default_icb = _icb_code(default["headline_area"], icbs)
    icb = _icb_code(code, icbs) if code and code.strip() else default_icb
    if icb is None:
        raise UnknownSystem(
            f"{code!r} is not an ICB's code: give the ONS code (E54…) or ODS code (Q…) of "
            f"one of the {len(icbs)} ICBs in fixtures/areas.csv"
        )
    if icb == default_icb:
        return DemoSystem(icb, default["name"], default["short_name"], system_file=default_file)
    name = system_name(icbs[icb].name)
    return DemoSystem(icb, name, short_name(name))


def demo_system_toml(system: DemoSystem, fixtures_dir: Path = FIXTURES) -> str:
    """A system file for an ICB: its name, the ICB as headline area against England, and its
    NHS region's ICBs (the default group) and all of England's ICBs as comparators."""
    icbs = _icbs(fixtures_dir)
    region = icbs[system.icb].region
    region_name = _area_names(fixtures_dir, {region})[region]
    peers = [system.icb, *(code for code, icb in icbs.items() if icb.region == region)]
    peers = list(dict.fromkeys(peers))  # the system's ICB first
    every = list(icbs)

    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a TOML basic string

    def members(codes: list[str]) -> str:
        lines = "".join(f"  {quoted(code)},  # {system_name(icbs[code].name)}\n" for code in codes)
        return f"[\n{lines}]"

    short = system.short_name
    introduction = (
        f"How the shared outcomes every {short} partner has signed up to are moving: the "
        "ICB's headline value for each indicator, compared with England."
    )
    return f"""# The demo's system, written by manage.py load_demo from fixtures/areas.csv (format:
# README, "Set up your own system").

[system]
name = {quoted(system.name)}
short_name = {quoted(short)}
headline_area = {quoted(system.icb)}
benchmark_area = {quoted(ENGLAND_CODE)}
framework_title = {quoted(f"{short} system outcomes framework")}
introduction = {quoted(introduction)}

[[comparator_groups]]
code = "REGION-ICBS"
name = {quoted(f"{region_name} ICBs")}
kind = "nhs_region"
default = true
method_note = {quoted(f"The integrated care boards of the NHS {region_name} region.")}
members = {members(peers)}

[[comparator_groups]]
code = "ENGLAND-ICBS"
name = "ICBs in England"
kind = "england"
method_note = {quoted(f"All {len(every)} integrated care boards in England.")}
members = {members(every)}
"""
