"""The explorer's pages. Each view validates the query string with the filter form, calls a
selector, builds its chart and table with pure functions and renders one template; for htmx
requests it renders only the template's ``results`` partial, from the same context."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from explorer import charts, maps, selectors, tables
from explorer.forms import ExplorerFilterForm, breakdown_labels
from indicators.exports import observations_for_export, write_export_csv
from indicators.models import Observation
from outcomes_site.access import public_read

PAGES = {
    "compare": "Compare areas",
    "summary": "Area summary",
    "inequalities": "Inequalities",
    "trends": "Trends",
    "map": "Map",
    "funnel": "Funnel plot",
}


# Core20: the most deprived fifth nationally, i.e. IMD quintile 1 or deciles 1 and 2.
CORE20_CATEGORIES = {"Quintile 1 (most deprived)", "Decile 1 (most deprived)", "Decile 2"}
SORT_TITLES = {
    "rank": "Rank", "name": "Area", "value": "Value", "count": "Count", "denominator": "Denominator"
}  # fmt: skip


def _filter_form(request, page: str) -> ExplorerFilterForm:
    changed = request.htmx.trigger_name if request.htmx else ""
    return ExplorerFilterForm(
        request.GET, user=request.user, page=page, changed=changed or "", action=request.path
    )


def _render(request, page: str, form: ExplorerFilterForm, context: dict) -> HttpResponse:
    selection = form.selection
    context = {
        "page": page,
        "page_title": PAGES[page],
        "form": form,
        "selection": selection,
        "problems": form.problems(),
        "tabs": [
            (name, title, f"{reverse(f'explorer:{name}')}?{selection.query(page=name)}")
            for name, title in PAGES.items()
        ],
        "download_url": f"{reverse('explorer:download', args=[page])}?{request.GET.urlencode()}",
        **context,
    }
    template = f"explorer/{page}.html"
    if request.htmx:
        template += "#results"
    # A value that names nothing we know is bad input: say so (400) but still show the page.
    response = render(request, template, context, status=200 if form.is_valid() else 400)
    if request.htmx:
        # Push the URL of what is shown (filters reset by the change are dropped), so a
        # bookmark or a reload shows the same thing.
        extra = {key: request.GET[key] for key in ("sort", "dir") if request.GET.get(key)}
        push_url(response, f"{request.path}?{selection.query(**extra)}")
    return response


@public_read
def index(request):
    return redirect("explorer:compare")


@public_read
@require_GET
def compare(request):
    form = _filter_form(request, "compare")
    selection = form.selection
    observations = list(selectors.compare_observations(selection)) if selection.period else []
    indicator = selection.indicator
    polarity = indicator.polarity if indicator else "no_judgement"
    parent = selection.parent or getattr(selection.area, "parent", None)
    table = tables.compare_table(
        observations,
        area_type_id=getattr(selection.area_type, "pk", None),
        parent_area=parent,
        polarity=polarity,
    )
    # A comparator group's members come in the group's order until a column is sorted.
    default_sort = "" if selection.group else "rank"
    sort, descending = request.GET.get("sort", default_sort), request.GET.get("dir") == "desc"
    if sort not in tables.SORT_KEYS and not (sort == "" and selection.group):
        sort = "rank"
    rows = (
        tables.sort_rows(table.rows, key=sort, descending=descending)
        if sort
        else tables.in_group_order(table.rows, members=selection.group_members)
    )
    no_data = tables.explain_no_data(selection, rows=table.rows)
    figure = None
    if no_data is None:
        figure = charts.compare_areas_figure(
            table.rows,
            unit=indicator.unit_label,
            england=table.england["value"] if table.england else None,
            parent=(table.parent["name"], table.parent["value"]) if table.parent else None,
            highlight=selection.area.code if selection.area else "",
        )
    return _render(
        request,
        "compare",
        form,
        {
            "table": table,
            "rows": rows,
            "sort": sort,
            "descending": descending,
            "sort_columns": [
                (
                    key,
                    title,
                    selection.query(sort=key, dir="desc" if key == sort and not descending else ""),
                )
                for key, title in SORT_TITLES.items()
            ],
            "comparator_rows": [
                dict(row, role=role)
                for row, role in ((table.england, "England"), (table.parent, "parent area"))
                if row is not None
            ],
            "figure": figure,
            "no_data": no_data,
        },
    )


@public_read
@require_GET
def summary(request):
    form = _filter_form(request, "summary")
    selection = form.selection
    rows, shown = selectors.area_summary(selection) if selection.area else ([], [])
    spine_rows = [
        {
            "name": f"{row.indicator.code} {row.indicator.name}",
            "value": row.observation.value,
            "england": row.england,
            "minimum": row.minimum,
            "q25": row.q25,
            "q75": row.q75,
            "maximum": row.maximum,
            "polarity": row.indicator.polarity,
            "label": row.observation.england_comparison or "Not compared",
        }
        for row in rows
        if row.observation is not None
    ]
    noted = [
        {"value_note": row.observation.value_note, "row": row} for row in rows if row.observation
    ]
    notes = tables.add_note_markers(noted)
    for item in noted:
        item["row"].note_marker = item.get("note_marker", "")
    figure = charts.spine_figure(spine_rows) if spine_rows else None
    return _render(
        request,
        "summary",
        form,
        {
            "rows": rows,
            "notes": notes,
            "figure": figure,
            "shown_count": len(shown),
        },
    )


@public_read
@require_GET
def inequalities(request):
    form = _filter_form(request, "inequalities")
    selection = form.selection
    observations = (
        list(selectors.inequality_observations(selection))
        if selection.area and selection.period
        else []
    )
    summaries = selectors.inequality_summaries(selection) if selection.area else []
    headline = next(
        (
            o
            for o in observations
            if not o.category_type and o.sex == selection.sex and o.age == selection.age
        ),
        None,
    )
    if selection.breakdown == "sex":
        split = [o for o in observations if not o.category_type]
        split.sort(key=lambda o: ["Male", "Female", "Persons"].index(o.sex))
        category_of = lambda o: o.sex  # noqa: E731
    elif selection.breakdown == "age_band":
        split = sorted(
            (o for o in observations if not o.category_type and o.sex == selection.sex),
            key=lambda o: selectors.natural_key(o.age),
        )
        category_of = lambda o: o.age  # noqa: E731
    else:
        split = sorted(
            (o for o in observations if o.category_type),
            key=lambda o: selectors.natural_key(o.category),
        )
        category_of = lambda o: o.category  # noqa: E731
    rows = []
    for observation in split:
        row = tables.observation_row(observation)
        row["category"] = category_of(observation)
        row["core20"] = observation.category in CORE20_CATEGORIES
        rows.append(row)
    indicator = selection.indicator
    polarity = indicator.polarity if indicator else "no_judgement"
    area_value = headline.value if headline else None
    for row, label in zip(
        rows, charts.compare_with_area(rows, area_value=area_value, polarity=polarity), strict=True
    ):
        row["versus_area"] = label
    notes = tables.add_note_markers(rows)
    no_data = tables.explain_no_data(selection, rows=rows) if indicator else None
    if no_data is None and not rows:
        breakdown = breakdown_labels()[selection.breakdown].lower()
        no_data = tables.NoData(
            f"{indicator.code} has no breakdown by {breakdown} for "
            f"{selection.area.name if selection.area else 'this area'} in {selection.period}.",
            "Break down by sex instead" if selection.breakdown != "sex" else "",
            selection.query(breakdown="sex") if selection.breakdown != "sex" else "",
        )
    figure = over_time = None
    if rows and no_data is None:
        figure = charts.inequality_figure(
            [dict(r, label=r["versus_area"]) for r in rows],
            unit=indicator.unit_label,
            area_name=selection.area.name,
            area_value=area_value,
        )
    summary_rows = [
        {
            "period": s.period.label,
            "gap": s.gap,
            "ratio": s.ratio,
            "sii": s.sii,
            "sii_lower": s.sii_lower,
            "sii_upper": s.sii_upper,
            "rii": s.rii,
            "rii_lower": s.rii_lower,
            "rii_upper": s.rii_upper,
            "note": s.note,
        }
        for s in summaries
    ]
    if summary_rows:
        over_time = charts.inequality_over_time_figure(summary_rows, unit=indicator.unit_label)
    return _render(
        request,
        "inequalities",
        form,
        {
            "rows": rows,
            "headline": headline,
            "headline_row": tables.observation_row(headline) if headline else None,
            "notes": notes,
            "no_data": no_data,
            "figure": figure,
            "summary_rows": summary_rows,
            "over_time": over_time,
        },
    )


@public_read
@require_GET
def trends(request):
    form = _filter_form(request, "trends")
    selection = form.selection
    observations = list(selectors.trend_observations(selection)) if selection.indicator else []
    order = [a.code for a in selectors.trend_areas(selection)]
    series: dict[str, dict] = {}
    periods: dict[str, str] = {}
    for observation in observations:
        area = observation.area
        line = series.setdefault(
            area.code,
            {
                "code": area.code,
                "name": area.name,
                "is_england": area.code == selectors.ENGLAND_CODE,
                "points": [],
            },
        )
        line["points"].append(
            tables.observation_row(observation) | {"period": observation.period.label}
        )
        periods[observation.period.label] = observation.period.sort_key
    ordered = sorted(
        series.values(),
        key=lambda line: (
            line["is_england"],
            order.index(line["code"]) if line["code"] in order else 50,
        ),
    )
    period_labels = sorted(periods, key=periods.get)
    rows = [point for line in ordered for point in line["points"]]
    notes = tables.add_note_markers(rows)
    no_data = tables.explain_no_data(selection, rows=rows) if selection.indicator else None
    figure = None
    if no_data is None:
        figure = charts.trend_figure(
            ordered, unit=selection.indicator.unit_label, periods=period_labels
        )
    return _render(
        request,
        "trends",
        form,
        {
            "series": ordered,
            "periods": period_labels,
            "notes": notes,
            "no_data": no_data,
            "figure": figure,
        },
    )


@public_read
@require_GET
def map_view(request):
    form = _filter_form(request, "map")
    selection = form.selection
    observations = list(selectors.compare_observations(selection)) if selection.period else []
    indicator = selection.indicator
    table = tables.compare_table(
        observations,
        area_type_id=getattr(selection.area_type, "pk", None),
        parent_area=None,
        polarity=indicator.polarity if indicator else "no_judgement",
    )
    rows = table.rows
    if selection.colour == "quintile" and indicator is not None:
        for row, label in zip(
            rows,
            charts.quintile_classes([r["value"] for r in rows], polarity=indicator.polarity),
            strict=True,
        ):
            row["label"] = label
    drawable = maps.boundary_codes(selection.area_type.code) if selection.area_type else frozenset()
    for row in rows:
        row["location"] = maps.boundary_code(row["code"])
    missing = [row for row in rows if row["location"] not in drawable]
    no_data = tables.explain_no_data(selection, rows=rows)
    figure = None
    if no_data is None and selection.area_type.code in maps.BOUNDARY_FILES:
        figure = charts.map_figure(
            [row for row in rows if row["location"] in drawable],
            geojson_url=static(
                f"explorer/boundaries/{maps.BOUNDARY_FILES[selection.area_type.code]}"
            ),
            topojson_url=static("explorer/topojson/"),
            unit=indicator.unit_label,
        )
    return _render(
        request,
        "map",
        form,
        {
            "table": table,
            "rows": sorted(rows, key=lambda r: r["name"]),
            "missing": missing,
            "colour_description": "quintile"
            if selection.colour == "quintile"
            else "comparison with England",
            "no_data": no_data,
            "figure": figure,
        },
    )


def _funnel(selection) -> tables.FunnelTable:
    """The funnel the page draws and the download writes, from the rows compare areas reads."""
    indicator = selection.indicator
    observations = (
        list(selectors.compare_observations(selection)) if indicator and selection.period else []
    )
    return tables.funnel_table(
        observations,
        area_type_id=getattr(selection.area_type, "pk", None),
        parent_area=selection.parent,
        value_type=indicator.value_type if indicator else "",
        value_type_label=indicator.get_value_type_display() if indicator else "",
        multiplier=float(indicator.multiplier or 1) if indicator else 1.0,
        polarity=indicator.polarity if indicator else "no_judgement",
    )


def _benchmark_name(selection) -> str:
    return selection.parent.name if selection.parent else "England"


@public_read
@require_GET
def funnel(request):
    form = _filter_form(request, "funnel")
    selection = form.selection
    table = _funnel(selection)
    benchmark = _benchmark_name(selection)
    no_data = tables.explain_no_data(selection, rows=table.all_rows)
    figure = None
    if no_data is None and table.rows:
        indicator = selection.indicator
        figure = charts.funnel_figure(
            table.rows,
            limits=table.limits,
            benchmark_name=benchmark,
            benchmark_value=table.benchmark["value"],
            unit=indicator.unit_label,
            x_title="Events × multiplier ÷ DSR (equivalent population)"
            if indicator.value_type == "dsr"
            else "Denominator",
            positions=tables.POSITION_ORDER,
        )
    return _render(
        request,
        "funnel",
        form,
        {
            "table": table,
            "benchmark_name": benchmark,
            "compare_query": selection.query(page="compare"),
            "chart_description": (
                f"Funnel plot of {selection.indicator.name} for each "
                f"{selection.area_type.name.lower()} area: its value against its denominator, "
                f"with 95% (dashed) and 99.8% (solid) control limits around {benchmark} "
                f"(the horizontal line). Areas above the limits are upward triangles and areas "
                f"below downward triangles, open between the 95% and 99.8% limits and filled "
                f"beyond 99.8%; areas within the limits are circles. The tables below have the "
                f"same data."
                if figure
                else ""
            ),
            "no_data": no_data,
            "figure": figure,
        },
    )


SHOWN = {
    "compare": selectors.compare_observations,
    "map": selectors.compare_observations,
    "trends": selectors.trend_observations,
    "inequalities": selectors.inequality_observations,
}


@public_read
@require_GET
def download(request, page: str):
    """The CSV of exactly what the page shows, in the export format (docs/design.md §4.5)."""
    if page not in PAGES:
        raise Http404("No such explorer page")
    form = ExplorerFilterForm(request.GET, user=request.user, page=page)
    selection = form.selection
    if page == "funnel":
        table = _funnel(selection)
        shown = [row["pk"] for row in table.rows] + (
            [table.benchmark["pk"]] if table.rows and table.benchmark else []
        )
        observations = selectors.observations_by_pk(selection, pks=shown)
    elif page == "summary":
        shown = selectors.area_summary(selection)[1] if selection.area else []
        observations = Observation.objects.filter(pk__in=[o.pk for o in shown]).disclosed(
            protect=selection.protect
        )
    elif selection.indicator is None or (page != "trends" and selection.period is None):
        observations = Observation.objects.none()
    else:
        observations = SHOWN[page](selection)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    parts = [page, getattr(selection.indicator, "code", ""), getattr(selection.area, "code", "")]
    parts.append(selection.period.label if selection.period and page != "trends" else "")
    filename = "-".join(part for part in parts if part).replace("/", "-").replace(" ", "")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{filename}.csv"'
    if page == "funnel":
        tables.write_funnel_csv(
            response,
            observations_for_export(base=observations),
            table=table,
            benchmark_name=_benchmark_name(selection),
        )
    else:
        write_export_csv(response, observations_for_export(base=observations))
    return response
