"""The reporting scenario (tests/reporting_scenario.py), and an owner who may write its
narratives, as fixtures."""

import pytest

from tests.cast import make_partner_member
from tests.reporting_scenario import scenario_build


@pytest.fixture
def scenario(framework, geography):
    """Smoking (PRV01): improving, consistently hits target, better than England.
    Mortality (OVR04): concern, consistently fails target, worse than England (worse and worsening).
    Screening (LTC03): common cause, hit and miss target, similar to England."""
    return scenario_build(framework, geography)


@pytest.fixture
def council_owner(db, scenario):
    """An owner for Bristol City Council, whose indicators include PRV01."""
    return make_partner_member("colin_council", "owner", "Bristol City Council")
