"""The explorer's overview (Fingertips' "tartan rug"): indicators down the side, areas across
the top, each cell the area's value compared with England.

Rows are the indicators of the chosen domain (or all); columns the areas of the chosen type
(within the chosen parent), a comparator group's members, or, when nothing is chosen, the
areas within the system's headline area. Each row shows the indicator's latest period
with a row (a value, or one suppressed) among those columns, at its default sex and age. The comparison is the
one the pipeline stored (95% confidence interval against England, from the values as
protected viewers see them), shown by shape and word as well as colour. Values are read
through the same disclosure as every explorer page, and the CSV is the same rows in the
export format. Three queries whatever the number of indicators and areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from explorer.forms import ExplorerFilterForm
from explorer.tables import NoData
from explorer.views import explorer_page
from indicators.area_types import SMALL_AREA_TYPES
from indicators.exports import observations_for_export, write_export_csv
from indicators.models import Area, Indicator, Observation
from indicators.system import system_current
from indicators.vocabulary import ENGLAND_CODE
from outcomes_site.access import public_read

# More columns than this are too many to compare by eye, and too wide for any screen.
MAX_AREAS = 60
# Shape for each comparison, so that it reads without colour; the word is always shown too.
MARKS = {"Better": "▲", "Worse": "▼", "Similar": "●", "Higher": "↑", "Lower": "↓"}


@dataclass(frozen=True)
class OverviewCell:
    value: float | None
    comparison: str  # Better, Similar, Worse, Higher, Lower or Not compared
    suppressed: bool
    note: str

    @property
    def mark(self) -> str:
        return MARKS.get(self.comparison, "")


@dataclass(frozen=True)
class OverviewRow:
    indicator: Indicator
    period: str
    england: float | None
    cells: list[OverviewCell | None]  # one per area, None where it has no value


@dataclass(frozen=True)
class OverviewTable:
    areas: list[Area]
    rows: list[OverviewRow]
    shown: list[int]  # the observations shown, for the download

    @property
    def counts(self) -> dict[str, int]:
        """How many cells are better, similar, worse... than England."""
        counts: dict[str, int] = {}
        for row in self.rows:
            for cell in row.cells:
                if cell is not None:
                    counts[cell.comparison] = counts.get(cell.comparison, 0) + 1
        return counts


def overview_areas(selection) -> list[Area]:
    """The columns: the group's members, or the areas of the type within the parent (by
    its own hierarchy, or, for the headline area, linked into it from another), or all."""
    if selection.group is not None:
        return list(selection.group_members)
    parent = selection.parent
    if parent is None:
        return list(selection.areas)
    is_headline = parent.pk == system_current().headline_area.pk
    return [
        area
        for area in selection.areas
        if area.parent_id == parent.pk or (is_headline and getattr(area, "in_headline", False))
    ]


def overview_table(selection) -> OverviewTable:
    """The grid for the selection; raises NoData when there is nothing to compare or too
    many areas to show."""
    areas = overview_areas(selection)
    if len(areas) > MAX_AREAS:
        kind = selection.area_type.name.lower() if selection.area_type else "area"
        raise NoData(
            f"There are {len(areas)} {kind} areas: too many to compare at once. Choose an "
            f"area under “Within”, or a comparator group, to show at most {MAX_AREAS}."
        )
    indicators = list(selection.indicators)
    if not areas or not indicators:
        raise NoData("There are no areas of this type to compare.")
    headline = Q(
        indicator__in=indicators, sex=F("indicator__default_sex"), age=F("indicator__default_age"),
        category_type="", category="",
    )  # fmt: skip
    latest = dict(
        Observation.objects.filter(headline, area__in=areas)
        .values("indicator_id")
        .annotate(latest=Max("period__sort_key"))
        .values_list("indicator_id", "latest")
    )
    if not latest:
        raise NoData("No indicator has a value for these areas.")
    # Each indicator's latest period: read as the few latest periods of all of them and kept
    # per indicator here, as one condition per indicator (200 ORs) made PostgreSQL scan
    # far more of the table at national scale (4 s at 10 million observations).
    candidates = (
        Observation.objects.filter(
            headline,
            # England by id, so the index on indicator, period and area answers it.
            area_id__in=[area.pk for area in areas]
            + list(Area.objects.filter(code=ENGLAND_CODE).values_list("pk", flat=True)),
            indicator_id__in=list(latest),
            period__sort_key__in=set(latest.values()),
        )  # fmt: skip
        .select_related("period")
        .disclosed(protect=selection.protect)
    )
    observations = [
        observation
        for observation in candidates
        if observation.period.sort_key == latest[observation.indicator_id]
    ]
    return OverviewTable(
        areas=areas,
        rows=_rows(indicators, areas, observations),
        shown=[observation.pk for observation in observations],
    )


def _rows(indicators, areas, observations) -> list[OverviewRow]:
    found = {(obs.indicator_id, obs.area_id): obs for obs in observations}
    periods = {obs.indicator_id: obs.period.label for obs in observations}
    england = {obs.indicator_id: obs.value for obs in observations if obs.area.code == ENGLAND_CODE}
    rows = []
    for indicator in indicators:
        cells = [_cell(found.get((indicator.pk, area.pk))) for area in areas]
        if any(cells):
            rows.append(
                OverviewRow(
                    indicator=indicator,
                    period=periods[indicator.pk],
                    england=england.get(indicator.pk),
                    cells=cells,
                )  # fmt: skip
            )
    return rows


def _cell(observation: Observation | None) -> OverviewCell | None:
    if observation is None:
        return None
    return OverviewCell(
        value=observation.value,
        comparison=observation.england_comparison or "Not compared",
        suppressed=observation.suppressed,
        note=observation.value_note,
    )


def _headline_children_query() -> str:
    """The query string of the areas within the headline area: of the type most of them
    are (its local authorities, say, rather than its one sub-ICB location), small areas
    aside."""
    headline = system_current().headline_area
    if headline.pk is None:
        return ""
    within = Q(parent_id=headline.pk) | Q(links__parent_id=headline.pk)
    child_type = (
        Area.objects.filter(within)
        .exclude(area_type__code__in=SMALL_AREA_TYPES)
        .values("area_type__code")
        .annotate(count=Count("id", distinct=True))
        .order_by("-count", "area_type__code")
        .values_list("area_type__code", flat=True)
        .first()
    )
    return urlencode({"area_type": child_type, "parent": headline.code}) if child_type else ""


def _overview(request, selection) -> dict:
    table = overview_table(selection)
    return {
        "table": table,
        "download_url": f"{reverse('explorer:overview_download')}?{request.GET.urlencode()}",
    }


def _around(selection) -> dict:
    """Shown whatever the grid: the way back to the headline area's own areas."""
    return {
        "headline_query": _headline_children_query(),
        "headline_name": system_current().headline_area.name,
        "max_areas": MAX_AREAS,
    }


_page = explorer_page("overview", always=_around)(_overview)


@public_read
@require_GET
def overview(request):
    """With nothing chosen, the headline area's own areas (the first thing a system asks)."""
    if not any(request.GET.get(name) for name in ("area_type", "group")):
        query = _headline_children_query()
        if query:
            return redirect(f"{request.path}?{query}")
    return _page(request)


@public_read
@require_GET
def overview_download(request):
    """The CSV of exactly the cells shown, and England's values, in the export format."""
    selection = ExplorerFilterForm(request.GET, user=request.user, page="overview").selection
    try:
        shown = overview_table(selection).shown
    except NoData:
        shown = []
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"outcomes-overview-{selection.domain.code if selection.domain else 'all'}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    observations = Observation.objects.filter(pk__in=shown).disclosed(protect=selection.protect)
    write_export_csv(response, observations_for_export(base=observations))
    return response
