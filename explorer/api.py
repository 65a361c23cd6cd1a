"""The read-only JSON API: indicators, areas, data and inequality summaries, paged.

Plain Django views. The same access rules as the pages: a session is required (API clients
without one get a 401 JSON answer rather than a redirect to the login page) and only analysts
see draft or retired indicators. Filters are validated by a form; bad input is a 400 with the
reasons. ``format=csv`` on the data endpoint returns every matching row in the export format.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from explorer import selectors
from indicators.exports import write_export_csv
from indicators.models import Area, ComparatorGroup, Period, Sex
from indicators.roles import roles_of
from indicators.selectors import headline_target_gaps, indicators_visible_to, protects
from indicators.statistics.target_gap import TargetGap
from indicators.system import deprivation_current, system_current
from outcomes_site.access import NO_ROLE, anonymous_may_read, public_read

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def api_view(view):
    """GET only; 401 JSON without a session (the site's login redirect suits browsers only)."""

    @public_read
    @login_not_required
    @require_GET
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not roles_of(request.user):
            return JsonResponse({"detail": NO_ROLE}, status=403)
        if not request.user.is_authenticated and not anonymous_may_read(request, wrapped):
            return JsonResponse(
                {"detail": "Authentication required: sign in at /accounts/login/ first."},
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapped


class ApiFilterForm(forms.Form):
    domain = forms.CharField(required=False)
    indicator = forms.CharField(required=False)
    area_type = forms.CharField(required=False)
    parent = forms.CharField(required=False)
    area = forms.CharField(required=False)
    group = forms.CharField(required=False)
    period = forms.CharField(required=False)
    sex = forms.ChoiceField(required=False, choices=Sex.choices)
    age = forms.CharField(required=False)
    category_type = forms.CharField(required=False)
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    format = forms.ChoiceField(required=False, choices=[("json", "JSON"), ("csv", "CSV")])

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user

    def clean_indicator(self):
        codes = [code for code in self.cleaned_data["indicator"].split(",") if code]
        found = set(
            indicators_visible_to(self.user).filter(code__in=codes).values_list("code", flat=True)
        )
        unknown = sorted(set(codes) - found)
        if unknown:
            raise forms.ValidationError(
                f"No indicator you can see has the code {', '.join(unknown)}."
            )
        return codes

    def clean_area(self):
        codes = [code for code in self.cleaned_data["area"].split(",") if code]
        unknown = sorted(
            set(codes) - set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
        )
        if unknown:
            raise forms.ValidationError(f"No area has the code {', '.join(unknown)}.")
        return codes

    def clean_group(self):
        code = self.cleaned_data["group"]
        if code and not ComparatorGroup.objects.filter(code=code).exists():
            raise forms.ValidationError(f"No comparator group has the code {code!r}.")
        return code

    def clean_period(self):
        label = self.cleaned_data["period"]
        if label and not Period.objects.filter(label=label).exists():
            raise forms.ValidationError(f"No period is labelled {label!r}.")
        return label


def _bad_request(form) -> JsonResponse:
    return JsonResponse({"detail": "Invalid filters.", "errors": form.errors}, status=400)


def _page(request, queryset, form, serialise) -> JsonResponse:
    size = form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
    paginator = Paginator(queryset, size)
    number = form.cleaned_data.get("page") or 1
    if number > max(paginator.num_pages, 1):
        return JsonResponse({"detail": f"There is no page {number}."}, status=404)
    page = paginator.page(number)

    def link(other):
        query = request.GET.copy()
        query["page"] = other
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": number,
            "page_size": size,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": serialise(list(page.object_list)),
        }
    )


@api_view
def index(request):
    return JsonResponse(
        {
            name: request.build_absolute_uri(reverse(f"api:{name}"))
            for name in ("indicators", "areas", "data", "inequalities")
        }
    )


@api_view
def indicators(request):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_request(form)
    queryset = selectors.api_indicators(user=request.user, filters=form.cleaned_data)

    def serialise(rows):
        gaps = headline_target_gaps(
            indicators=rows, area=system_current().headline_area, protect=protects(request.user)
        )
        return [
            {
                "code": i.code, "name": i.name, "domain": i.domain.code, "domain_name": i.domain.name,
                "definition": i.definition, "value_type": i.value_type, "multiplier": i.multiplier,
                "unit_label": i.unit_label, "polarity": i.polarity, "ci_method": i.ci_method,
                "frequency": i.frequency, "default_sex": i.default_sex, "default_age": i.default_age,
                "breakdowns": i.breakdowns, "owner": i.owner.name if i.owner else None,
                "data_source": i.source, "caveats": i.caveats, "status": i.status,
                "last_updated": i.last_updated.isoformat(),
                "gap_to_target": gap_json(gaps.get(i.pk)),
            }
            for i in rows
        ]  # fmt: skip

    return _page(request, queryset, form, serialise)


def gap_json(gap: TargetGap | None) -> dict | None:
    """The headline area's gap to target at its latest value (README, JSON API)."""
    if gap is None:
        return None
    return {
        "number": gap.number, "unit": gap.unit or None, "direction": gap.direction or None,
        "period": gap.period or None, "approximate": gap.approximate, "label": gap.label,
        "note": gap.note,
    }  # fmt: skip


@api_view
def areas(request):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_request(form)
    queryset = selectors.api_areas(filters=form.cleaned_data)
    edition = deprivation_current()  # the edition of the deciles (docs/geography.md)

    def serialise(rows):
        return [
            {
                "code": a.code, "name": a.name, "area_type": a.area_type.code,
                "area_type_name": a.area_type.name, "parent": a.parent.code if a.parent else None,
                "imd_decile": a.imd_decile,
                "deprivation_edition": edition.name if a.imd_decile else None,
                "population": a.population,
            }
            for a in rows
        ]  # fmt: skip

    return _page(request, queryset, form, serialise)


def observation_json(observation, analytics) -> dict:
    latest = analytics is not None and analytics.latest_period_id == observation.period_id
    spc_point = next(
        (
            point
            for point in (analytics.spc_points if analytics is not None else [])
            if point["period"] == observation.period.label
        ),
        {},
    )
    return {
        "indicator": observation.indicator.code,
        "indicator_name": observation.indicator.name,
        "area": observation.area.code,
        "area_name": observation.area.name,
        "area_type": observation.area.area_type.code,
        "parent": observation.area.parent.code if observation.area.parent else None,
        "period": observation.period.label,
        "period_sort_key": observation.period.sort_key,
        "sex": observation.sex,
        "age": observation.age,
        "category_type": observation.category_type,
        "category": observation.category,
        "value": observation.value,
        "lower_95": observation.lower_95,
        "upper_95": observation.upper_95,
        "lower_998": observation.lower_998,
        "upper_998": observation.upper_998,
        "count": observation.count,
        "denominator": observation.denominator,
        "value_note": observation.value_note,
        "suppressed": observation.suppressed,
        "compared_to_england": observation.england_comparison,
        "compared_to_parent": observation.parent_comparison,
        "compared_to_goal": observation.target_comparison,
        "recent_trend": analytics.trend_label if analytics else "",
        "is_latest_period": latest,
        "spc_variation": analytics.spc_variation_label if latest else None,
        "spc_assurance": analytics.spc_assurance_label if latest else None,
        # The first period of the row's SPC phase, and the analyst's reason on a phase's
        # first period (a change point); None when the period is not on the SPC chart.
        "spc_phase_start": spc_point.get("phase_start") if spc_point else None,
        "change_point": spc_point.get("change_point", "") if spc_point else None,
    }


@api_view
def data(request):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_request(form)
    queryset = selectors.api_observations(user=request.user, filters=form.cleaned_data)
    if form.cleaned_data["format"] == "csv":
        if not form.cleaned_data["indicator"]:
            return JsonResponse({"detail": "format=csv needs at least one indicator."}, status=400)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="outcomes-data.csv"'
        write_export_csv(response, queryset)
        return response

    def serialise(rows):
        analytics = selectors.series_analytics_for(rows)
        return [observation_json(row, analytics.get(selectors.series_key(row))) for row in rows]

    return _page(request, queryset, form, serialise)


@api_view
def inequalities(request):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_request(form)
    queryset = selectors.api_inequality_summaries(user=request.user, filters=form.cleaned_data)

    def serialise(rows):
        return [
            {
                "indicator": s.indicator.code, "area": s.area.code, "area_name": s.area.name,
                "period": s.period.label, "sex": s.sex, "age": s.age,
                "category_type": s.category_type, "sii": s.sii, "sii_lower_95": s.sii_lower,
                "sii_upper_95": s.sii_upper, "rii": s.rii, "rii_lower_95": s.rii_lower,
                "rii_upper_95": s.rii_upper, "gap": s.gap, "ratio": s.ratio, "note": s.note,
            }
            for s in rows
        ]  # fmt: skip

    return _page(request, queryset, form, serialise)
