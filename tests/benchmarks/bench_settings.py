"""Settings for the page benchmark and load test only: the project's settings with a URLconf
that adds the floor view. Production never loads this module, so it has no extra URL."""

from outcomes_site.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.floor_urls"
