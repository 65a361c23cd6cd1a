"""Query-string and narrative forms. Filter state lives in the URL; a bad value is a message
for the user, never a 500."""

from __future__ import annotations

from django import forms

from indicators.models import Commentary
from reporting.selectors import ReportingPeriod

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


class BoardPackForm(PeriodForm):
    domain = forms.CharField(required=False, max_length=20)


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


class NarrativePeriodForm(forms.Form):
    period = forms.CharField(required=False, max_length=40)
