"""The read-only JSON API: indicators, areas, data and inequality summaries, paged.

Built with django-ninja: each answer is serialised through the Pydantic schemas in
``explorer.api_schemas``, and the same code gives the OpenAPI schema (``/api/schema/``) and its
documentation (``/api/docs/``, Swagger UI served from the package's static files). The same
access rules as the pages: a session is required (API clients without one get a 401 JSON
answer rather than a redirect to the login page) and only analysts see draft or retired
indicators. Codes are checked by a form; bad input is a 400 with the reasons.
``format=csv`` on the data endpoint streams every matching row in the export format.

``/api/data/`` pages by keyset (README, "JSON API"): ``next`` carries an opaque cursor, the
key of the page's last row, so the database seeks the next page in its unique index and a
deep page costs what the first does; nothing counts the rows.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.core import signing
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Query, Status, Swagger
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError

from explorer import selectors
from explorer.api_schemas import (
    AreaPage,
    DataFilters,
    DataPage,
    Endpoints,
    Filters,
    IndicatorPage,
    InequalityPage,
    InvalidFilters,
    Problem,
)
from indicators.exports import export_csv_lines
from indicators.models import Area, ComparatorGroup, Period, Sex
from indicators.next_update import indicators_next_update
from indicators.roles import roles_of
from indicators.selectors import headline_target_gaps, indicators_visible_to, protects
from indicators.statistics.target_gap import TargetGap
from indicators.system import deprivation_current, system_current
from outcomes_site.access import NO_ROLE, anonymous_may_read

DEFAULT_PAGE_SIZE = 100
# The key of an observation, in the order of its unique index: the order of /api/data/ pages.
DATA_KEY = ("indicator_id", "area_id", "period_id", "sex", "age", "category_type", "category")
CURSOR_SALT = "outcomes.api.data.cursor"
ERRORS = {401: Problem, 403: Problem, 404: Problem}


def api_access(view):
    """401 JSON without a session (the site's login redirect suits browsers only), 403 for a
    signed-in user with no role; anonymous visitors read only with PUBLIC_READ."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not roles_of(request.user):
            return JsonResponse({"detail": NO_ROLE}, status=403)
        if not request.user.is_authenticated and not anonymous_may_read(
            request, request.resolver_match.func
        ):
            return JsonResponse(
                {"detail": "Authentication required: sign in at /accounts/login/ first."},
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Outcomes API",
    version="1",
    description=(
        "Read-only: the indicators, areas, values and inequality summaries you may see. "
        "Sign in at /accounts/login/ first; the API uses your session."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    # Served from ninja's static files: the site's CSP allows no CDN and no inline script.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=api_access,
)


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request, error):
    """Mistyped parameters answer like the form's errors, and with them: 400, each field with
    its reasons (the form's wording where it has its own)."""
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        field = str(problem["loc"][-1]) if problem.get("loc") else "query"
        errors.setdefault(field, []).append(problem["msg"])
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        errors.update({field: list(messages) for field, messages in form.errors.items()})
    return api.create_response(
        request, {"detail": "Invalid filters.", "errors": errors}, status=400
    )


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
    page_size = forms.IntegerField(required=False, min_value=1)
    cursor = forms.CharField(required=False)
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

    def clean_cursor(self):
        cursor = self.cleaned_data["cursor"]
        if not cursor:
            return None
        try:
            key = signing.loads(cursor, salt=CURSOR_SALT)
        except signing.BadSignature:
            key = None
        if not isinstance(key, list) or len(key) != len(DATA_KEY):
            raise forms.ValidationError("Not a cursor this API gave: follow the next link.")
        return key


def _invalid(form) -> Status:
    errors = {field: list(messages) for field, messages in form.errors.items()}
    return Status(400, {"detail": "Invalid filters.", "errors": errors})


def _link(request, **changes) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _numbered_page(request, queryset, form, serialise):
    size = form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
    paginator = Paginator(queryset, size)
    number = form.cleaned_data.get("page") or 1
    if number > max(paginator.num_pages, 1):
        return Status(404, {"detail": f"There is no page {number}."})
    page = paginator.page(number)
    return {
        "count": paginator.count,
        "page": number,
        "page_size": size,
        "next": _link(request, page=page.next_page_number()) if page.has_next() else None,
        "previous": (
            _link(request, page=page.previous_page_number()) if page.has_previous() else None
        ),
        "results": serialise(list(page.object_list)),
    }


def _keyset_page(request, form, serialise):
    """A page of observations after the cursor's key, or the ``page``-th for clients of
    numbered pages; one row more than the page, to know whether there is a next."""
    size = form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
    cursor = form.cleaned_data["cursor"]
    number = None if cursor else form.cleaned_data.get("page") or 1
    rows = selectors.api_observation_page(
        user=request.user, filters=form.cleaned_data, after=cursor,
        skip=0 if cursor else (number - 1) * size, limit=size + 1,
    )  # fmt: skip
    if not rows and number and number > 1:
        return Status(404, {"detail": f"There is no page {number}."})
    more, rows = len(rows) > size, rows[:size]
    following = None
    if more:
        key = [getattr(rows[-1], column) for column in DATA_KEY]
        following = _link(request, page=None, cursor=signing.dumps(key, salt=CURSOR_SALT))
    return {
        "count": None,
        "page": number,
        "page_size": size,
        "next": following,
        "previous": _link(request, page=number - 1) if number and number > 1 else None,
        "results": serialise(rows),
    }


@api.get("/", response=Endpoints, url_name="index", summary="The endpoints")
@decorate_view(api_access)
def index(request):
    return {
        name: request.build_absolute_uri(reverse(f"api:{name}"))
        for name in ("indicators", "areas", "data", "inequalities")
    }


@api.get(
    "/indicators/",
    response={200: IndicatorPage, 400: InvalidFilters, **ERRORS},
    url_name="indicators",
    summary="Indicators, each with the headline area's gap to target",
)
@decorate_view(api_access)
def indicators(request, filters: Query[Filters]):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid(form)
    queryset = selectors.api_indicators(user=request.user, filters=form.cleaned_data)

    def serialise(rows):
        gaps = headline_target_gaps(
            indicators=rows, area=system_current().headline_area, protect=protects(request.user)
        )
        updates = indicators_next_update([i.pk for i in rows])
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
                "next_update_expected": updates[i.pk].expected.isoformat() if updates.get(i.pk) else None,
            }
            for i in rows
        ]  # fmt: skip

    return _numbered_page(request, queryset, form, serialise)


def gap_json(gap: TargetGap | None) -> dict | None:
    """The headline area's gap to target at its latest value (README, JSON API)."""
    if gap is None:
        return None
    return {
        "number": gap.number, "unit": gap.unit or None, "direction": gap.direction or None,
        "period": gap.period or None, "approximate": gap.approximate, "label": gap.label,
        "note": gap.note,
    }  # fmt: skip


@api.get(
    "/areas/",
    response={200: AreaPage, 400: InvalidFilters, **ERRORS},
    url_name="areas",
    summary="Areas, with their deprivation decile",
)
@decorate_view(api_access)
def areas(request, filters: Query[Filters]):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid(form)
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

    return _numbered_page(request, queryset, form, serialise)


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


@api.get(
    "/data/",
    response={200: DataPage, 400: InvalidFilters, **ERRORS},
    url_name="data",
    summary="Values, with their derived analytics; format=csv streams every matching row",
    openapi_extra={
        "responses": {
            200: {"content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
@decorate_view(api_access)
def data(request, filters: Query[DataFilters]):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid(form)
    if form.cleaned_data["format"] == "csv":
        if not form.cleaned_data["indicator"]:
            errors = {"indicator": ["Name at least one indicator for format=csv."]}
            return Status(
                400, {"detail": "format=csv needs at least one indicator.", "errors": errors}
            )
        queryset = selectors.api_observations(user=request.user, filters=form.cleaned_data)
        # Streamed as rows are read (in batches, disclosed as read), never held whole.
        response = StreamingHttpResponse(
            export_csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="outcomes-data.csv"'
        return response

    def serialise(rows):
        analytics = selectors.series_analytics_for(rows)
        return [observation_json(row, analytics.get(selectors.series_key(row))) for row in rows]

    return _keyset_page(request, form, serialise)


@api.get(
    "/inequalities/",
    response={200: InequalityPage, 400: InvalidFilters, **ERRORS},
    url_name="inequalities",
    summary="Inequality summaries: SII, RII, gap and ratio",
)
@decorate_view(api_access)
def inequalities(request, filters: Query[Filters]):
    form = ApiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid(form)
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

    return _numbered_page(request, queryset, form, serialise)
