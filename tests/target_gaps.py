"""A scenario for the gap to target, on the shared cast (``framework`` and ``geography``):
the headline area (BNSSG ICB) in 2024 with

- GAP01, flu vaccine uptake (a proportion, higher is better, target 60%): 1,232 of 2,347.
  Analysts: 60% of 2,347 is 1,408.2, so 1,409 − 1,232 = 177 more people. Protected viewers
  see 1,230 of 2,345: 60% of 2,345 is 1,407, 177 short, shown as about 180;
- GAP02, emergency admissions for falls (a crude rate, lower is better, target 500 per
  100,000): 450 in 100,000, so the target is met;
- OVR04, under-75 preventable mortality (a DSR, target 280): not computed.
"""

from datetime import date

from indicators.models import Indicator, Observation, Period, Target

ANALYST_GAP = "177 more people needed to meet the target"
VIEWER_GAP = "About 180 more people needed to meet the target"
DSR_NOTE = "Not computed for standardised rates"


def build_target_gaps(framework, geography) -> dict[str, Indicator]:
    icb = geography["icb"]
    period = Period.objects.create(
        kind="calendar_year", start=date(2024, 1, 1), end=date(2024, 12, 31), label="2024",
        sort_key="2024010120241231",
    )  # fmt: skip
    domain = framework["mortality"].domain
    common = {"domain": domain, "definition": "A definition.", "frequency": "annual",
              "status": "published"}  # fmt: skip
    uptake = Indicator.objects.create(
        code="GAP01", name="Flu vaccine uptake in over-65s", value_type="proportion",
        multiplier=100, unit_label="%", polarity="higher_better", ci_method="wilson", **common,
    )  # fmt: skip
    falls = Indicator.objects.create(
        code="GAP02", name="Emergency admissions for falls", value_type="crude_rate",
        multiplier=100_000, unit_label="per 100,000", polarity="lower_better",
        ci_method="byar_exact", **common,
    )  # fmt: skip
    mortality = framework["mortality"]
    for indicator, count, denominator, value, target in [
        (uptake, 1232, 2347, 1232 / 2347 * 100, 60.0),
        (falls, 450, 100_000, 450.0, 500.0),
        (mortality, 120, 40_000, 345.0, 280.0),
    ]:
        Observation.objects.create(
            indicator=indicator, area=icb, period=period, value=value, count=count,
            denominator=denominator,
        )  # fmt: skip
        Target.objects.create(
            indicator=indicator, area=icb, value=target, target_period=period, source="national"
        )
    return {"uptake": uptake, "falls": falls, "mortality": mortality}
