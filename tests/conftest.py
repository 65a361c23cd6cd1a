"""The shared cast: one small framework, a slice of geography and one user per role."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import settings as hypothesis_settings

from indicators.models import Area, AreaType, Domain, Indicator, Partner, System
from tests.geography import edition_named, rank

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
REQUIRE_SERVICES = os.environ.get("OUTCOMES_REQUIRE_SERVICES") == "1"

# CI explores the same examples every run, so a landing is never decided by a random draw;
# developers' runs keep exploring new inputs (and the failures they find become tests).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=1000)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


def skip_or_fail(reason: str):
    """Skip locally when a service is missing; in CI (OUTCOMES_REQUIRE_SERVICES=1) fail."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (OUTCOMES_REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(reason)


def make_user(username: str, role: str | None, *, staff: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password="correct-horse-battery", is_staff=staff
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db):
    return make_user("vera_viewer", "viewer")


@pytest.fixture
def owner(db):
    return make_user("owen_owner", "owner")


@pytest.fixture
def analyst(db):
    return make_user("ana_analyst", "analyst", staff=True)


@pytest.fixture
def administrator(db):
    return make_user("ada_admin", "admin", staff=True)


@pytest.fixture
def framework(db):
    """Two domains; three published indicators and one draft."""
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


@pytest.fixture
def geography(db):
    """England → South West → BNSSG ICB → Bristol → two LSOAs."""
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


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path_factory):
    """Caches the app keeps (the geography's arrays) go to a temporary folder too."""
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    return settings.VAR_DIR


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored extracts and reports go to a temporary folder, never the working tree."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids can repeat between tests once rolled back."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process for this test, even when a broker is configured (CI)."""
    from outcomes_site.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
