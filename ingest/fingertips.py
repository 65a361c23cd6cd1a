"""Fetching an indicator's data from the Fingertips API as one values extract.

The endpoint is the one fingertipsR and fingertips_py call for an indicator's data download:
``{FINGERTIPS_API_URL}/all_data/csv/by_indicator_id?indicator_ids=ID&child_area_type_id=N
&parent_area_type_id=15`` (15 is England), once per area type. Each answer is the Fingertips
download's CSV (docs/design.md §4.3), England's rows in each; they are joined into one file,
England's rows once, for the pipeline to read like an upload. Anything but a CSV with the
download's columns — no answer in time, an HTTP error, an empty or malformed answer — is a
``FingertipsUnavailable`` with a message for the analyst.
"""

from __future__ import annotations

import io

import pandas as pd
import requests

ENGLAND_AREA_TYPE = 15
REQUIRED = ["Indicator ID", "Area Code", "Sex", "Age", "Time period", "Value"]
ROW_KEY = ["Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category", "Time period"]
# Fingertips writes ICB codes with a leading "n" (nE54000001 for E54000001), to tell them
# from the older area types that shared E54 codes; the registry knows the ONS code.
PREFIXED_CODE = r"^n(E\d{8})$"


class FingertipsUnavailable(Exception):
    """No usable answer from Fingertips; ``message`` says what happened, plainly."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def fingertips_csv(
    *, fingertips_id: int, area_type_ids: list[int], api_url: str, proxy: str = "",
    timeout: float = 60,
) -> bytes:  # fmt: skip
    """The indicator's data at the area types, as one CSV in the Fingertips download layout."""
    frames = []
    with requests.Session() as session:
        if proxy:
            session.proxies = {"http": proxy, "https": proxy}
        for area_type_id in area_type_ids:
            text = _answer(session, f"{api_url}/all_data/csv/by_indicator_id", timeout, {
                "indicator_ids": fingertips_id, "child_area_type_id": area_type_id,
                "parent_area_type_id": ENGLAND_AREA_TYPE,
            }, what=f"indicator {fingertips_id} at area type {area_type_id}")  # fmt: skip
            frames.append(
                _rows(text, what=f"indicator {fingertips_id} at area type {area_type_id}")
            )
    rows = pd.concat(frames, ignore_index=True)
    if rows.empty:
        types = ", ".join(str(item) for item in area_type_ids)
        raise FingertipsUnavailable(
            f"Fingertips has no data for indicator {fingertips_id} at area types {types}."
        )
    for column in ["Area Code", "Parent Code"]:
        if column in rows.columns:
            rows[column] = rows[column].str.replace(PREFIXED_CODE, r"\1", regex=True)
    rows = rows.drop_duplicates([column for column in ROW_KEY if column in rows.columns])
    return rows.to_csv(index=False, lineterminator="\n").encode()


def _answer(session, url: str, timeout: float, params: dict, *, what: str) -> str:
    try:
        response = session.get(url, params=params, timeout=timeout)
    except requests.Timeout:
        seconds = f"{timeout:g} second{'' if timeout == 1 else 's'}"
        raise FingertipsUnavailable(
            f"Fingertips did not answer within {seconds} (asked for {what})."
        ) from None
    except requests.RequestException as error:
        raise FingertipsUnavailable(
            f"Fingertips could not be reached at {url} ({type(error).__name__}): check "
            "FINGERTIPS_API_URL and, on a network that needs one, FINGERTIPS_PROXY."
        ) from None
    if response.status_code != 200:
        raise FingertipsUnavailable(
            f"Fingertips answered HTTP {response.status_code} {response.reason or ''} "
            f"when asked for {what}.".replace("  ", " ")
        )
    return response.content.decode("utf-8-sig", errors="replace")


def _rows(text: str, *, what: str) -> pd.DataFrame:
    """The answer's rows (text, as given), or FingertipsUnavailable if it is not the download."""
    if not text.strip():
        raise FingertipsUnavailable(f"Fingertips sent an empty answer for {what}.")
    try:
        rows = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        raise FingertipsUnavailable(
            f"Fingertips' answer for {what} is not a CSV file; nothing was loaded."
        ) from None
    missing = [column for column in REQUIRED if column not in rows.columns]
    if missing:
        raise FingertipsUnavailable(
            f"Fingertips' answer for {what} is not its data download: it has no "
            f"{', '.join(repr(column) for column in missing)} column; nothing was loaded."
        )
    return rows
