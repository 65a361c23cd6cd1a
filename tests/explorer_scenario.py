"""A small explorer scenario on the shared cast: England, two NHS regions, ICBs under them,
a few periods, headline values with CIs and comparisons, deprivation quintiles for the BNSSG
ICB and an inequality summary. ``build`` makes it at any size; the ``explorer_data`` fixture
(tests/explorer/conftest.py) makes two ICBs a region over three years."""

from indicators.models import (
    Area,
    AreaType,
    InequalitySummary,
    Observation,
    Period,
    SeriesAnalytics,
)

QUINTILES = [
    f"Quintile {n}" + (" (most deprived)" if n == 1 else " (least deprived)" if n == 5 else "")
    for n in range(1, 6)
]


def build(framework, geography, *, icbs_per_region: int, years: int):
    types = {t.code: t for t in AreaType.objects.all()}
    england, south_west, bnssg = geography["england"], geography["region"], geography["icb"]
    london = Area.objects.create(
        code="E40000003", name="London", area_type=types["region"], parent=england
    )
    icbs = [bnssg]
    for number in range(icbs_per_region * 2 - 1):
        parent = south_west if number % 2 else london
        icbs.append(
            Area.objects.create(
                code=f"E5400{number + 100:04d}", name=f"NHS Test {number} Integrated Care Board",
                area_type=types["icb"], parent=parent,
            )
        )  # fmt: skip
    periods = [
        Period.objects.create(kind="financial_year", start=f"{2018 + n}-04-01", end=f"{2019 + n}-03-31",
                              label=f"{2018 + n}/{(19 + n) % 100:02d}", sort_key=f"{2018 + n}0401")
        for n in range(years)
    ]  # fmt: skip
    Period.objects.create(
        kind="financial_year",
        start="2029-04-01",
        end="2030-03-31",
        label="2029/30",
        sort_key="20290401",
    )
    rows = []
    for indicator in (framework["screening"], framework["smoking"], framework["draft"]):
        for period_number, period in enumerate(periods):
            rows.append(
                Observation(
                    indicator=indicator,
                    area=england,
                    period=period,
                    value=60.0,
                    lower_95=59.5,
                    upper_95=60.5,
                    count=6000,
                    denominator=10000,
                )
            )
            rows.append(
                Observation(
                    indicator=indicator,
                    area=south_west,
                    period=period,
                    value=61.0,
                    lower_95=60.0,
                    upper_95=62.0,
                    england_comparison="Better",
                )
            )
            for number, icb in enumerate(icbs):
                value = 50.0 + number * 3 + period_number
                label = "Similar" if abs(value - 60) < 2 else ("Higher" if value > 60 else "Lower")
                better = (
                    {"Higher": "Better", "Lower": "Worse"}
                    if indicator.polarity == "higher_better"
                    else {"Higher": "Worse", "Lower": "Better"}
                )
                rows.append(Observation(
                    indicator=indicator, area=icb, period=period, value=value, lower_95=value - 1.5,
                    upper_95=value + 1.5, count=value * 10, denominator=1000,
                    england_comparison=better.get(label, label),
                    value_note="Provisional" if number == 1 else "",
                ))  # fmt: skip
            for number, quintile in enumerate(QUINTILES):
                value = 40.0 + number * 5
                rows.append(
                    Observation(
                        indicator=indicator,
                        area=bnssg,
                        period=period,
                        value=value,
                        lower_95=value - 2,
                        upper_95=value + 2,
                        category_type="IMD 2019 quintile (national)",
                        category=quintile,
                    )
                )
            InequalitySummary.objects.create(
                indicator=indicator, area=bnssg, period=period, sex="Persons", age="All ages",
                category_type="IMD 2019 quintile (national)", sii=20.0, sii_lower=15.0, sii_upper=25.0,
                rii=0.4, rii_lower=0.3, rii_upper=0.5, gap=-20.0, ratio=0.67,
            )  # fmt: skip
        SeriesAnalytics.objects.create(
            indicator=indicator, area=bnssg, sex="Persons", age="All ages", latest_period=periods[-1],
            trend_label="Increasing and getting better", spc_variation_label="Special cause improvement",
            spc_assurance_label="Inconsistent",
        )  # fmt: skip
    # A suppressed value at the local-authority level.
    rows.append(Observation(indicator=framework["screening"], area=geography["bristol"], period=periods[-1],
                            value=None, suppressed=True, value_note="Suppressed: fewer than 8 events"))  # fmt: skip
    Observation.objects.bulk_create(rows)
    return {"icbs": icbs, "periods": periods, "london": london}
