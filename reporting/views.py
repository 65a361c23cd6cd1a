"""Board-facing pages. Each view validates its query string with a form, calls a selector,
builds charts or tables with pure functions and renders one template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from indicators.disclosure import ANALYST_FOOTNOTE, FOOTNOTE
from indicators.models import Domain, Indicator, Period, Programme
from indicators.selectors import indicator_for_page, protects, user_is_analyst
from indicators.system import system_current
from outcomes_site.access import public_read
from reporting import charts
from reporting.boardpack import board_pack_pdf
from reporting.forms import (
    SORT_CHOICES,
    BoardPackForm,
    DomainPageForm,
    NarrativeForm,
    PeriodForm,
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


def _period_form(request, form_class):
    """The bound period form; an invalid value becomes a message and the latest data."""
    form = form_class(request.GET or None, periods=reporting_periods())
    if form.is_bound and not form.is_valid():
        messages.warning(request, form.error_message())
    return form


@public_read
@require_GET
def home(request):
    """The framework summary: a card per domain, worse-than-England-and-worsening first."""
    form = _period_form(request, PeriodForm)
    period = form.chosen_period()
    domains = framework_report(user=request.user, as_at=period.end if period else None)
    attention = [status for domain in domains for status in domain.worse_and_worsening]
    # Analysts are the ones who can configure the system, so only they are told it is not.
    system_unconfigured = not system_current().is_configured and user_is_analyst(request.user)
    return render(
        request,
        "reporting/home.html",
        {
            "form": form, "period": period, "domains": domains, "attention": attention,
            "system_unconfigured": system_unconfigured,
        },
    )  # fmt: skip


SORT_KEYS = {
    "indicator": lambda status: status.indicator.code,
    "value": lambda status: (status.latest is None or status.latest.value is None,
                             status.latest.value if status.latest else 0),
    "england": lambda status: {"Worse": 0, "Similar": 1, "Better": 2}.get(status.england, 3),
    "variation": lambda status: {"deteriorating": 0, "no_change": 1, "improving": 2}.get(
        status.direction, 3),
    "assurance": lambda status: {"misses": 0, "hit_and_miss": 1, "meets": 2}.get(
        status.assurance_outcome, 3),
    "change": lambda status: {False: 0, None: 1, True: 2}[status.change_is_better],
    # Furthest from target first (in people or events), then met, then not computed.
    "gap": lambda status: (0, -status.target_gap.number) if status.target_gap.number
           else (1 if status.target_gap.met else 2, 0),
    "trend": lambda status: status.trend_label or "~",
    "owner": lambda status: str(status.indicator.owner or "~"),
}  # fmt: skip


@public_read
@require_GET
def domain_detail(request, code):
    """One row per indicator in the domain, sortable by any column through ``?sort=``."""
    form = _period_form(request, DomainPageForm)
    period = form.chosen_period()
    try:
        (report,) = framework_report(
            user=request.user, as_at=period.end if period else None, domain_code=code
        )
    except Domain.DoesNotExist:
        raise Http404(f"No domain {code}") from None
    sort = form.chosen_sort()
    rows = sorted(report.statuses, key=SORT_KEYS[sort])
    return render(
        request,
        "reporting/domain_detail.html",
        {
            "form": form, "period": period, "report": report, "domain": report.domain,
            "rows": [(status, _sparkline(status)) for status in rows], "sort": sort,
            "sort_label": dict(SORT_CHOICES)[sort].lower(), "sort_choices": SORT_CHOICES,
        },
    )  # fmt: skip


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
    status = indicator_report(indicator=indicator, user=request.user)
    names = _chart_names()
    return render(
        request,
        "reporting/indicator_detail.html",
        {
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
            "can_write_narrative": narrative_editable_by(user=request.user, indicator=indicator),
        },
    )


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
    return render(
        request, "reporting/programme_list.html", {"programmes": programmes_list(user=request.user)}
    )


@public_read
@require_GET
def programme_detail(request, code):
    try:
        report = programme_report(code=code, user=request.user)
    except Programme.DoesNotExist:
        raise Http404(f"No programme {code}") from None
    return render(
        request,
        "reporting/programme_detail.html",
        {"report": report, "programme": report.programme,
         "rows": [(status, _sparkline(status)) for status in report.statuses]},
    )  # fmt: skip


@public_read
@require_GET
def board_pack(request):
    """The PDF board pack for the whole framework or one domain (``?domain=``) at a period."""
    form = _period_form(request, BoardPackForm)
    period = form.chosen_period()
    domain_code = form.cleaned_data.get("domain") if form.is_valid() else None
    try:
        domains = framework_report(
            user=request.user, as_at=period.end if period else None,
            domain_code=domain_code or None,
        )  # fmt: skip
    except Domain.DoesNotExist:
        raise Http404(f"No domain {domain_code}") from None
    pdf = board_pack_pdf(
        system=system_current(),
        domains=domains,
        period=period,
        whole_framework=not domain_code,
        footnote=FOOTNOTE if protects(request.user) else ANALYST_FOOTNOTE,
    )
    name = f"board-pack-{domain_code or 'framework'}-{(period.label if period else 'latest')}"
    safe_name = "".join(char if char.isalnum() or char in "-_" else "-" for char in name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.pdf"'
    return response
