"""The registry (domains, indicators, partners, programmes), geography, periods and data.

Rules that are structural live in the database as constraints, so no code path (admin, import,
ingest, shell) can store a value the pages would misread; ``clean()`` repeats the ones a person
can break in a form, with messages an analyst understands.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from indicators import vocabulary
from indicators.querysets import ObservationQuerySet
from indicators.vocabulary import ENGLAND_CODE


class Partner(models.Model):
    """A system partner organisation that owns outcomes (the ICB, a council, a trust...)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerMembership(models.Model):
    """The partner organisation a user works for: an owner writes narrative for the
    indicators their partner owns."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="members")

    def __str__(self):
        return f"{self.user} at {self.partner}"


class Domain(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    reporting_question = models.CharField(max_length=300)
    lead_forum = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class ValueType(models.TextChoices):
    PROPORTION = "proportion", "Proportion"
    CRUDE_RATE = "crude_rate", "Crude rate"
    DSR = "dsr", "Directly standardised rate"
    ISR = "isr", "Indirectly standardised ratio"
    COUNT = "count", "Count"
    MEAN = "mean", "Mean"
    YEARS = "years", "Years (life expectancy)"
    GAP = "gap", "Gap"


class Polarity(models.TextChoices):
    HIGHER_BETTER = "higher_better", "Higher is better"
    LOWER_BETTER = "lower_better", "Lower is better"
    NO_JUDGEMENT = "no_judgement", "No judgement"


class CIMethod(models.TextChoices):
    WILSON = "wilson", "Wilson score"
    BYAR_EXACT = "byar_exact", "Exact (below 10) or Byar's (10 and above)"
    DOBSON = "dobson", "Dobson"
    T = "t", "Student's t"
    NONE = "none", "Supplied by the source (not computed)"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class DisclosureRule(models.TextChoices):
    STANDARD = "standard", "Standard: counts 1–7 suppressed, others rounded to 5 below England"
    SOURCE = "source", "Applied by the data producer before supply"
    NONE = "none", "None needed (modelled or survey estimate)"


class DataQuality(models.TextChoices):
    GOOD = "good", "Good"
    ACCEPTABLE = "acceptable", "Acceptable, with caveats"
    POOR = "poor", "Poor: interpret with caution"
    UNRATED = "unrated", "Not yet rated"


class Sex(models.TextChoices):
    PERSONS = "Persons", "Persons"
    MALE = "Male", "Male"
    FEMALE = "Female", "Female"


BREAKDOWN_CHOICES = ["sex", "age_band", "imd_quintile", "imd_decile", "ethnic_group"]


def validate_breakdowns(value):
    if not isinstance(value, list) or any(item not in BREAKDOWN_CHOICES for item in value):
        raise ValidationError(
            "Breakdowns must be a list drawn from: %(choices)s.",
            params={"choices": ", ".join(BREAKDOWN_CHOICES)},
        )


class Indicator(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="Stable code, e.g. LTC01.")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="indicators")
    name = models.CharField(max_length=300)
    definition = models.TextField()
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    value_type = models.CharField(max_length=20, choices=ValueType.choices)
    multiplier = models.PositiveIntegerField(
        default=1, help_text="100 for percentages, 1,000 or 100,000 for rates, 1 otherwise."
    )
    unit_label = models.CharField(max_length=60, blank=True)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    ci_method = models.CharField("CI method", max_length=20, choices=CIMethod.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    default_sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    default_age = models.CharField(max_length=40, default="All ages")
    breakdowns = models.JSONField(default=list, blank=True, validators=[validate_breakdowns])
    source = models.TextField(blank=True)
    owner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="indicators", null=True, blank=True
    )
    fingertips_id = models.PositiveIntegerField("Fingertips indicator ID", null=True, blank=True)
    publication_lag_months = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Months between the end of a period and its publication, for the next update "
        "expected. Blank: 2 for monthly, 3 for quarterly and 12 for annual indicators.",
    )  # fmt: skip
    disclosure_rule = models.CharField(
        max_length=20, choices=DisclosureRule.choices, default=DisclosureRule.STANDARD
    )
    data_quality = models.CharField(
        max_length=20, choices=DataQuality.choices, default=DataQuality.UNRATED
    )
    caveats = models.TextField(blank=True)
    is_proxy = models.BooleanField("Proxy measure", default=False)
    proxy_explanation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["domain__order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values), name="indicator_valid_value_type"
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=Polarity.values), name="indicator_valid_polarity"
            ),
            models.CheckConstraint(
                condition=Q(ci_method__in=CIMethod.values), name="indicator_valid_ci_method"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="indicator_valid_frequency"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="indicator_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gte=1), name="indicator_multiplier_1_up"
            ),
            models.CheckConstraint(
                condition=Q(is_proxy=False) | ~Q(proxy_explanation=""),
                name="indicator_proxy_explained",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.is_proxy and not self.proxy_explanation.strip():
            errors["proxy_explanation"] = "Say why this is a proxy measure and what it stands for."
        if self.value_type == ValueType.DSR and self.ci_method not in {
            CIMethod.DOBSON,
            CIMethod.NONE,
        }:
            errors["ci_method"] = (
                "Directly standardised rates use Dobson intervals (or none if supplied)."
            )
        if errors:
            raise ValidationError(errors)


class Programme(models.Model):
    """A system programme linked to the outcomes it is meant to move."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lead_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes"
    )
    indicators = models.ManyToManyField(Indicator, related_name="programmes", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AreaType(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    # 0 = England; larger numbers are smaller areas. Used to order pickers and roll-ups.
    level = models.PositiveSmallIntegerField()
    note = models.CharField(
        max_length=300, blank=True, help_text="Shown with the area type, e.g. 'illustrative'."
    )

    class Meta:
        ordering = ["level", "code"]

    def __str__(self):
        return self.name


class Area(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="ONS or ODS code.")
    name = models.CharField(max_length=200)
    area_type = models.ForeignKey(AreaType, on_delete=models.PROTECT, related_name="areas")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["area_type__level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")), name="area_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError(
                    {"parent": "This parent would make the area its own ancestor."}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class AreaAlias(models.Model):
    """Another code for an area: its ODS code (three characters for an ICB or a sub-ICB
    location), or a newer ONS code that a boundary file or extract uses for the same area
    (the code-vintage trap of docs/geography.md: four ICBs and regions changed code in the
    2023 and 2024 boundary files). Extracts, system files and the map read an alias as its
    area."""

    code = models.CharField(max_length=20, unique=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "area aliases"

    def __str__(self):
        return f"{self.code} → {self.area_id}"


class DeprivationEdition(models.Model):
    """An edition of the national deprivation index on the small-area vintage it ranks: IMD
    2019 on LSOA 2011 (shipped), IMD 2025 on LSOA 2021 (loaded by an analyst who has it).

    Deciles are data (``AreaDeprivation``), so an edition is loaded with ``import_areas``
    and the system chooses which one it uses (``System.deprivation_edition``). Breakdowns
    computed with an edition are stored under its category types, e.g. "IMD 2019 quintile
    (national)", so stored values keep the edition they came from (docs/geography.md).
    """

    name = models.CharField(max_length=40, unique=True, help_text='e.g. "IMD 2025".')
    small_areas = models.CharField(
        max_length=40, help_text='The small-area vintage it ranks, e.g. "LSOA 2021".'
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} on {self.small_areas}"

    @property
    def quintile_type(self) -> str:
        return vocabulary.quintile_type(self.name)

    @property
    def decile_type(self) -> str:
        return vocabulary.decile_type(self.name)


class AreaDeprivation(models.Model):
    """A small area of an edition's vintage, with its national decile (1 = most deprived)
    where the edition ranks it. The edition's rows are its vintage: extracts' small-area
    codes are checked against them."""

    edition = models.ForeignKey(DeprivationEdition, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="deprivation")
    decile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "area"], name="area_deprivation_once"),
            models.CheckConstraint(
                condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                name="area_deprivation_decile_1_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.area_id} in {self.edition_id}: decile {self.decile or 'none'}"

    @property
    def quintile(self) -> int | None:
        return vocabulary.quintile_of(self.decile)


SYSTEM_PK = 1  # the configured system's fixed primary key (see System)


def england_area_pk() -> int | None:
    """Default benchmark for a new System: England, when the geography has it."""
    return Area.objects.filter(code=ENGLAND_CODE).values_list("pk", flat=True).first()


class AreaLink(models.Model):
    """A further parent of an area, in another hierarchy than ``Area.parent``: an LSOA lies
    in its sub-ICB location (its parent) and also in its local authority district, and in a
    system's locality. Roll-ups count every small area once in each of its ancestors, along
    every hierarchy, and secondary suppression covers each of these groups (docs/geography.md)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="linked_children")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "parent"], name="area_link_unique"),
            models.CheckConstraint(condition=~Q(area=F("parent")), name="area_link_not_self"),
        ]

    def __str__(self):
        return f"{self.area_id} also in {self.parent_id}"


class System(models.Model):
    """The health and care system this instance reports for: its name, headline area and
    benchmark. Pages, captions and the board pack read it (``indicators.system``), so no
    customer is written into code.

    One row only: the primary key is fixed at 1 and a check constraint refuses any other, so
    a second system cannot be stored by any path (admin, import, shell). Several systems in
    one instance would drop the constraint and hang the registry off a System.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SYSTEM_PK, editable=False)
    name = models.CharField(max_length=200, help_text="In full, as on the cover of the board pack.")
    short_name = models.CharField(
        max_length=60, help_text="Used in page text, chart captions and the board pack."
    )
    headline_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+",
        help_text="The area the framework reports on, usually the ICB.",
    )  # fmt: skip
    benchmark_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", default=england_area_pk,
        help_text="The area values are compared with in prose; England unless you choose.",
    )  # fmt: skip
    framework_title = models.CharField(
        max_length=200, blank=True,
        help_text="Blank: '<short name> system outcomes framework'.",
    )  # fmt: skip
    introduction = models.TextField(
        blank=True,
        help_text="The lede on the framework summary. Blank: a sentence naming the system.",
    )
    deprivation_edition = models.ForeignKey(
        DeprivationEdition, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The deprivation index new extracts are broken down by. Blank: the first loaded.",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=SYSTEM_PK), name="system_is_singleton"),
        ]

    # False only on the stand-in ``indicators.system`` uses before a system is configured.
    is_configured = True

    def __str__(self):
        return self.name

    @property
    def title(self) -> str:
        """The framework's title: the one configured, or one built from the short name."""
        return self.framework_title or f"{self.short_name} system outcomes framework"


class ComparatorKind(models.TextChoices):
    ENGLAND = "england", "England"
    NHS_REGION = "nhs_region", "NHS region"
    ONS_REGION = "ons_region", "Region (ONS)"
    PEER_ICB = "peer_icb", "Peer ICBs"
    NEAREST_NEIGHBOURS = "nearest_neighbours", "Nearest neighbours"
    CUSTOM = "custom", "Custom"


class ComparatorGroup(models.Model):
    """An ordered set of areas of one type that people compare with (DOMAIN §6): the ICBs of
    a region, a peer list, nearest neighbours. The default group is the one the headline area
    is ranked in."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ComparatorKind.choices)
    method_note = models.TextField(
        blank=True,
        help_text="How the group was made (e.g. the nearest-neighbour method and its k); "
        "shown wherever the group is shown.",
    )
    is_default = models.BooleanField(
        "Default group", default=False,
        help_text="The group the headline area is ranked in. At most one.",
    )  # fmt: skip
    areas = models.ManyToManyField(
        Area, through="ComparatorGroupMember", related_name="comparator_groups", blank=True
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="comparatorgroup_one_default",
                violation_error_message="Another comparator group is already the default.",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(kind__in=ComparatorKind.values), name="comparatorgroup_valid_kind"
            ),
        ]

    def __str__(self):
        return self.name


def comparator_members_mixed(areas) -> str:
    """Why ``areas`` cannot be one comparator group ('' when they can): a group compares like
    with like, so its members are all of one area type. The admin and import_system both ask."""
    first = next(iter(areas), None)
    for area in areas:
        if area.area_type_id != first.area_type_id:
            return (
                f"{area.code} ({area.area_type.name}) and {first.code} "
                f"({first.area_type.name}) are of different area types; a group's members "
                "must all be of one"
            )
    return ""


class ComparatorGroupMember(models.Model):
    group = models.ForeignKey(ComparatorGroup, on_delete=models.CASCADE, related_name="members")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(help_text="Order in the group, from 1.")

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "area"], name="comparator_member_once"),
            models.UniqueConstraint(
                fields=["group", "position"], name="comparator_member_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.group.code} {self.position}: {self.area.code}"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter (financial year)"
    FINANCIAL_YEAR = "financial_year", "Financial year"
    CALENDAR_YEAR = "calendar_year", "Calendar year"
    ACADEMIC_YEAR = "academic_year", "Academic year"
    POOLED_YEARS = "pooled_years", "Pooled calendar years"
    POOLED_FINANCIAL_YEARS = "pooled_financial_years", "Pooled financial years"


class Period(models.Model):
    kind = models.CharField(max_length=30, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()
    # Not unique: "2023/24" is both a financial and an academic year.
    label = models.CharField(max_length=40, help_text="Fingertips style, e.g. 2023/24 or Mar 2024.")
    sort_key = models.CharField(max_length=20, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start", "end"], name="period_unique_span"),
            models.CheckConstraint(
                condition=Q(start__lte=F("end")), name="period_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PeriodKind.values), name="period_valid_kind"
            ),
        ]

    def __str__(self):
        return self.label


class ExtractKind(models.TextChoices):
    VALUES = "values", "Indicator values (Fingertips format)"
    COUNTS = "counts", "Granular counts"


class ExtractStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    VALIDATING = "validating", "Validating"
    PROCESSING = "processing", "Processing"
    # Computed, not applied: its review says what publishing would change (README, "Getting
    # data in"). Scheduled: to be published at ``publish_at``.
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    SCHEDULED = "scheduled", "Scheduled"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REVERTED = "reverted", "Reverted"
    DISCARDED = "discarded", "Discarded"


class Extract(models.Model):
    """An uploaded or dropped data file. Defined here because observations name their source;
    the ingest app owns the screens and the pipeline that fill it in."""

    kind = models.CharField(max_length=10, choices=ExtractKind.choices)
    original_name = models.CharField(max_length=255)
    stored_file = models.FileField(upload_to="extracts/%Y/%m/", max_length=300)
    checksum = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        max_length=20, choices=ExtractStatus.choices, default=ExtractStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=60, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    error_summary = models.TextField(blank=True)
    # Row-level problems as CSV (row, column, value, message), kept with the extract.
    error_report = models.FileField(upload_to="reports/%Y/%m/", max_length=300, blank=True)
    # What the pipeline did: notes on assumptions, areas rolled up or skipped, counts written.
    report = models.JSONField(default=dict, blank=True)
    create_areas = models.BooleanField(
        default=False, help_text="Add areas a Fingertips-format file names but the registry lacks."
    )
    skip_unknown_indicators = models.BooleanField(
        default=False,
        help_text="Leave out (and count) rows for indicators the registry does not track.",
    )
    is_synthetic = models.BooleanField(
        default=False,
        help_text="Generated demonstration data; pages show a banner while any is loaded.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Review before publishing: the computed values, kept until published or discarded; what
    # publishing them would change; and the indicators' data versions they were computed
    # against (``IndicatorDataVersion``), which publishing checks.
    publish_on_success = models.BooleanField(
        default=False, help_text="Publish as soon as it validates, without a review."
    )
    staged_values = models.FileField(upload_to="staged/%Y/%m/", max_length=300, blank=True)
    review = models.JSONField(default=dict, blank=True)
    base_versions = models.JSONField(default=dict, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    review_notice = models.TextField(
        blank=True, help_text="Why the extract came back for review (its base data changed)."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="extract_progress_max_100"),
            models.CheckConstraint(
                condition=Q(kind__in=ExtractKind.values), name="extract_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExtractStatus.values), name="extract_valid_status"
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class IndicatorDataVersion(models.Model):
    """How many times an indicator's live values have changed: each write of an extract and
    each revert adds one, under the indicator's lock. An extract's review records the
    versions it was computed against; publishing it checks them, so a review is never
    applied over data it did not see. A table of its own, so saving an indicator loaded
    earlier never writes an old count back."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.indicator_id}: {self.version}"


def _limits_ordered(lower: str, upper: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{lower}__isnull": True})
        | Q(**{f"{upper}__isnull": True})
        | Q(**{f"{lower}__lte": F(upper)}),
        name=name,
    )


def copied_key(to, *, on_delete) -> models.ForeignKey:
    """A foreign key whose value is copied from an observation's, which its own constraint
    checks in the same transaction: no database constraint or index of its own (each costs
    time on every row an extract writes). Django still applies ``on_delete`` to ORM deletes."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name="+", db_constraint=False, db_index=False
    )


class ObservationValues(models.Model):
    """The measured fields shared by an observation and each of its history rows."""

    value = models.FloatField(null=True, blank=True)
    lower_95 = models.FloatField("Lower 95% limit", null=True, blank=True)
    upper_95 = models.FloatField("Upper 95% limit", null=True, blank=True)
    lower_998 = models.FloatField("Lower 99.8% limit", null=True, blank=True)
    upper_998 = models.FloatField("Upper 99.8% limit", null=True, blank=True)
    count = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Observation(ObservationValues):
    """One value: unique on indicator, area, period, sex, age, category type and category.

    The headline value has empty category type and category."""

    # No index of their own for indicator and area: the unique key and the indexes below
    # lead with them, and every index costs time on each row an extract writes.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="observations")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    age = models.CharField(max_length=40, default="All ages")
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)
    extract = models.ForeignKey(
        Extract, on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    # Derived by the pipeline (recomputed whenever a value they depend on changes): the
    # Fingertips comparison by 95% CI with England and with the parent area (Better / Similar /
    # Worse, Higher / Similar / Lower, Not compared) and the target RAG (Green / Amber / Red /
    # Not compared). Blank until derived.
    england_comparison = models.CharField(max_length=20, blank=True)
    parent_comparison = models.CharField(max_length=20, blank=True)
    target_comparison = models.CharField(max_length=20, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "sex", "age", "category_type", "category"],
                name="observation_unique_key",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="observation_valid_sex"),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=0),
                name="observation_count_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="observation_denominator_not_negative",
            ),
            _limits_ordered("lower_95", "upper_95", "observation_95_limits_ordered"),
            _limits_ordered("lower_998", "upper_998", "observation_998_limits_ordered"),
            models.CheckConstraint(
                condition=Q(category_type="", category="")
                | (~Q(category_type="") & ~Q(category="")),
                name="observation_category_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "area"], name="obs_indicator_period_area"),
            # The area summary's spread: every area of a type at each indicator's latest
            # period, read from the index alone (PostgreSQL keeps the included columns in it).
            models.Index(
                fields=["area", "period", "sex", "category_type"],
                include=["indicator", "age", "value", "suppressed"],
                name="obs_area_period_headline",
            ),
            # Area summary, trends and the API by area: one area's series in period order.
            models.Index(
                fields=["indicator", "area", "sex", "category_type", "period"],
                name="obs_series_period",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.area.code} {self.period} {self.sex} {self.category}"


class ObservationChange(models.TextChoices):
    CREATED = "created", "Created (no earlier value)"
    REPLACED = "replaced", "Replaced"


class ObservationHistory(ObservationValues):
    """What an extract changed: the values an observation held before, and who replaced them.

    Reverting an extract walks its history rows: ``replaced`` rows restore the old values,
    ``created`` rows delete the observation the extract added."""

    observation_key = models.CharField(max_length=400)
    indicator = copied_key(Indicator, on_delete=models.PROTECT)
    area = copied_key(Area, on_delete=models.PROTECT)
    period = copied_key(Period, on_delete=models.PROTECT)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)
    change = models.CharField(max_length=10, choices=ObservationChange.choices)
    previous_extract = models.ForeignKey(
        Extract, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    replaced_by = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="history")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "observation history"
        ordering = ["-replaced_at"]
        indexes = [models.Index(fields=["observation_key"], name="history_observation_key")]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__in=ObservationChange.values), name="history_valid_change"
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_change_display()} {self.observation_key} by extract {self.replaced_by_id}"
        )


class Baseline(models.Model):
    """The starting point the framework measures progress from."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="baselines")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    value = models.FloatField()
    lower_95 = models.FloatField("Lower 95% limit", null=True, blank=True)
    upper_95 = models.FloatField("Upper 95% limit", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "sex"], name="baseline_unique"),
            _limits_ordered("lower_95", "upper_95", "baseline_limits_ordered"),
        ]

    def __str__(self):
        return f"Baseline {self.indicator.code} {self.area.code} {self.period}"

    def clean(self):
        if self.lower_95 is not None and self.upper_95 is not None:
            if self.lower_95 > self.upper_95:
                raise ValidationError("The lower limit must not be above the upper limit.")


class TargetSource(models.TextChoices):
    NATIONAL = "national", "National ambition"
    LOCAL_PLAN = "local_plan", "Local plan"
    OTHER = "other", "Other"


class Target(models.Model):
    """A target value or range for an indicator in an area by a period, with an optional
    trajectory: a list of ``{"period": label, "value": number}`` points from baseline to target."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    value = models.FloatField(null=True, blank=True, help_text="A single target value…")
    range_lower = models.FloatField(null=True, blank=True, help_text="…or the bottom of a range…")
    range_upper = models.FloatField(null=True, blank=True, help_text="…and its top.")
    target_period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=TargetSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    trajectory = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "sex"], name="target_unique"),
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, range_lower__isnull=True, range_upper__isnull=True)
                    | Q(
                        value__isnull=True,
                        range_lower__isnull=False,
                        range_upper__isnull=False,
                        range_lower__lte=F("range_upper"),
                    )
                ),
                name="target_value_or_ordered_range",
            ),
        ]

    def __str__(self):
        return f"Target {self.indicator.code} {self.area.code} by {self.target_period}"

    def clean(self):
        has_value = self.value is not None
        has_range = self.range_lower is not None or self.range_upper is not None
        if has_value == has_range:
            raise ValidationError("Give either a single target value or a range, not both.")
        if has_range:
            if self.range_lower is None or self.range_upper is None:
                raise ValidationError("A target range needs both its bottom and its top.")
            if self.range_lower > self.range_upper:
                raise ValidationError("The bottom of the target range is above its top.")
        if not isinstance(self.trajectory, list) or any(
            not isinstance(point, dict)
            or set(point) != {"period", "value"}
            or not isinstance(point["value"], int | float)
            for point in self.trajectory
        ):
            raise ValidationError(
                {"trajectory": 'Trajectory must be a list of {"period": "2024/25", "value": 12.5}.'}
            )


class ChangePoint(models.Model):
    """A known change in the process (a new pathway, a coding change) from which an
    indicator's SPC limits are recalculated: NHSRplotthedots' rebase. ``period`` is the first
    period of the new phase; no area means every area's series of the indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="change_points")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Leave blank for every area's series of the indicator.",
    )  # fmt: skip
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+",
        help_text="The first period of the new phase.",
    )  # fmt: skip
    reason = models.CharField(
        max_length=300, help_text='What changed, e.g. "New discharge-to-assess pathway, Oct 2024".'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="change_point_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="change_point_has_reason"
            ),
        ]  # fmt: skip

    def __str__(self):
        where = self.area.code if self.area_id else "all areas"
        return f"Change point {self.indicator.code} {where} from {self.period}: {self.reason}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Say what changed: the reason is shown on charts."})


class CommentaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Commentary(models.Model):
    """The owner's narrative for an indicator, area and period, in three parts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentaries")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    what_data_shows = models.TextField("What the data shows")
    contribution = models.TextField("Our contribution and what partners did", blank=True)
    limitations = models.TextField("Limitations and external factors", blank=True)
    status = models.CharField(
        max_length=10, choices=CommentaryStatus.choices, default=CommentaryStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "commentaries"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="commentary_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommentaryStatus.values), name="commentary_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="commentary_published_has_date",
            ),
        ]

    def __str__(self):
        return f"Narrative {self.indicator.code} {self.period} ({self.get_status_display()})"


class SeriesKey(models.Model):
    """A series: one indicator in one area for one sex, age and category, over time.

    Derived rows copy their keys from observations (``copied_key``); the indexes of the
    models below lead with indicator and area."""

    indicator = copied_key(Indicator, on_delete=models.CASCADE)
    area = copied_key(Area, on_delete=models.CASCADE)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)

    class Meta:
        abstract = True


class AnalyticsBasis(models.TextChoices):
    """Which values a derived statistic was computed from (docs/disclosure.md): the values as
    protected roles see them (counts rounded, suppressed ones left out), or every value as
    stored, for analysts, admins and the export commands only."""

    SHOWN = "shown", "The values as protected roles see them"
    ALL = "all", "Every value as stored (analysts only)"


class SeriesAnalytics(SeriesKey):
    """Derived per series: the Fingertips recent trend and the Making Data Count XmR result.

    ``spc_points`` holds one entry per period (oldest first): period label, value, mean,
    process limits, special-cause rule flags and point type, so charts only read."""

    latest_period = copied_key(Period, on_delete=models.PROTECT)
    trend_marker = models.CharField(max_length=30, blank=True)
    trend_label = models.CharField(max_length=60, blank=True)
    trend_reason = models.CharField(max_length=200, blank=True)
    spc_variation_icon = models.CharField(max_length=40, blank=True)
    spc_variation_label = models.CharField(max_length=80, blank=True)
    spc_assurance_icon = models.CharField(max_length=40, blank=True)
    spc_assurance_label = models.CharField(max_length=80, blank=True)
    spc_trial_limits = models.BooleanField(default=False)
    spc_notes = models.TextField(blank=True)
    spc_points = models.JSONField(default=list, blank=True)
    basis = models.CharField(
        max_length=10, choices=AnalyticsBasis.choices, default=AnalyticsBasis.SHOWN
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series analytics"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "sex", "age", "category_type", "category", "basis"],
                name="series_analytics_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "indicator"], name="series_area_indicator"),
            # The explorer's data version per indicator: its newest derived row.
            models.Index(fields=["indicator", "-id"], name="series_indicator_id"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.area_id} {self.sex} {self.category}".strip()


class InequalitySummary(models.Model):
    """Derived per indicator × area × period × sex × age × dimension (e.g. national IMD
    quintiles): SII and RII with 95% limits, and the gap and ratio between the most and
    least deprived groups. ``note`` says why anything is missing."""

    indicator = copied_key(Indicator, on_delete=models.CASCADE)
    area = copied_key(Area, on_delete=models.CASCADE)
    period = copied_key(Period, on_delete=models.PROTECT)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120)
    sii = models.FloatField("SII", null=True, blank=True)
    sii_lower = models.FloatField(null=True, blank=True)
    sii_upper = models.FloatField(null=True, blank=True)
    rii = models.FloatField("RII", null=True, blank=True)
    rii_lower = models.FloatField(null=True, blank=True)
    rii_upper = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    basis = models.CharField(
        max_length=10, choices=AnalyticsBasis.choices, default=AnalyticsBasis.SHOWN
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inequality summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "sex", "age", "category_type", "basis"],
                name="inequality_summary_unique",
            ),
            _limits_ordered("sii_lower", "sii_upper", "inequality_sii_limits_ordered"),
            _limits_ordered("rii_lower", "rii_upper", "inequality_rii_limits_ordered"),
        ]
        indexes = [
            models.Index(fields=["indicator", "area", "period"], name="inequality_area_period")
        ]

    def __str__(self):
        return (
            f"Inequality {self.indicator_id} {self.area_id} {self.period_id} {self.category_type}"
        )

    @property
    def deprivation_edition(self) -> str | None:
        """The edition the quintiles were computed with, e.g. "IMD 2019"."""
        return vocabulary.deprivation_edition_of(self.category_type)


class CommentaryRevision(models.Model):
    """Every save of a narrative, as it stood after that save: who, when, the three parts and
    the status. Recorded by the reporting service that writes narratives (docs/design.md §6 audit)."""

    commentary = models.ForeignKey(Commentary, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CommentaryStatus.choices)
    what_data_shows = models.TextField("What the data shows")
    contribution = models.TextField("Our contribution and what partners did", blank=True)
    limitations = models.TextField("Limitations and external factors", blank=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommentaryStatus.values),
                name="commentary_revision_valid_status",
            ),
        ]

    def __str__(self):
        return f"Revision of {self.commentary} at {self.saved_at:%Y-%m-%d %H:%M}"


class AuditAction(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    NARRATIVE = "narrative", "Narrative edited"
    ROLES = "roles", "Roles changed"
    USER = "user", "User account changed"
    UPLOAD = "upload", "Extract uploaded"
    REVIEW = "review", "Extract ready for review"
    PUBLISH = "publish", "Extract published"
    SCHEDULE = "schedule", "Extract publication scheduled"
    DISCARD = "discard", "Extract discarded"
    REVERT = "revert", "Extract reverted"
    RERUN = "rerun", "Extract re-run"


class AuditEvent(models.Model):
    """Who did what, and when (docs/design.md §6 audit). Written by ``indicators.audit`` only, never
    edited; the user's name is copied so the record survives the account's deletion."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    username = models.CharField(
        max_length=150, blank=True, help_text="As it was then; for failed sign-ins, as typed."
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="auditevent_valid_action"
            ),
        ]

    def __str__(self):
        who = self.username or "system"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who}: {self.get_action_display()} {self.object_repr}"
