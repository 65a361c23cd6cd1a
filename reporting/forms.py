"""Query-string and narrative forms. Filter state lives in the URL; a bad value is a message
for the user, never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from indicators.models import Commentary, Domain
from reporting.selectors import ReportingPeriod
from reporting.summary_table import ASSURANCE_FILTERS, BENCHMARK_FILTERS, VARIATION_FILTERS

SORT_CHOICES = [
    ("indicator", "Indicator"),
    ("value", "Latest value"),
    ("variation", "SPC variation"),
    ("assurance", "SPC assurance"),
    ("england", "Compared with England"),
    ("change", "Change since baseline"),
    ("gap", "Gap to target"),
    ("trend", "Recent trend"),
    ("owner", "Owner"),
]


class PeriodForm(forms.Form):
    """``?period=LABEL``: the framework as it stood at the end of that period; blank = latest."""

    period = forms.ChoiceField(label="Show the framework as it stood at", required=False)

    def __init__(self, data=None, *, periods: list[ReportingPeriod]):
        super().__init__(data)
        self.periods = {period.label: period for period in periods}
        self.fields["period"].choices = [("", "Latest data")] + [
            (period.label, period.label) for period in periods
        ]
        self.fields["period"].error_messages["invalid_choice"] = (
            "There is no data for the period %(value)s, so the latest data is shown. "
            "Choose a period from the list."
        )

    def chosen_period(self) -> ReportingPeriod | None:
        label = self.cleaned_data.get("period") if self.is_valid() else ""
        return self.periods.get(label) if label else None

    def error_message(self) -> str:
        return " ".join(message for messages in self.errors.values() for message in messages)


class DomainPageForm(PeriodForm):
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")

    def __init__(self, data=None, *, periods):
        super().__init__(data, periods=periods)
        self.fields["sort"].error_messages["invalid_choice"] = (
            "%(value)s is not a column the table can be sorted by, so it is sorted by indicator."
        )

    def chosen_sort(self) -> str:
        if self.is_valid():
            return self.cleaned_data.get("sort") or "indicator"
        return "indicator"


SUMMARY_SORT_CHOICES = [(key, label) for key, label in SORT_CHOICES if key != "change"]


class SummaryIconsForm(PeriodForm):
    """The summary-icons table's state: the period, the icon filters and the sort order.
    A bad value is an error for that field only; the others still apply."""

    variation = forms.ChoiceField(label="SPC variation", required=False)
    assurance = forms.ChoiceField(label="SPC assurance", required=False)
    benchmark = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SUMMARY_SORT_CHOICES)

    def __init__(self, data=None, *, periods, benchmark_name: str):
        super().__init__(data, periods=periods)
        for name, choices in (
            ("variation", VARIATION_FILTERS), ("assurance", ASSURANCE_FILTERS),
            ("benchmark", BENCHMARK_FILTERS),
        ):  # fmt: skip
            self.fields[name].choices = [("", "Any")] + list(choices.items())
        self.fields["benchmark"].label = f"Compared with {benchmark_name}"
        for name in ("variation", "assurance", "benchmark", "sort"):
            self.fields[name].error_messages["invalid_choice"] = (
                "“%(value)s” is not one of the choices, so that filter is not applied."
            )

    def value(self, name: str) -> str:
        """A field's valid value, or blank (each field stands alone)."""
        self.is_valid()
        return self.cleaned_data.get(name) or ""

    def chosen_period(self) -> ReportingPeriod | None:
        label = self.value("period")
        return self.periods.get(label) if label else None

    def chosen_sort(self) -> str:
        return self.value("sort") or "indicator"

    def query(self, **changes) -> str:
        """The query string of what is shown, with some values changed (blank drops one)."""
        names = ("period", "variation", "assurance", "benchmark", "sort")
        params = {name: self.value(name) for name in names} | changes
        if params["sort"] == "indicator":
            params["sort"] = ""  # the default order needs no parameter
        return urlencode({name: value for name, value in params.items() if value})


class BoardPackForm(forms.Form):
    """Which board pack: a domain (blank: the whole framework) and a period (blank: the
    latest data). Anything else is a bad request (400), never a guess."""

    domain = forms.ChoiceField(label="Domain", required=False)
    period = forms.ChoiceField(label="As the framework stood at", required=False)

    def __init__(self, data=None, *, domains: list[Domain], periods: list[ReportingPeriod]):
        super().__init__(data)
        self.fields["domain"].choices = [("", "The whole framework")] + [
            (domain.code, domain.name) for domain in domains
        ]
        self.fields["period"].choices = [("", "Latest data")] + [
            (period.label, period.label) for period in periods
        ]
        self.fields["domain"].error_messages["invalid_choice"] = (
            "There is no domain “%(value)s”. Choose one from the list."
        )
        self.fields["period"].error_messages["invalid_choice"] = (
            "There is no data for the period “%(value)s”. Choose a period from the list."
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "nhsuk-select"

    def error_message(self) -> str:
        return " ".join(message for messages in self.errors.values() for message in messages)


class NarrativeForm(forms.ModelForm):
    """The three parts of an owner's narrative for one period."""

    period = forms.ChoiceField(label="Period the narrative is about")

    class Meta:
        model = Commentary
        fields = ["what_data_shows", "contribution", "limitations"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5, "class": "nhsuk-textarea"})
            for name in ["what_data_shows", "contribution", "limitations"]
        }
        help_texts = {
            "what_data_shows": "What changed and how it compares with England and the target. "
            "The first line is shown in tables, so make it a one-sentence summary.",
            "contribution": "What your organisation and partners did that may have moved it.",
            "limitations": "Data caveats and factors outside the system's control.",
        }

    def __init__(self, *args, period_labels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(label, label) for label in period_labels]
        self.fields["period"].widget.attrs["class"] = "nhsuk-select"
        self.order_fields(["period", "what_data_shows", "contribution", "limitations"])
