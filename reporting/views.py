"""Board-facing pages. Each view validates its query string with a form, calls a selector,
builds charts or tables with pure functions and renders one template; the pages are drawn
once per data version and audience and served from the cache after
(``indicators.page_cache``), so that work sits in each view's ``draw``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from indicators.models import Domain, Indicator, Period, Programme
from indicators.page_cache import Drawn, render_page
from indicators.selectors import indicator_for_page, user_is_analyst
from indicators.system import system_current
from outcomes_site.access import public_read
from reporting import charts
from reporting.forms import (
    SORT_CHOICES,
    SUMMARY_SORT_CHOICES,
    DomainPageForm,
    NarrativeForm,
    PeriodForm,
    SummaryIconsForm,
)
from reporting.selectors import (
    framework_report,
    indicator_periods,
    indicator_report,
    narrative_editable_by,
    narratives_for_editing,
    programme_report,
    programmes_list,
    reporting_periods,
)
from reporting.services import NarrativeLocked, commentary_save
from reporting.summary_table import (
    ASSURANCE_FILTERS,
    SORT_KEYS,
    summary_csv_table,
    summary_rows,
)


def _period_form(request, form_class):
    """The bound period form and, when its value is invalid, what to tell the reader (the
    page shows the latest data)."""
    form = form_class(request.GET or None, periods=reporting_periods())
    warnings = [form.error_message()] if form.is_bound and not form.is_valid() else []
    return form, warnings


@public_read
@require_GET
def home(request):
    """The framework summary: a card per domain, worse-than-England-and-worsening first."""

    def draw() -> Drawn:
        form, warnings = _period_form(request, PeriodForm)
        period = form.chosen_period()
        domains = framework_report(user=request.user, as_at=period.end if period else None)
        attention = [status for domain in domains for status in domain.worse_and_worsening]
        # Analysts are the ones who can configure the system, so only they are told it is not.
        unconfigured = not system_current().is_configured and user_is_analyst(request.user)
        context = {
            "form": form, "period": period, "domains": domains, "attention": attention,
            "system_unconfigured": unconfigured,
        }  # fmt: skip
        return Drawn(context, warnings=warnings)

    return render_page(request, "reporting/home.html", draw)


@public_read
@require_GET
def domain_detail(request, code):
    """One row per indicator in the domain, sortable by any column through ``?sort=``."""

    def draw() -> Drawn:
        form, warnings = _period_form(request, DomainPageForm)
        period = form.chosen_period()
        try:
            (report,) = framework_report(
                user=request.user, as_at=period.end if period else None, domain_code=code
            )
        except Domain.DoesNotExist:
            raise Http404(f"No domain {code}") from None
        sort = form.chosen_sort()
        rows = sorted(report.statuses, key=SORT_KEYS[sort])
        context = {
            "form": form, "period": period, "report": report, "domain": report.domain,
            "rows": [(status, _sparkline(status)) for status in rows], "sort": sort,
            "sort_label": dict(SORT_CHOICES)[sort].lower(), "sort_choices": SORT_CHOICES,
        }  # fmt: skip
        return Drawn(context, warnings=warnings)

    return render_page(request, "reporting/domain_detail.html", draw)


def _sparkline(status):
    return charts.sparkline(
        [point.value for point in status.points], periods=[point.period for point in status.points]
    )


def _chart_names() -> dict[str, str]:
    """What charts and tables call the headline series and its benchmark."""
    system = system_current()
    return {"headline": system.short_name, "benchmark": system.benchmark_area.name}


def _indicator_or_404(code, user) -> Indicator:
    try:
        return indicator_for_page(code=code, user=user)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator {code}") from None


@public_read
@require_GET
def indicator_detail(request, code):
    """Definition, trend and SPC charts with their tables, inequality and narrative."""
    indicator = _indicator_or_404(code, request.user)
    # Whether the narrative link shows is the one part of the page that is the user's own.
    can_write_narrative = narrative_editable_by(user=request.user, indicator=indicator)

    def draw() -> dict:
        status = indicator_report(indicator=indicator, user=request.user)
        names = _chart_names()
        return {
            "indicator": indicator,
            "status": status,
            "trend_figure": charts.figure_as_dict(charts.trend_chart(status, **names)),
            "trend_table": charts.trend_table(status, **names),
            "spc_figure": charts.figure_as_dict(charts.spc_chart(status)),
            "spc_table": charts.spc_table(status, **names),
            "inequality_table": charts.inequality_table(status, **names),
            **{
                f"{chart}_csv_url": reverse("indicator_csv", args=[indicator.code, chart])
                for chart in CSV_TABLES
            },
            "can_write_narrative": can_write_narrative,
        }

    return render_page(request, "reporting/indicator_detail.html", draw, vary=[can_write_narrative])


CSV_TABLES = {
    "trend": charts.trend_table,
    "spc": charts.spc_table,
    "inequality": charts.inequality_table,
}


@public_read
@require_GET
def indicator_csv(request, code, chart):
    """The data behind one chart of the indicator page, as CSV."""
    if chart not in CSV_TABLES:
        raise Http404("No such chart")
    indicator = _indicator_or_404(code, request.user)
    status = indicator_report(indicator=indicator, user=request.user)
    response = HttpResponse(
        charts.table_csv(CSV_TABLES[chart](status, **_chart_names())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}-{chart}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def narrative_edit(request, code):
    """Owners write the narrative for their partner's indicators (analysts for any): save a
    draft or publish. Everyone else gets 403."""
    indicator = _indicator_or_404(code, request.user)
    if not narrative_editable_by(user=request.user, indicator=indicator):
        raise PermissionDenied("Only the indicator's owner or an analyst can write its narrative.")
    labels = [period.label for period in indicator_periods(indicator=indicator)]
    existing = narratives_for_editing(indicator=indicator)
    if not labels:
        messages.warning(request, "There is no data for this indicator yet, so no narrative.")
        return redirect("indicator_detail", code=indicator.code)
    chosen = request.POST.get("period") or request.GET.get("period") or labels[0]
    if chosen not in labels:
        messages.warning(request, f"There is no data for {chosen}; showing the latest period.")
        chosen = labels[0]
    commentary = existing.get(chosen)
    if request.method == "POST":
        form = NarrativeForm(request.POST, instance=commentary, period_labels=labels)
        if form.is_valid():
            period = Period.objects.filter(
                label=form.cleaned_data["period"], observations__indicator=indicator
            ).first()
            try:
                saved = commentary_save(
                    indicator=indicator, period=period, editor=request.user,
                    what_data_shows=form.cleaned_data["what_data_shows"],
                    contribution=form.cleaned_data["contribution"],
                    limitations=form.cleaned_data["limitations"],
                    publish="publish" in request.POST,
                )  # fmt: skip
            except NarrativeLocked as locked:
                form.add_error(None, str(locked))
            else:
                messages.success(
                    request,
                    f"Narrative for {saved.period.label} "
                    + ("published." if saved.status == "published" else "saved as a draft."),
                )
                return redirect(
                    reverse("narrative_edit", args=[indicator.code]) + f"?period={chosen}"
                )
    else:
        form = NarrativeForm(instance=commentary, initial={"period": chosen}, period_labels=labels)
    return render(
        request,
        "reporting/narrative_edit.html",
        {
            "indicator": indicator, "form": form, "commentary": commentary, "chosen": chosen,
            "existing": sorted(existing.values(), key=lambda item: item.period.sort_key,
                               reverse=True),
        },
    )  # fmt: skip


@public_read
@require_GET
def programme_list(request):
    return render_page(
        request,
        "reporting/programme_list.html",
        lambda: {"programmes": programmes_list(user=request.user)},
    )


@public_read
@require_GET
def programme_detail(request, code):
    def draw() -> dict:
        try:
            report = programme_report(code=code, user=request.user)
        except Programme.DoesNotExist:
            raise Http404(f"No programme {code}") from None
        return {
            "report": report, "programme": report.programme,
            "rows": [(status, _sparkline(status)) for status in report.statuses],
        }  # fmt: skip

    return render_page(request, "reporting/programme_detail.html", draw)


def _summary_icons_form(request) -> SummaryIconsForm:
    benchmark = system_current().benchmark_area.name
    return SummaryIconsForm(request.GET, periods=reporting_periods(), benchmark_name=benchmark)


def _summary_icons(request, form: SummaryIconsForm) -> dict:
    """What the summary-icons table shows, for the page and its CSV."""
    period = form.chosen_period()
    domains = framework_report(user=request.user, as_at=period.end if period else None)
    rows = summary_rows(
        domains, variation=form.value("variation"), assurance=form.value("assurance"),
        benchmark=form.value("benchmark"), sort=form.chosen_sort(),
    )  # fmt: skip
    total = sum(len(report.statuses) for report in domains)
    return {
        "form": form, "period": period, "groups": rows, "total": total,
        "shown": sum(len(group.statuses) for group in rows), "sort": form.chosen_sort(),
        "sort_label": dict(SUMMARY_SORT_CHOICES)[form.chosen_sort()].lower(),
    }  # fmt: skip


@public_read
@require_GET
def summary_icons(request):
    """Every indicator the user may see, grouped by domain, with its Making Data Count icons:
    filtered by icon and sorted through the query string (htmx swaps the results)."""

    def draw() -> Drawn:
        form = _summary_icons_form(request)
        query = form.query()
        context = _summary_icons(request, form) | {
            "columns": [(key, label, form.query(sort=key)) for key, label in SUMMARY_SORT_CHOICES],
            "filtered": any(form.value(name) for name in ("variation", "assurance", "benchmark")),
            "query": query,
            "clear_query": form.query(variation="", assurance="", benchmark=""),
            "no_target": ASSURANCE_FILTERS["none"],
        }
        return Drawn(
            context,
            # A value that names nothing we know is bad input: say so (400), still show it.
            status=200 if form.is_valid() else 400,
            # The address of what is shown, without the form's blank fields, for bookmarks.
            push_url=f"{request.path}?{query}" if query else request.path,
        )

    template = "reporting/summary_icons.html" + ("#results" if request.htmx else "")
    return render_page(request, template, draw)


@public_read
@require_GET
def summary_icons_csv(request):
    """The summary-icons table's rows as shown (same filters and order), as CSV."""
    context = _summary_icons(request, _summary_icons_form(request))
    table = summary_csv_table(context["groups"], benchmark=system_current().benchmark_area.name)
    response = HttpResponse(charts.table_csv(table), content_type="text/csv; charset=utf-8")
    period = context["period"].label if context["period"] else "latest"
    filename = "".join(char if char.isalnum() or char in "-_" else "-" for char in period)
    response["Content-Disposition"] = f'attachment; filename="summary-icons-{filename}.csv"'
    return response
