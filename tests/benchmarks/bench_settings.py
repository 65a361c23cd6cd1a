"""Settings for the page benchmark and load test only: the project's settings with a URLconf
that adds the floor view, served over plain http on loopback (no TLS proxy in front, so no
https redirect or secure-only cookies). Production never loads this module, so it has no
extra URL."""

import os

os.environ.setdefault("HTTPS", "false")

from outcomes_site.settings import *  # noqa: E402, F403

ROOT_URLCONF = "tests.benchmarks.floor_urls"
