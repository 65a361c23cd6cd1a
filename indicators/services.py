"""Writes to the registry: the registry, targets, narratives and programmes imports
(docs/design.md §4.1; the geography's is ``indicators.areas_import``).

Each import reads the whole file, checks every row, and writes only when there are no errors,
in one transaction: a bad file changes nothing, and its report lists every problem with its
line number. Imports upsert by code, so running one twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import (
    BREAKDOWN_CHOICES,
    Area,
    CIMethod,
    Domain,
    Frequency,
    Indicator,
    Partner,
    Polarity,
    Programme,
    Status,
    ValueType,
)


class ImportFailed(Exception):
    """The file was refused; ``errors`` are line-numbered messages. Nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
        self.errors = errors


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    detail: str = ""  # anything else the analyst should read, e.g. the deprivation edition

    def summary(self, noun: str) -> str:
        counts = (
            f"{noun}: {len(self.created)} created, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged"
        )
        return f"{counts}; {self.detail}" if self.detail else counts


def read_csv_rows(source: IO | str, *, required: list[str], what: str) -> list[tuple[int, dict]]:
    """Rows as (line number, dict) with trimmed text; refuse a file missing required columns.

    Accepts UTF-8 with or without a byte-order mark; the line number is the file line where
    the row ends (the header is line 1)."""
    handle = open(source, newline="", encoding="utf-8-sig") if isinstance(source, str) else source
    try:
        text = handle.read()
    except UnicodeDecodeError:
        raise ImportFailed([f"The {what} file is not UTF-8 text: save it as CSV UTF-8."]) from None
    finally:
        if isinstance(source, str):
            handle.close()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed(
                [f"The {what} file is not UTF-8 text: save it as CSV UTF-8."]
            ) from None
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportFailed([f"The {what} file is empty: it needs a header row."])
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFailed(
            [f"Line 1: the {what} file is missing the column(s) {', '.join(missing)}."]
        )
    rows = []
    for row in reader:
        if None in row:  # more fields than the header names
            raise ImportFailed(
                [f"Line {reader.line_num}: more fields than the header has columns."]
            )
        cleaned = {key: (value or "").strip() for key, value in row.items()}
        if any(cleaned.values()):
            rows.append((reader.line_num, cleaned))
    return rows


def _upsert(model, lookup: dict, values: dict, report: ImportReport, label: str):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        report.created.append(label)
        return instance
    changed = {key: value for key, value in values.items() if getattr(instance, key) != value}
    if changed:
        for key, value in changed.items():
            setattr(instance, key, value)
        instance.full_clean()
        instance.save()
        report.changed.append(label)
    else:
        report.unchanged.append(label)
    return instance


# --- Registry --------------------------------------------------------------------------------

DOMAIN_COLUMNS = ["code", "name", "reporting_question"]
INDICATOR_COLUMNS = [
    "code", "domain_code", "name", "definition", "value_type", "multiplier", "polarity",
    "frequency", "ci_method",
]  # fmt: skip


def _choice(row, column, choices, errors, line, default=None):
    value = row.get(column, "") or (default or "")
    if value not in choices:
        errors.append(f"Line {line}: {column} {value!r} is not one of {', '.join(choices)}.")
    return value


def _parse_domains(rows) -> tuple[dict[str, dict], list[str]]:
    domains, errors = {}, []
    for line, row in rows:
        code = row["code"]
        if not code:
            errors.append(f"Line {line}: domain code is empty.")
            continue
        if code in domains:
            errors.append(f"Line {line}: domain {code} appears twice in the file.")
        order = row.get("order") or "0"
        if not order.isdigit():
            errors.append(f"Line {line}: domain order {order!r} is not a whole number.")
            order = "0"
        if not row["name"] or not row["reporting_question"]:
            errors.append(f"Line {line}: domain {code} needs a name and a reporting question.")
        domains[code] = {
            "name": row["name"],
            "reporting_question": row["reporting_question"],
            "lead_forum": row.get("lead_forum", ""),
            "order": int(order),
        }
    return domains, errors


def _parse_indicator(line: int, row: dict, known_domains: set[str], errors: list[str]) -> dict:
    code = row["code"]
    if not code:
        errors.append(f"Line {line}: indicator code is empty.")
    if row["domain_code"] not in known_domains:
        errors.append(
            f"Line {line}: indicator {code} names domain {row['domain_code']!r}, "
            "which is neither in the registry nor in the domains file."
        )
    for column in ("name", "definition"):
        if not row[column]:
            errors.append(f"Line {line}: indicator {code} has no {column}.")
    multiplier = row["multiplier"].replace(",", "")
    if not multiplier.isdigit() or int(multiplier) < 1:
        errors.append(f"Line {line}: multiplier {row['multiplier']!r} is not a whole number ≥ 1.")
        multiplier = "1"
    fingertips_id = row.get("fingertips_id", "")
    if fingertips_id and not fingertips_id.isdigit():
        errors.append(f"Line {line}: fingertips_id {fingertips_id!r} is not a number.")
        fingertips_id = ""
    breakdowns = [item.strip() for item in row.get("breakdowns", "").split(";") if item.strip()]
    unknown = [item for item in breakdowns if item not in BREAKDOWN_CHOICES]
    if unknown:
        errors.append(
            f"Line {line}: breakdowns {', '.join(unknown)} not known; "
            f"use {', '.join(BREAKDOWN_CHOICES)} separated by semicolons."
        )
    values = {
        "name": row["name"],
        "definition": row["definition"],
        "numerator_definition": row.get("numerator_definition", ""),
        "denominator_definition": row.get("denominator_definition", ""),
        "rationale": row.get("rationale", ""),
        "value_type": _choice(row, "value_type", ValueType.values, errors, line),
        "multiplier": int(multiplier),
        "unit_label": row.get("unit_label", ""),
        "polarity": _choice(row, "polarity", Polarity.values, errors, line),
        "frequency": _choice(row, "frequency", Frequency.values, errors, line),
        "ci_method": _choice(row, "ci_method", CIMethod.values, errors, line),
        "breakdowns": breakdowns,
        "source": row.get("source", ""),
        "fingertips_id": int(fingertips_id) if fingertips_id else None,
        # The demo catalogue's notes are caveats for readers; a caveats column wins if present.
        "caveats": row.get("caveats") or row.get("notes", ""),
    }
    if row.get("default_age"):
        values["default_age"] = row["default_age"]
    lag = row.get("publication_lag_months", "")
    if lag and not lag.isdigit():
        errors.append(f"Line {line}: publication_lag_months {lag!r} is not a whole number.")
    elif lag:
        values["publication_lag_months"] = int(lag)
    if row.get("status"):
        values["status"] = _choice(row, "status", Status.values, errors, line)
    if row.get("proxy_explanation"):
        values["is_proxy"] = True
        values["proxy_explanation"] = row["proxy_explanation"]
    return values


def registry_import(
    *, indicators_file: IO | str, domains_file: IO | str | None = None, publish: bool = False
) -> dict[str, ImportReport]:
    """Upsert domains (optional file) and indicators by code; owners become partners.

    ``publish`` sets new indicators to published (otherwise they start as drafts, visible to
    analysts only); an existing indicator keeps its status unless the file has a status column.
    """
    errors: list[str] = []
    domains: dict[str, dict] = {}
    if domains_file is not None:
        domain_rows = read_csv_rows(domains_file, required=DOMAIN_COLUMNS, what="domains")
        domains, domain_errors = _parse_domains(domain_rows)
        errors += [f"Domains file, {message[0].lower()}{message[1:]}" for message in domain_errors]
    indicator_rows = read_csv_rows(indicators_file, required=INDICATOR_COLUMNS, what="indicators")
    known_domains = set(domains) | set(Domain.objects.values_list("code", flat=True))
    parsed, seen = [], set()
    for line, row in indicator_rows:
        if row["code"] in seen:
            errors.append(f"Line {line}: indicator {row['code']} appears twice in the file.")
        seen.add(row["code"])
        parsed.append((line, row, _parse_indicator(line, row, known_domains, errors)))
    if errors:
        raise ImportFailed(errors)

    reports = {"domains": ImportReport(), "partners": ImportReport(), "indicators": ImportReport()}
    with transaction.atomic():
        for code, values in domains.items():
            _upsert(Domain, {"code": code}, values, reports["domains"], code)
        domain_by_code = {domain.code: domain for domain in Domain.objects.all()}
        for line, row, values in parsed:
            owner = None
            if row.get("owner"):
                owner = Partner.objects.filter(name=row["owner"]).first()
                if owner is None:
                    owner = Partner.objects.create(name=row["owner"])
                    reports["partners"].created.append(row["owner"])
            values |= {"domain": domain_by_code[row["domain_code"]], "owner": owner}
            if publish and not Indicator.objects.filter(code=row["code"]).exists():
                values.setdefault("status", Status.PUBLISHED)
            try:
                _upsert(
                    Indicator, {"code": row["code"]}, values, reports["indicators"], row["code"]
                )
            except ValidationError as error:
                errors.append(f"Line {line}: indicator {row['code']}: {_messages(error)}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors)
    return reports


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field_name}: {' '.join(messages)}" if field_name != "__all__" else " ".join(messages)
            for field_name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


# --- Baselines and targets -------------------------------------------------------------------

TARGET_COLUMNS = [
    "indicator_code",
    "area_code",
    "baseline_period",
    "baseline_value",
    "target_period",
]


def _float(row, column, line, errors, *, required=False):
    text = row.get(column, "").replace(",", "")
    if not text:
        if required:
            errors.append(f"Line {line}: {column} is empty.")
        return None
    try:
        return float(text)
    except ValueError:
        errors.append(f"Line {line}: {column} {row[column]!r} is not a number.")
        return None


def targets_import(*, targets_file: IO | str) -> dict[str, ImportReport]:
    """Upsert baselines and targets, one row per indicator × area × sex.

    Columns: indicator_code, area_code, sex (default Persons), baseline_period,
    baseline_value, baseline_lower_95, baseline_upper_95, and either target_value or
    target_lower and target_upper, target_period, target_source (national, local_plan, other),
    target_source_detail. Periods are Fingertips labels."""
    from indicators.models import Baseline, Period, Target, TargetSource
    from indicators.periods import PeriodLabelError, parse_period_label

    rows = read_csv_rows(targets_file, required=TARGET_COLUMNS, what="targets")
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    areas = {
        area.code: area for area in Area.objects.filter(code__in={r["area_code"] for _, r in rows})
    }
    errors: list[str] = []
    parsed = []
    for line, row in rows:
        indicator = indicators.get(row["indicator_code"])
        area = areas.get(row["area_code"])
        if indicator is None:
            errors.append(
                f"Line {line}: indicator {row['indicator_code']!r} is not in the registry."
            )
        if area is None:
            errors.append(f"Line {line}: area {row['area_code']!r} is not in the registry.")
        periods = {}
        for column in ("baseline_period", "target_period"):
            try:
                periods[column] = parse_period_label(row[column])
            except PeriodLabelError as error:
                errors.append(f"Line {line}: {column}: {error}")
        source = row.get("target_source") or TargetSource.LOCAL_PLAN
        if source not in TargetSource.values:
            errors.append(
                f"Line {line}: target_source {source!r} is not one of {', '.join(TargetSource.values)}."
            )
        values = {name: _float(row, name, line, errors) for name in [
            "baseline_lower_95", "baseline_upper_95", "target_value", "target_lower", "target_upper"]}  # fmt: skip
        values["baseline_value"] = _float(row, "baseline_value", line, errors, required=True)
        parsed.append((line, row, indicator, area, periods, source, values))
    if errors:
        raise ImportFailed(errors)

    reports = {"baselines": ImportReport(), "targets": ImportReport()}
    with transaction.atomic():
        for line, row, indicator, area, periods, source, values in parsed:
            period_ids = {}
            for column, period in periods.items():
                period_ids[column], _ = Period.objects.get_or_create(
                    kind=period.kind, start=period.start, end=period.end,
                    defaults={"label": period.label, "sort_key": period.sort_key},
                )  # fmt: skip
            sex = row.get("sex") or "Persons"
            label = f"{indicator.code} {area.code} {sex}"
            lookup = {"indicator": indicator, "area": area, "sex": sex}
            try:
                _upsert(Baseline, lookup, {
                    "period": period_ids["baseline_period"], "value": values["baseline_value"],
                    "lower_95": values["baseline_lower_95"], "upper_95": values["baseline_upper_95"],
                }, reports["baselines"], label)  # fmt: skip
                _upsert(Target, lookup, {
                    "target_period": period_ids["target_period"], "value": values["target_value"],
                    "range_lower": values["target_lower"], "range_upper": values["target_upper"],
                    "source": source, "source_detail": row.get("target_source_detail", ""),
                }, reports["targets"], label)  # fmt: skip
            except ValidationError as error:
                errors.append(f"Line {line}: {_messages(error)}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors)
    return reports


# --- Narratives ------------------------------------------------------------------------------

NARRATIVE_COLUMNS = ["indicator_code", "area_code", "period", "what_data_shows"]


def narratives_import(*, narratives_file: IO | str, author) -> ImportReport:
    """Load owners' narratives (used by the demo); published ones get today's date."""
    from django.utils import timezone

    from indicators.models import Commentary, CommentaryStatus, Period
    from indicators.periods import parse_period_label

    rows = read_csv_rows(narratives_file, required=NARRATIVE_COLUMNS, what="narratives")
    report = ImportReport()
    with transaction.atomic():
        for line, row in rows:
            indicator = Indicator.objects.filter(code=row["indicator_code"]).first()
            area = Area.objects.filter(code=row["area_code"]).first()
            if indicator is None or area is None:
                raise ImportFailed([f"Line {line}: unknown indicator or area code."])
            parsed = parse_period_label(row["period"])
            period, _ = Period.objects.get_or_create(
                kind=parsed.kind, start=parsed.start, end=parsed.end,
                defaults={"label": parsed.label, "sort_key": parsed.sort_key},
            )  # fmt: skip
            status = row.get("status") or CommentaryStatus.DRAFT
            _upsert(Commentary, {"indicator": indicator, "area": area, "period": period}, {
                "author": author, "what_data_shows": row["what_data_shows"],
                "contribution": row.get("contribution", ""), "limitations": row.get("limitations", ""),
                "status": status,
                "published_at": timezone.now() if status == CommentaryStatus.PUBLISHED else None,
            }, report, f"{indicator.code} {area.code} {period.label}")  # fmt: skip
    return report


# --- Programmes ------------------------------------------------------------------------------

PROGRAMME_COLUMNS = ["code", "name", "description", "lead_partner", "indicator_codes"]


def programmes_import(*, programmes_file: IO | str) -> ImportReport:
    """Upsert programmes from a CSV (code, name, description, lead_partner, indicator_codes
    separated by ``;``) and set each one's indicators. Unknown indicator codes refuse the
    whole file; a new lead partner is created. Idempotent."""
    rows = read_csv_rows(programmes_file, required=PROGRAMME_COLUMNS, what="programmes")
    wanted = {
        code.strip()
        for _, row in rows
        for code in row["indicator_codes"].split(";")
        if code.strip()
    }
    indicators = {item.code: item for item in Indicator.objects.filter(code__in=wanted)}
    errors = []
    for line, row in rows:
        if not row["code"] or not row["name"]:
            errors.append(f"Line {line}: a programme needs a code and a name.")
        unknown = [
            code.strip()
            for code in row["indicator_codes"].split(";")
            if code.strip() and code.strip() not in indicators
        ]
        if unknown:
            errors.append(f"Line {line}: unknown indicator code(s) {', '.join(unknown)}.")
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    with transaction.atomic():
        for _, row in rows:
            partner = None
            if row["lead_partner"]:
                partner, _ = Partner.objects.get_or_create(name=row["lead_partner"])
            programme, created = Programme.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"], "description": row["description"],
                    "lead_partner": partner,
                },
            )  # fmt: skip
            programme.indicators.set(
                [
                    indicators[code.strip()]
                    for code in row["indicator_codes"].split(";")
                    if code.strip()
                ]
            )
            (report.created if created else report.changed).append(row["code"])
    return report
