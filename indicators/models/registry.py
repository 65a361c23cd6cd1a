"""The registry: partners, domains, indicators and programmes, and the choices an indicator is
described with (value type, polarity, CI method, frequency, status, disclosure, quality, sex)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from indicators import vocabulary
from indicators.vocabulary import ALL_AGES


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
    HIGHER_BETTER = vocabulary.HIGHER_BETTER, "Higher is better"
    LOWER_BETTER = vocabulary.LOWER_BETTER, "Lower is better"
    NO_JUDGEMENT = vocabulary.NO_JUDGEMENT, "No judgement"


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
    default_age = models.CharField(max_length=40, default=ALL_AGES)
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
