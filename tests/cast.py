"""The shared cast: one small framework, a slice of geography and users by role. The
fixtures in tests/conftest.py call these; a test that needs them outside a fixture (inside a
Hypothesis example, say, or for a second user of a role) calls them itself."""

from django.contrib.auth.models import Group, User

from indicators.models import Area, AreaType, Domain, Indicator, Partner, PartnerMembership, System
from tests.geography import edition_named, rank

PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str | None, *, staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_partner_member(username: str, role: str, partner_name: str) -> User:
    """A user of ``role`` who works for the named partner (an owner edits its indicators)."""
    user = make_user(username, role)
    PartnerMembership.objects.create(user=user, partner=Partner.objects.get(name=partner_name))
    return user


def framework_build() -> dict[str, Indicator]:
    """Two domains; three published indicators and one draft, by short name."""
    council = Partner.objects.create(name="Bristol City Council")
    icb = Partner.objects.create(name="BNSSG ICB")
    healthy = Domain.objects.create(
        code="OVR", name="Longer, healthier, fairer lives",
        reporting_question="Are people living longer in good health?", order=1,
    )  # fmt: skip
    flow = Domain.objects.create(
        code="INT", name="Joined-up care", reporting_question="Is care joined up?", order=2
    )
    common = {"definition": "A definition.", "frequency": "annual", "status": "published"}
    indicators = {
        "smoking": Indicator.objects.create(
            code="PRV01", domain=healthy, name="Smoking prevalence in adults", value_type="proportion",
            multiplier=100, unit_label="%", polarity="lower_better", ci_method="wilson", owner=council,
            **common,
        ),
        "mortality": Indicator.objects.create(
            code="OVR04", domain=healthy, name="Under-75 preventable mortality", value_type="dsr",
            multiplier=100000, unit_label="per 100,000", polarity="lower_better", ci_method="dobson",
            owner=icb, **common,
        ),
        "screening": Indicator.objects.create(
            code="LTC03", domain=flow, name="Bowel screening coverage", value_type="proportion",
            multiplier=100, unit_label="%", polarity="higher_better", ci_method="wilson", owner=icb,
            **common,
        ),
        "draft": Indicator.objects.create(
            code="INT09", domain=flow, name="Unpublished flow measure", value_type="count",
            multiplier=1, polarity="no_judgement", ci_method="none", definition="Draft.",
            frequency="monthly", status="draft",
        ),
    }  # fmt: skip
    return indicators


def geography_build() -> dict:
    """England → South West → BNSSG ICB → Bristol → two LSOAs, and the configured system."""
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    england = Area.objects.create(code="E92000001", name="England", area_type=types["england"])
    region = Area.objects.create(
        code="E40000006", name="South West", area_type=types["region"], parent=england
    )
    icb = Area.objects.create(
        code="E54000039", name="BNSSG ICB", area_type=types["icb"], parent=region
    )
    bristol = Area.objects.create(
        code="E06000023", name="Bristol, City of", area_type=types["local_authority"], parent=icb
    )
    lsoas = [
        rank(
            Area.objects.create(code=code, name=name, area_type=types["lsoa"], parent=bristol),
            decile,
        )
        for code, name, decile in [
            ("E01014485", "Bristol 023A", 4),
            ("E01014486", "Bristol 023B", 2),
        ]
    ]
    # The configured system the pages speak for (as ``load_demo`` configures it).
    system = System.objects.create(
        name="Bristol, North Somerset and South Gloucestershire", short_name="BNSSG",
        headline_area=icb, benchmark_area=england, deprivation_edition=edition_named(),
    )  # fmt: skip
    return {
        "england": england, "region": region, "icb": icb, "bristol": bristol, "lsoas": lsoas,
        "system": system,
    }  # fmt: skip
