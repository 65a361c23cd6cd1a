"""The JSON API's query parameters and answers as Pydantic schemas: django-ninja serialises
every answer through them and builds the OpenAPI schema at /api/schema/ from them, so the
documentation cannot drift from what is served (README, "JSON API")."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

MAX_PAGE_SIZE = 1000
# Numbered pages of /api/data/ are read with OFFSET, cheap only near the start; beyond this
# a client follows ``next``, whose cursor costs the same at any depth.
MAX_NUMBERED_DATA_PAGE = 100


class Filters(Schema):
    """Filters shared by the endpoints; codes are comma-separated where several are allowed."""

    domain: str | None = Field(None, description="A domain's code")
    indicator: str | None = Field(None, description="Indicator codes, comma-separated")
    area_type: str | None = Field(
        None, description="e.g. icb, region, local_authority, locality, lsoa"
    )
    parent: str | None = Field(None, description="The parent area's code")
    area: str | None = Field(None, description="Area codes, comma-separated")
    group: str | None = Field(None, description="A comparator group's code: its members' rows")
    period: str | None = Field(None, description="A period's label, e.g. 2023/24")
    sex: Literal["Persons", "Male", "Female"] | None = None
    age: str | None = Field(None, description="An age band, e.g. All ages")
    category_type: str | None = Field(
        None, description="e.g. IMD 2019 quintile (national); none for headline values only"
    )
    page: int | None = Field(None, ge=1, description="The page number, from 1")
    page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="Default 100")


class DataFilters(Filters):
    page: int | None = Field(
        None,
        ge=1,
        le=MAX_NUMBERED_DATA_PAGE,
        description=f"A page number up to {MAX_NUMBERED_DATA_PAGE}; further pages by `next`",
    )
    cursor: str | None = Field(
        None, description="Where the page starts: taken from the `next` link, never made up"
    )
    format: Literal["json", "csv"] | None = Field(
        None, description="csv: every matching row, unpaged, in the export format"
    )


class Problem(Schema):
    detail: str


class InvalidFilters(Schema):
    detail: str
    errors: dict[str, list[str]]


class Page(Schema):
    count: int | None = Field(description="Rows matching; null on /api/data/, never counted")
    page: int | None = Field(description="The page number; null on a page reached by cursor")
    page_size: int
    next: str | None
    previous: str | None


class GapToTarget(Schema):
    number: int | None
    unit: Literal["people", "events"] | None
    direction: Literal["more", "fewer", "met"] | None
    period: str | None
    approximate: bool
    label: str
    note: str


class IndicatorRow(Schema):
    code: str
    name: str
    domain: str
    domain_name: str
    definition: str
    value_type: str
    multiplier: int
    unit_label: str
    polarity: str
    ci_method: str
    frequency: str
    default_sex: str
    default_age: str
    breakdowns: list[str]
    owner: str | None
    data_source: str
    caveats: str
    status: str
    last_updated: str
    gap_to_target: GapToTarget | None
    next_update_expected: str | None = Field(
        None, description="ISO date the indicator's next data is expected (README, What is due)"
    )


class AreaRow(Schema):
    code: str
    name: str
    area_type: str
    area_type_name: str
    parent: str | None
    imd_decile: int | None
    deprivation_edition: str | None
    population: int | None


class DataRow(Schema):
    indicator: str
    indicator_name: str
    area: str
    area_name: str
    area_type: str
    parent: str | None
    period: str
    period_sort_key: str
    sex: str
    age: str
    category_type: str
    category: str
    value: float | None
    lower_95: float | None
    upper_95: float | None
    lower_998: float | None
    upper_998: float | None
    count: float | None
    denominator: float | None
    value_note: str
    suppressed: bool
    compared_to_england: str
    compared_to_parent: str
    compared_to_goal: str
    recent_trend: str
    is_latest_period: bool
    spc_variation: str | None = Field(description="The latest point of a series only")
    spc_assurance: str | None = Field(description="The latest point of a series only")
    spc_phase_start: str | None = Field(description="First period of the row's SPC phase")
    change_point: str | None = Field(description="The reason, on a phase's first period")


class InequalityRow(Schema):
    indicator: str
    area: str
    area_name: str
    period: str
    sex: str
    age: str
    category_type: str
    sii: float | None
    sii_lower_95: float | None
    sii_upper_95: float | None
    rii: float | None
    rii_lower_95: float | None
    rii_upper_95: float | None
    gap: float | None
    ratio: float | None
    note: str


class IndicatorPage(Page):
    results: list[IndicatorRow]


class AreaPage(Page):
    results: list[AreaRow]


class DataPage(Page):
    results: list[DataRow]


class InequalityPage(Page):
    results: list[InequalityRow]


class Endpoints(Schema):
    indicators: str
    areas: str
    data: str
    inequalities: str
