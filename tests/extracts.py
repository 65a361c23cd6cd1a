"""Extracts for the ingest tests: a counts file from rows, a values frame as the pipeline
passes it to the write step, an Extract row to write under, and an upload through the admin."""

import numpy as np
import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Extract
from ingest.schema import VALUES_COLUMNS

COUNTS_HEADER = "indicator_code,period,area_code,sex,age_band,numerator,denominator\n"

# Smoking (PRV01) in 2023/24 for the two LSOAs of the shared geography, by sex.
SMOKING_2023 = [
    "PRV01,2023/24,E01014485,Male,All ages,30,200",
    "PRV01,2023/24,E01014485,Female,All ages,25,210",
    "PRV01,2023/24,E01014486,Male,All ages,45,190",
    "PRV01,2023/24,E01014486,Female,All ages,40,205",
]


def counts_file(rows: list[str]) -> bytes:
    return (COUNTS_HEADER + "".join(row + "\n" for row in rows)).encode()


def extract(name="a.csv"):
    return Extract.objects.create(kind="values", original_name=name, checksum=name.ljust(64, "0"))


def values_frame(rows):
    """rows: (indicator, area, period, value, lower, upper[, sex, category_type, category])."""
    records = []
    for number, row in enumerate(rows, start=2):
        indicator, area, period, value, lower, upper, *rest = row
        sex, category_type, category = (rest + ["Persons", "", ""][len(rest) :])[:3]
        records.append({
            "source_row": number, "indicator_code": indicator, "area_code": area,
            "period_label": period, "sex": sex, "age": "All ages", "category_type": category_type,
            "category": category, "value": value, "lower_95": lower, "upper_95": upper,
            "lower_998": np.nan, "upper_998": np.nan, "count": 30.0, "denominator": 200.0,
            "value_note": "", "suppressed": False,
        })  # fmt: skip
    return pd.DataFrame.from_records(records, columns=VALUES_COLUMNS)


def upload(client, data, name="smoking.csv", kind="counts"):
    """Upload through the admin as the ``signed_in`` fixture's analyst (tests/ingest/conftest.py)."""
    # The upload queues processing after its transaction commits; run it as the worker would.
    with client.on_commit(execute=True):
        return client.post(
            "/admin/indicators/extract/upload/",
            {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "kind": kind},
        )
