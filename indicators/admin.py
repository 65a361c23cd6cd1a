"""Admin screens for analysts to maintain the registry and geography.

Extracts have their screens in the ingest app. Validation messages come from the models' ``clean()`` and the database constraints, so the
admin, the imports and the ingest pipeline all refuse the same things.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count

from indicators.models import (
    Area,
    AreaAlias,
    AreaDeprivation,
    AreaType,
    AuditEvent,
    Baseline,
    Commentary,
    ComparatorGroup,
    ComparatorGroupMember,
    DeprivationEdition,
    Domain,
    Indicator,
    Observation,
    Partner,
    PartnerMembership,
    Period,
    Programme,
    System,
    Target,
    comparator_members_mixed,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and viewed, never added, changed or deleted by hand: observations arrive
    through extracts and leave by reverting one; the audit log is written by the system."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead_forum", "order"]
    search_fields = ["code", "name"]
    ordering = ["order"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "value_type", "polarity", "owner", "status"]
    list_filter = ["status", "domain", "value_type", "polarity", "frequency"]
    search_fields = ["code", "name", "definition", "source"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["last_updated"]
    fieldsets = [
        (None, {"fields": ["code", "name", "domain", "status", "owner"]}),
        (
            "Definition",
            {"fields": ["definition", "numerator_definition", "denominator_definition", "rationale"]},
        ),
        (
            "How it is calculated",
            {
                "fields": [
                    "value_type", "multiplier", "unit_label", "polarity", "ci_method", "frequency",
                    "publication_lag_months", "default_sex", "default_age", "breakdowns",
                ]
            },
        ),
        (
            "Source and quality",
            {
                "fields": [
                    "source", "fingertips_id", "disclosure_rule", "data_quality", "caveats",
                    "is_proxy", "proxy_explanation", "last_updated",
                ]
            },
        ),
    ]  # fmt: skip


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead_partner"]
    search_fields = ["code", "name"]
    filter_horizontal = ["indicators"]


@admin.register(AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "note"]


class AreaDeprivationInline(admin.TabularInline):
    """An area's decile in each deprivation edition loaded (``import_areas`` writes them)."""

    model = AreaDeprivation
    fields = ["edition", "decile"]
    extra = 0


class AreaAliasInline(admin.TabularInline):
    """The area's other codes: ODS codes and newer ONS codes (``import_areas`` writes them)."""

    model = AreaAlias
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area_type", "parent", "population"]
    list_filter = ["area_type"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["area_type", "parent"]
    inlines = [AreaAliasInline, AreaDeprivationInline]


@admin.register(DeprivationEdition)
class DeprivationEditionAdmin(admin.ModelAdmin):
    """Editions are loaded with their deciles by ``import_areas --deprivation``; the system
    chooses one (System: deprivation edition)."""

    list_display = ["name", "small_areas", "area_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(area_count=Count("areas"))

    @admin.display(description="Small areas", ordering="area_count")
    def area_count(self, edition):
        return edition.area_count


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    """The one configured system (``manage.py import_system`` writes the same row). Only one
    can exist, so "add" disappears once it does."""

    list_display = ["name", "short_name", "headline_area", "benchmark_area", "deprivation_edition"]
    autocomplete_fields = ["headline_area", "benchmark_area"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not System.objects.exists()


class ComparatorGroupMemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        areas = [
            form.cleaned_data["area"]
            for form in self.forms
            if form.cleaned_data.get("area") and not form.cleaned_data.get("DELETE")
        ]
        problem = comparator_members_mixed(areas)
        if problem:
            raise forms.ValidationError(problem)


class ComparatorGroupMemberInline(admin.TabularInline):
    model = ComparatorGroupMember
    formset = ComparatorGroupMemberFormSet
    autocomplete_fields = ["area"]
    extra = 1
    ordering = ["position"]


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_default"]
    list_filter = ["kind", "is_default"]
    search_fields = ["code", "name"]
    inlines = [ComparatorGroupMemberInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["label"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """Read-only: observations change only through extracts, so history is never bypassed."""

    list_display = [
        "indicator",
        "area",
        "period",
        "sex",
        "category",
        "value",
        "count",
        "denominator",
    ]
    list_filter = ["indicator__domain", "sex", "period__kind"]
    search_fields = ["indicator__code", "area__code", "area__name"]
    list_select_related = ["indicator", "area", "period"]
    show_full_result_count = False


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "period", "sex", "value"]
    autocomplete_fields = ["indicator", "area", "period"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "area",
        "value",
        "range_lower",
        "range_upper",
        "target_period",
        "source",
    ]
    autocomplete_fields = ["indicator", "area", "target_period"]


@admin.register(Commentary)
class CommentaryAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "period", "status", "author", "updated_at"]
    list_filter = ["status"]
    autocomplete_fields = ["indicator", "area", "period"]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner"]
    autocomplete_fields = ["partner"]
    search_fields = ["user__username", "partner__name"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only: analysts and admins read it (their roles hold
    ``view_auditevent``); nobody adds, edits or deletes an event here."""

    list_display = ["at", "username", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter), "user"]
    search_fields = ["username", "object_repr", "object_id", "ip_address"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False
