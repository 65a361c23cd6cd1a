"""A small known reporting scenario: three published indicators for BNSSG ICB over six years,
with England values, stored SPC results (one special cause improvement, one concern, one hit
and miss), baselines, targets and a published narrative."""

from datetime import date

from indicators.models import (
    Baseline,
    Commentary,
    Indicator,
    Observation,
    Period,
    SeriesAnalytics,
    Target,
)

YEARS = [2019, 2020, 2021, 2022, 2023, 2024]


def make_periods(years=YEARS) -> dict[str, Period]:
    return {
        str(year): Period.objects.get_or_create(
            kind="calendar_year", start=date(year, 1, 1), end=date(year, 12, 31),
            defaults={"label": str(year), "sort_key": f"{year}0101{year}1231"},
        )[0]
        for year in years
    }  # fmt: skip


def add_series(
    indicator,
    area,
    periods,
    values,
    *,
    england=None,
    england_area=None,
    comparisons=None,
    width=1.0,
):
    """Headline observations for ``indicator`` in ``area``; England values alongside."""
    for index, (label, value) in enumerate(zip(periods, values, strict=True)):
        Observation.objects.create(
            indicator=indicator, area=area, period=periods[label], value=value,
            lower_95=value - width, upper_95=value + width, count=100, denominator=1000,
            england_comparison=(comparisons or {}).get(label, "Similar"),
            target_comparison="Amber",
        )  # fmt: skip
        if england is not None:
            Observation.objects.create(
                indicator=indicator, area=england_area, period=periods[label],
                value=england[index],
                lower_95=england[index] - 0.1, upper_95=england[index] + 0.1,
                england_comparison="Not compared",
            )  # fmt: skip


def spc_points(periods, values, *, types=None, rules=None, mean=None, lower=None, upper=None):
    mean = sum(values) / len(values) if mean is None else mean
    return [
        {
            "period": label, "value": value, "mean": mean,
            "lower": mean - 5 if lower is None else lower,
            "upper": mean + 5 if upper is None else upper,
            "type": (types or {}).get(label, "common_cause"),
            "rule": (rules or {}).get(label, "Common Cause"),
        }
        for label, value in zip(periods, values, strict=True)
    ]  # fmt: skip


def scenario_build(framework, geography) -> dict:
    """Smoking (PRV01): improving, consistently hits target, better than England.
    Mortality (OVR04): concern, consistently fails target, worse than England (worse and worsening).
    Screening (LTC03): common cause, hit and miss target, similar to England."""
    periods = make_periods()
    icb, england = geography["icb"], geography["england"]
    smoking = [21.0, 20.5, 20.1, 19.5, 18.2, 17.0]
    mortality = [300.0, 305.0, 310.0, 318.0, 330.0, 345.0]
    screening = [70.0, 71.5, 69.8, 70.6, 70.1, 71.0]
    add_series(framework["smoking"], icb, periods, smoking, england=[19.0] * 6, england_area=england,
               comparisons={"2022": "Worse", "2024": "Better"})  # fmt: skip
    add_series(framework["mortality"], icb, periods, mortality, england=[290.0] * 6, england_area=england,
               comparisons={label: "Worse" for label in periods}, width=8)  # fmt: skip
    add_series(
        framework["screening"], icb, periods, screening, england=[70.5] * 6, england_area=england
    )
    common = {"area": icb, "sex": "Persons", "age": "All ages", "latest_period": periods["2024"]}
    SeriesAnalytics.objects.create(
        indicator=framework["smoking"], **common,
        trend_marker="decreasing", trend_label="Decreasing and getting better",
        spc_variation_icon="improvement_low",
        spc_variation_label="Special cause improvement – low",
        spc_assurance_icon="pass", spc_assurance_label="Consistently hits target",
        spc_points=spc_points(
            periods, smoking, types={"2024": "special_cause_improvement"},
            rules={"2024": "Below LCL"}, mean=20.0, lower=17.5, upper=22.5,
        ),
    )  # fmt: skip
    SeriesAnalytics.objects.create(
        indicator=framework["mortality"], **common,
        trend_marker="increasing", trend_label="Increasing and getting worse",
        spc_variation_icon="concern_high", spc_variation_label="Special cause concern – high",
        spc_assurance_icon="fail", spc_assurance_label="Consistently fails target",
        spc_points=spc_points(
            periods, mortality, types={"2024": "special_cause_concern"},
            rules={"2024": "Above UCL"}, mean=315.0, lower=290.0, upper=340.0,
        ),
    )  # fmt: skip
    SeriesAnalytics.objects.create(
        indicator=framework["screening"], **common,
        trend_marker="no_significant_change", trend_label="No significant change",
        spc_variation_icon="common_cause", spc_variation_label="Common cause variation",
        spc_assurance_icon="inconsistent", spc_assurance_label="Hit and miss target",
        spc_trial_limits=True, spc_points=spc_points(periods, screening),
    )  # fmt: skip
    Baseline.objects.create(
        indicator=framework["smoking"], area=icb, period=periods["2019"], value=21.0
    )
    Target.objects.create(
        indicator=framework["smoking"], area=icb, value=18.5, target_period=periods["2024"],
        source="local_plan",
        trajectory=[{"period": "2022", "value": 19.8}, {"period": "2024", "value": 18.5}],
    )  # fmt: skip
    Target.objects.create(
        indicator=framework["mortality"], area=icb, value=280.0, target_period=periods["2024"],
        source="national",
    )  # fmt: skip
    Commentary.objects.create(
        indicator=framework["smoking"], area=icb, period=periods["2024"],
        what_data_shows="Smoking fell for the third year running.\nMore detail here.",
        contribution="Stop Smoking services doubled referrals.", status="published",
        published_at="2025-03-01T10:00:00Z",
    )  # fmt: skip
    return {"periods": periods, "indicators": framework, **geography}


def add_indicators(domain, owner, icb, england, periods, count: int) -> list[Indicator]:
    """``count`` more published indicators with series and analytics, to grow the scenario."""
    made = []
    for number in range(count):
        indicator = Indicator.objects.create(
            code=f"EXT{number:02d}", domain=domain, name=f"Extra indicator {number}",
            definition="Extra.", value_type="proportion", multiplier=100, unit_label="%",
            polarity="higher_better", ci_method="wilson", frequency="annual",
            status="published", owner=owner,
        )  # fmt: skip
        values = [50.0 + number + step for step in range(len(periods))]
        add_series(
            indicator, icb, periods, values, england=[50.0] * len(periods), england_area=england
        )
        SeriesAnalytics.objects.create(
            indicator=indicator, area=icb, sex="Persons", age="All ages",
            latest_period=list(periods.values())[-1], spc_variation_icon="common_cause",
            spc_variation_label="Common cause variation",
            spc_points=spc_points(list(periods), values),
        )  # fmt: skip
        Target.objects.create(
            indicator=indicator, area=icb, value=60.0,
            target_period=list(periods.values())[-1], source="local_plan",
        )  # fmt: skip
        made.append(indicator)
    return made
