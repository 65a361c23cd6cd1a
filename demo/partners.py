"""The demo framework's partners for a system other than the default one.

``fixtures/demo_framework.csv``, ``demo_domains.csv`` and ``demo_programmes.csv`` name the
default system's own providers as owners and leads, and some indicator notes speak of it.
For any other ICB the demo imports copies in which each provider is named by its kind
(``fixtures/demo/partners.csv``: "acute trusts", "mental health trust") and notes that name
the default system are left out, so no page of another system's demo carries its trace.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from demo.calibration import FIXTURES

FRAMEWORK_FILES = {"framework": "demo_framework.csv", "domains": "demo_domains.csv",
                   "programmes": "demo_programmes.csv"}  # fmt: skip
# Columns that name partners, and the column of notes about the default system.
PARTNER_COLUMNS = ("owner", "lead_partner", "lead_forum")
NOTE_COLUMNS = ("notes",)


def framework_files(out_dir: Path | None, *, default_names: list[str]) -> dict[str, Path]:
    """The framework, domain and programme files to import: the shipped ones when
    ``out_dir`` is None (the default system), else generic copies written there."""
    if out_dir is None:
        return {key: FIXTURES / name for key, name in FRAMEWORK_FILES.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    rename = _renamer()
    mentions = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in default_names))
    written = {}
    for key, name in FRAMEWORK_FILES.items():
        with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            for column in PARTNER_COLUMNS:
                if column in row:
                    row[column] = rename(row[column])
            for column in NOTE_COLUMNS:
                if column in row and mentions.search(rename(row[column])):
                    row[column] = ""
        written[key] = out_dir / name
        with written[key].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return written


def _renamer():
    with (FIXTURES / "demo" / "partners.csv").open(newline="", encoding="utf-8") as handle:
        table = [(row["name"], row["generic"]) for row in csv.DictReader(handle)]
    # Longest first, so "UHBW and NBT" is replaced whole before "UHBW".
    table.sort(key=lambda pair: -len(pair[0]))
    pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" for name, _ in table))
    generic = dict(table)
    return lambda text: pattern.sub(lambda match: generic[match.group(0)], text or "")
