"""No customer in code (STYLE, "What our own code taught us"): the system, its headline area
and its comparators are data. This fails, naming file and line, when application code or a
template names the demo's system — BNSSG, its places, or any of its area codes."""

import csv
import re

from tests.environment import FIXTURES, REPO

APPLICATION = ["indicators", "ingest", "reporting", "explorer", "demo", "outcomes_site",
               "templates"]  # fmt: skip
SUFFIXES = {".py", ".html", ".txt", ".js", ".css", ".toml", ".md", ".json"}
DEMO_ICB = "E54000039"
# The demo system's names and its ICB's and sub-ICB location's ODS codes.
WORDS = ["BNSSG", "Bristol", "North Somerset", "South Gloucestershire", "Healthier Together",
         "QUY", "15C"]  # fmt: skip


def demo_area_codes() -> set[str]:
    """The demo ICB and every area under it in either hierarchy, from the shipped geography."""
    with (FIXTURES / "areas.csv").open(newline="") as file:
        parents = {
            row["code"]: {row["parent_code"], *row["also_in"].split("|")}
            for row in csv.DictReader(file)
        }
    codes = {DEMO_ICB}
    grew = True
    while grew:
        below = {code for code, above in parents.items() if above & codes}
        grew = not below <= codes
        codes |= below
    return codes


def application_files():
    for folder in APPLICATION:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                yield path


def customer_mentions() -> list[str]:
    codes = demo_area_codes()
    words = re.compile(r"\b(" + "|".join(re.escape(word) for word in WORDS) + r")\b")
    found = []
    for path in application_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            named = set(words.findall(line)) | (set(re.findall(r"\b[EW]\d{8}\b", line)) & codes)
            if named:
                where = path.relative_to(REPO)
                found.append(f"{where}:{number}: {', '.join(sorted(named))}")
    return found


def test_the_demo_geography_gives_the_scan_its_codes():
    codes = demo_area_codes()
    assert {"E54000039", "E38000222", "E06000023", "E01014485"} <= codes
    assert "E54000037" not in codes  # Devon is another system, not the demo's


def test_no_application_code_or_template_names_the_demo_system():
    found = customer_mentions()
    assert not found, "The demo system is named in code (make it data):\n" + "\n".join(found)
