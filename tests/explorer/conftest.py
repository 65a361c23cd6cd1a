"""The explorer's fixtures: its scenario (tests/explorer_scenario.py) and a signed-in viewer."""

import pytest

from tests.explorer_scenario import build


@pytest.fixture
def explorer_data(framework, geography):
    return build(framework, geography, icbs_per_region=2, years=3)


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
