"""The explorer's one filter form, shared by every page and the API.

The query string is the state. Each field's choices depend on the fields before it (domain →
indicator → comparator group → area type → parent → area → period → sex → age → breakdown), so
the form resolves them in that order (a group fixes the area type to its members' and takes the
place of "within"): a blank field takes its default; a value that names nothing we know (or
nothing this user may see) is an error with a message, and the page falls back to the default
for that field; a known value with no data is kept, so the page can say why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms

from explorer import selectors
from indicators.models import Area, AreaType, ComparatorGroup, Domain, Indicator, Period, Sex
from indicators.selectors import protects
from indicators.system import deprivation_current, system_current
from indicators.vocabulary import ALL_AGES

FIELD_ORDER = [
    "domain", "indicator", "group", "area_type", "parent", "area", "period", "sex", "age",
    "breakdown", "colour",
]  # fmt: skip
PAGE_FIELDS = {
    "compare": ["domain", "indicator", "group", "area_type", "parent", "area", "period", "sex", "age"],
    "summary": ["domain", "group", "area_type", "area", "sex"],
    "inequalities": ["domain", "indicator", "area_type", "area", "period", "sex", "age", "breakdown"],
    "trends": ["domain", "indicator", "group", "area_type", "parent", "area", "sex", "age"],
    "map": ["domain", "indicator", "group", "area_type", "period", "sex", "age", "colour"],
    "funnel": ["domain", "indicator", "group", "area_type", "parent", "period", "sex", "age"],
    "overview": ["domain", "group", "area_type", "parent"],
}  # fmt: skip
# The "Compare with" choice when no group is chosen: what each page compared before groups.
NO_GROUP_LABELS = {
    "compare": "All areas of the type chosen",
    "summary": "All areas of the type chosen",
    "trends": "The area and its parent",
    "map": "All areas of the type chosen",
    "funnel": "All areas of the type chosen",
    "overview": "All areas of the type chosen",
}
MAP_AREA_TYPES = ("icb", "region", "local_authority")
# A funnel compares many areas of one type: England is one area, and LSOAs are too small
# and too many for their limits to say anything a board can act on.
NOT_FUNNEL_AREA_TYPES = ("england", "lsoa")
BREAKDOWN_LABELS = {
    "imd_quintile": "Deprivation: {edition} quintile",
    "imd_decile": "Deprivation: {edition} decile",
    "ethnic_group": "Ethnic group",
    "sex": "Sex",
    "age_band": "Age",
}


def breakdown_labels() -> dict[str, str]:
    """The breakdowns offered, the deprivation ones named by the system's edition."""
    edition = deprivation_current().name
    return {slug: label.format(edition=edition) for slug, label in BREAKDOWN_LABELS.items()}


COLOUR_LABELS = {"significance": "Comparison with England", "quintile": "Quintile (fifths)"}
# When a person changes one filter, the filters whose old values may no longer apply go back
# to their defaults (a quarterly indicator has no "2023/24", another area type other areas).
RESETS = {
    "domain": ["indicator", "period", "age", "breakdown"],
    "indicator": ["period", "age", "breakdown"],
    "group": ["parent", "area"],
    "area_type": ["group", "parent", "area", "period"],
    "parent": ["area"],
}


@dataclass
class Selection:
    """What the filters resolved to: the objects the selectors and charts work with."""

    page: str
    domain: Domain | None = None
    indicator: Indicator | None = None
    indicators: list[Indicator] = field(default_factory=list)
    area_type: AreaType | None = None
    area_types: list[AreaType] = field(default_factory=list)
    # A comparator group replaces "all areas of the type" (and "within") with its members.
    group: ComparatorGroup | None = None
    group_members: list[Area] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    parent: Area | None = None
    area: Area | None = None
    period: Period | None = None
    periods: list[Period] = field(default_factory=list)
    sex: str = Sex.PERSONS
    age: str = ALL_AGES
    breakdown: str = "imd_quintile"
    colour: str = "significance"
    availability: selectors.Availability = field(default_factory=selectors.Availability)
    protect: bool = True  # disclosure control applies (everyone but analysts)

    def params(self, *, all_fields: bool = False) -> dict[str, str]:
        """The URL parameters of this selection for its page (blank ones left out)."""
        values = {
            "domain": self.domain.code if self.domain else "",
            "indicator": self.indicator.code if self.indicator else "",
            "group": self.group.code if self.group else "",
            "area_type": self.area_type.code if self.area_type else "",
            "parent": self.parent.code if self.parent else "",
            "area": self.area.code if self.area else "",
            "period": self.period.label if self.period else "",
            "sex": self.sex,
            "age": self.age,
            "breakdown": self.breakdown,
            "colour": self.colour,
        }
        names = FIELD_ORDER if all_fields else PAGE_FIELDS[self.page]
        return {name: values[name] for name in names if values[name]}

    def query(self, page: str = "", **changes) -> str:
        """The query string of this selection (for another page's fields if ``page`` given),
        with some values changed."""
        params = self.params()
        if page:
            params = {
                name: value
                for name, value in self.params(all_fields=True).items()
                if name in PAGE_FIELDS[page]
            }
        for name, value in changes.items():
            if value in (None, ""):
                params.pop(name, None)
            else:
                params[name] = value
        return urlencode(params)


class ExplorerFilterForm(forms.Form):
    domain = forms.ChoiceField(label="Domain", required=False)
    indicator = forms.ChoiceField(label="Indicator", required=False)
    group = forms.ChoiceField(label="Compare with", required=False)
    area_type = forms.ChoiceField(label="Area type", required=False)
    parent = forms.ChoiceField(label="Within", required=False)
    area = forms.ChoiceField(label="Area", required=False)
    period = forms.ChoiceField(label="Period", required=False)
    sex = forms.ChoiceField(label="Sex", required=False, choices=Sex.choices)
    age = forms.ChoiceField(label="Age", required=False)
    breakdown = forms.ChoiceField(
        label="Breakdown", required=False, choices=lambda: list(breakdown_labels().items())
    )
    colour = forms.ChoiceField(
        label="Colour areas by", required=False, choices=list(COLOUR_LABELS.items())
    )

    def __init__(self, data, *, user, page: str, changed: str = "", action: str = ""):
        """``changed`` names the field the person just changed (htmx sends it): the fields
        after it go back to their defaults, as their old values may not apply any more."""
        self.page = page
        raw = {name: (data.get(name) or "").strip() for name in FIELD_ORDER}
        for name in RESETS.get(changed, []):
            raw[name] = ""
        super().__init__(data={name: value for name, value in raw.items() if value})
        for name in set(FIELD_ORDER) - set(PAGE_FIELDS[page]):
            del self.fields[name]
            raw[name] = ""
        for form_field in self.fields.values():
            form_field.error_messages["invalid_choice"] = (
                f"“%(value)s” is not one of the {form_field.label.lower()} choices here, so the "
                "page shows the default instead."
            )
            form_field.widget.attrs["class"] = "nhsuk-select"
            if action:
                # htmx: a change re-requests the page with the whole form; the view learns
                # which field changed from the HX-Trigger-Name header.
                form_field.widget.attrs.update({"hx-get": action, "hx-include": "closest form"})
        self.selection = self._resolve(raw, user)
        self.full_clean()
        # Errors are kept; the form now shows what the page shows.
        self.data = self.selection.params()

    def _set_choices(self, name, choices, value):
        if name in self.fields:
            self.fields[name].choices = choices
            self.initial[name] = value

    def _resolve(self, raw: dict[str, str], user) -> Selection:
        selection = Selection(page=self.page, protect=protects(user))
        indicators = selectors.explorer_indicators(user=user)
        domains = list(
            {indicator.domain.code: indicator.domain for indicator in indicators}.values()
        )
        selection.domain = next((d for d in domains if d.code == raw["domain"]), None)
        self._set_choices(
            "domain",
            [("", "All domains")] + [(d.code, d.name) for d in domains],
            raw["domain"] if selection.domain else "",
        )
        in_domain = [
            indicator
            for indicator in indicators
            if selection.domain is None or indicator.domain_id == selection.domain.pk
        ]
        selection.indicators = in_domain
        if "indicator" in PAGE_FIELDS[self.page]:
            by_code = {indicator.code: indicator for indicator in indicators}
            chosen = by_code.get(raw["indicator"])
            if chosen is not None and chosen not in in_domain:
                chosen = None  # another domain was chosen: its first indicator follows
                self.data.pop("indicator", None)
            selection.indicator = chosen or (in_domain[0] if in_domain else None)
            self._set_choices(
                "indicator",
                _grouped_indicators(in_domain),
                selection.indicator.code if selection.indicator else "",
            )
            selection.availability = selectors.indicator_availability(indicator=selection.indicator)
        indicator = selection.indicator
        self._resolve_group(raw, selection)

        area_types = selectors.explorer_area_types()
        if self.page == "map":
            area_types = [t for t in area_types if t.code in MAP_AREA_TYPES]
        elif self.page == "funnel":
            area_types = [t for t in area_types if t.code not in NOT_FUNNEL_AREA_TYPES]
        with_data = selection.availability.area_type_ids()
        chosen_type = next((t for t in area_types if t.code == raw["area_type"]), None)
        default_type = next(
            (t for t in area_types if t.code == "icb" and (not indicator or t.pk in with_data)),
            None,
        ) or next(
            (t for t in area_types if t.pk in with_data), area_types[0] if area_types else None
        )
        selection.area_type = chosen_type or default_type
        if selection.group_members:
            # The group's members are all of one type: that is the type compared.
            selection.area_type = selection.group_members[0].area_type
        selection.area_types = area_types
        self._set_choices(
            "area_type",
            [
                (t.code, t.name if not indicator or t.pk in with_data else f"{t.name} (no data)")
                for t in area_types
            ],
            selection.area_type.code if selection.area_type else "",
        )

        selection.areas = (
            selectors.explorer_areas(area_type=selection.area_type) if selection.area_type else []
        )
        parents = sorted(
            {area.parent.code: area.parent for area in selection.areas if area.parent}.values(),
            key=lambda area: area.name,
        )
        if self.page == "overview":
            parents = _with_linked_headline(parents, selection.areas)
        selection.parent = next((p for p in parents if p.code == raw["parent"]), None)
        if selection.group is not None:
            selection.parent = None  # the group says which areas are compared
        self._set_choices(
            "parent",
            [("", "All areas of this type")] + [(p.code, p.name) for p in parents],
            selection.parent.code if selection.parent else "",
        )
        areas = selection.areas
        if selection.parent is not None:
            areas = [a for a in areas if a.parent_id == selection.parent.pk]
        if selection.group_members:
            areas = selection.group_members  # the areas to choose from are the group's
        selection.area = next((a for a in selection.areas if a.code == raw["area"]), None)
        if selection.area is None and areas:
            selection.area = next((a for a in areas if selectors.is_home_area(a)), None)
            selection.area = selection.area or areas[0]
        area_choices = [(a.code, a.name) for a in areas]
        if selection.area is not None and selection.area not in areas:
            area_choices.append((selection.area.code, selection.area.name))
        self._set_choices("area", area_choices, selection.area.code if selection.area else "")
        if "area" not in PAGE_FIELDS[self.page]:
            selection.area = None

        self._resolve_period(raw, selection)

        selection.sex = (
            raw["sex"]
            if raw["sex"] in Sex.values
            else (indicator.default_sex if indicator else Sex.PERSONS)
        )
        self.initial["sex"] = selection.sex
        default_age = indicator.default_age if indicator else ALL_AGES
        ages = sorted(selection.availability.ages() | {default_age}, key=selectors.natural_key)
        selection.age = raw["age"] if raw["age"] in ages else default_age
        self._set_choices("age", [(age, age) for age in ages], selection.age)
        if raw["breakdown"] in BREAKDOWN_LABELS:
            selection.breakdown = raw["breakdown"]
        else:
            offered = selection.availability.category_types()
            selection.breakdown = next(
                (
                    slug
                    for slug, ct in selectors.breakdown_category_types().items()
                    if ct in offered
                ),
                "sex",
            )
        self.initial["breakdown"] = selection.breakdown
        if raw["colour"] in COLOUR_LABELS:
            selection.colour = raw["colour"]
        elif indicator is not None and indicator.polarity == "no_judgement":
            selection.colour = "quintile"
        self.initial["colour"] = selection.colour
        return selection

    def _resolve_group(self, raw, selection: Selection) -> None:
        """A known group code chooses the group and its members; an unknown one is left to
        the field's validation (an error, and the page compares as it would without)."""
        if "group" not in PAGE_FIELDS[self.page]:
            return
        groups = selectors.explorer_groups()
        selection.group = next((g for g in groups if g.code == raw["group"]), None)
        if selection.group is not None:
            selection.group_members = selectors.group_members(group=selection.group)
        self._set_choices(
            "group",
            [("", NO_GROUP_LABELS[self.page])]
            + [(g.code, f"{g.name} ({g.get_kind_display()})") for g in groups],
            selection.group.code if selection.group else "",
        )

    def _resolve_period(self, raw, selection: Selection) -> None:
        """Offer the periods the indicator has data for (at this area type, marked when not);
        accept any known period label, so a period with no data can be explained."""
        if "period" not in PAGE_FIELDS[self.page] or selection.indicator is None:
            return
        availability = selection.availability
        periods = selectors.explorer_periods()
        any_data = availability.period_ids()
        here = availability.period_ids(
            area_type_id=getattr(selection.area_type, "pk", None),
            sex=raw["sex"] or selection.indicator.default_sex,
        )
        offered = [p for p in periods if p.pk in any_data]
        selection.periods = offered
        candidates = [p for p in periods if p.label == raw["period"]]
        chosen = next((p for p in candidates if p.pk in any_data), None) or next(
            iter(candidates), None
        )
        latest_here = [p for p in offered if p.pk in here]
        selection.period = chosen or (latest_here or offered or [None])[-1]
        choices = [
            (p.label, p.label if p.pk in here else f"{p.label} (no data for this area type)")
            for p in reversed(offered)
        ]
        if selection.period is not None and selection.period not in offered:
            choices.insert(0, (selection.period.label, f"{selection.period.label} (no data)"))
        self.fields["period"].choices = choices
        if raw["period"] and chosen is not None:
            self.data["period"] = chosen.label
        self.initial["period"] = selection.period.label if selection.period else ""

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]

    def fields_shown(self):
        return [self[name] for name in PAGE_FIELDS[self.page]]


def _with_linked_headline(parents: list[Area], areas: list[Area]) -> list[Area]:
    """The overview's "Within" choices: also the system's headline area when areas of the
    type lie within it in another hierarchy (an ICB's local authorities), first."""
    headline = system_current().headline_area
    linked = any(getattr(area, "in_headline", False) for area in areas)
    if not linked or headline.code in {parent.code for parent in parents}:
        return parents
    return [headline, *parents]


def _grouped_indicators(indicators: list[Indicator]):
    groups: dict[str, list] = {}
    for indicator in indicators:
        label = f"{indicator.code} {indicator.name}"
        if indicator.status != "published":
            label += f" ({indicator.get_status_display().lower()})"
        groups.setdefault(indicator.domain.name, []).append((indicator.code, label))
    return list(groups.items())
