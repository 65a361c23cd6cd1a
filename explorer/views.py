"""The explorer's pages. Each reads the filter form, calls one table builder
(``explorer/tables/``), builds its chart (``explorer/charts/``) and renders one template; for
htmx requests only the template's ``results`` partial, from the same context. The reading and
the rendering are ``explorer_page``'s, as is showing why there is nothing to show
(``tables.NoData``); a page is drawn once per data version and audience and served from the
cache after (``indicators.page_cache``)."""

from __future__ import annotations

from dataclasses import fields
from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from explorer import charts, selectors, tables
from explorer.forms import ExplorerFilterForm
from indicators.exports import observations_for_export, write_export_csv
from indicators.page_cache import Drawn, render_page
from outcomes_site.access import public_read

PAGES = {
    "compare": "Compare areas",
    "summary": "Area summary",
    "inequalities": "Inequalities",
    "trends": "Trends",
    "map": "Map",
    "funnel": "Funnel plot",
    "overview": "Overview",
}


def explorer_page(page: str, *, always=None):
    """Make ``view(request, selection)``, which builds a page's table and chart and returns
    them as context, the page's view: read the filter form before it and render after it.
    When its table builder raises NoData, the page shows the reason, the table as far as it
    was built and no chart. ``always(selection)`` is context the page shows either way."""

    def decorator(view):
        @wraps(view)
        def page_view(request):
            def draw() -> Drawn:
                form = _filter_form(request, page)
                context = always(form.selection) if always else {}
                try:
                    context |= view(request, form.selection)
                except tables.NoData as no_data:
                    context |= {"table": no_data.table, "no_data": no_data}
                # Push the URL of what is shown (filters reset by the change are dropped),
                # so a bookmark or a reload shows the same thing.
                extra = {key: request.GET[key] for key in ("sort", "dir") if request.GET.get(key)}
                return Drawn(
                    _context(request, page, form, context),
                    # A value that names nothing we know is bad input: say so (400) but
                    # still show the page.
                    status=200 if form.is_valid() else 400,
                    push_url=f"{request.path}?{form.selection.query(**extra)}",
                )

            template = f"explorer/{page}.html" + ("#results" if request.htmx else "")
            return render_page(request, template, draw)

        return page_view

    return decorator


def _filter_form(request, page: str) -> ExplorerFilterForm:
    changed = request.htmx.trigger_name if request.htmx else ""
    return ExplorerFilterForm(
        request.GET, user=request.user, page=page, changed=changed or "", action=request.path
    )


def _context(request, page: str, form: ExplorerFilterForm, context: dict) -> dict:
    selection = form.selection
    table = context.get("table")
    return {
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
        "figure": None,
        "no_data": None,
        # The templates read the table's fields by name: its rows, notes...
        **({item.name: getattr(table, item.name) for item in fields(table)} if table else {}),
        **context,
    }


@public_read
def index(request):
    return redirect("explorer:compare")


@public_read
@require_GET
@explorer_page("compare")
def compare(request, selection):
    table = tables.compare_table(
        selection, sort=request.GET.get("sort"), descending=request.GET.get("dir") == "desc"
    )
    figure = charts.compare_areas_figure(
        table.rows,
        unit=selection.indicator.unit_label,
        england=table.england.value if table.england else None,
        parent=(table.parent.name, table.parent.value) if table.parent else None,
        highlight=selection.area.code if selection.area else "",
    )
    return {"table": table, "figure": figure}


@public_read
@require_GET
@explorer_page("summary")
def summary(request, selection):
    table = tables.summary_table(selection)
    figure = charts.spine_figure(table.spine_rows) if table.spine_rows else None
    return {"table": table, "figure": figure}


def _gap_over_time(selection) -> dict:
    """The area's inequality summary in every period: shown whether or not the chosen period
    has a breakdown."""
    rows = tables.inequality_gap_rows(selection)
    over_time = None
    if rows:
        over_time = charts.inequality_over_time_figure(rows, unit=selection.indicator.unit_label)
    return {"summary_rows": rows, "over_time": over_time}


@public_read
@require_GET
@explorer_page("inequalities", always=_gap_over_time)
def inequalities(request, selection):
    table = tables.inequality_table(selection)
    figure = charts.inequality_figure(
        table.rows,
        unit=selection.indicator.unit_label,
        area_name=selection.area.name,
        area_value=table.headline.value if table.headline else None,
    )
    return {"table": table, "figure": figure}


@public_read
@require_GET
@explorer_page("trends")
def trends(request, selection):
    table = tables.trend_table(selection)
    figure = charts.trend_figure(
        table.series, unit=selection.indicator.unit_label, periods=table.periods
    )
    return {"table": table, "figure": figure}


@public_read
@require_GET
@explorer_page("map")
def map_view(request, selection):
    table = tables.map_table(selection)
    figure = None
    if table.boundary_file:
        figure = charts.map_figure(
            table.drawn,
            geojson_url=static(f"explorer/boundaries/{table.boundary_file}"),
            topojson_url=static("explorer/topojson/"),
            unit=selection.indicator.unit_label,
        )
    colour = "quintile" if selection.colour == "quintile" else "comparison with England"
    return {"table": table, "figure": figure, "colour_description": colour}


@public_read
@require_GET
@explorer_page("funnel")
def funnel(request, selection):
    table = tables.funnel_table(selection)
    figure = None
    if table.rows:
        figure = charts.funnel_figure(
            table.rows,
            limits=table.limits,
            benchmark_name=table.benchmark_name,
            benchmark_value=table.benchmark.value,
            unit=selection.indicator.unit_label,
            value_type=selection.indicator.value_type,
            positions=tables.POSITION_ORDER,
        )
    return {
        "table": table,
        "figure": figure,
        "chart_description": charts.funnel_description(
            indicator_name=selection.indicator.name,
            area_type_name=selection.area_type.name,
            benchmark_name=table.benchmark_name,
        ),
        "compare_query": selection.query(page="compare"),
    }


@public_read
@require_GET
def download(request, page: str):
    """The CSV of exactly what the page shows, in the export format (docs/design.md §4.5)."""
    if page not in PAGES:
        raise Http404("No such explorer page")
    selection = ExplorerFilterForm(request.GET, user=request.user, page=page).selection
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(selection)}"'
    if page == "funnel":
        tables.write_funnel_csv(response, selection)
    else:
        observations = selectors.page_observations(selection)
        write_export_csv(response, observations_for_export(base=observations))
    return response


def _download_name(selection) -> str:
    parts = [
        selection.page,
        getattr(selection.indicator, "code", ""),
        getattr(selection.area, "code", ""),
    ]
    parts.append(selection.period.label if selection.period and selection.page != "trends" else "")
    name = "-".join(part for part in parts if part).replace("/", "-").replace(" ", "")
    return f"outcomes-{name}.csv"
