"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server.

The server is pytest-django's ``live_server`` on 127.0.0.1 (a thread in this process, on the
test database); uploads go through Redis to a real Celery worker started as a subprocess on the
same database. Each page of a journey is checked with axe-core (WCAG 2.0, 2.1 and 2.2, A and
AA) at a desktop width and at 320 CSS pixels, and screenshotted to ``screenshots/`` (ignored by
git) so a person can look at what users see.

Playwright's sync API keeps an event loop running in this thread while a browser is open, and
Django refuses ORM calls from a thread with a running loop; so each test seeds its data before
its browser starts and afterwards asserts only through the pages, as a user would.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.extracts import generate_demo_extracts
from indicators.services import narratives_import, programmes_import, targets_import
from ingest.services import extract_create, extract_process
from outcomes_site.celery import app as celery_app
from tests.browser.journey import AXE, DESKTOP, SCREENSHOTS
from tests.cast import make_user
from tests.environment import FIXTURES, skip_or_fail
from tests.workers import database_url, require_postgresql_and_redis, start_worker, stop_worker

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("OUTCOMES_CHROMIUM", "/usr/bin/chromium"))
# The indicators seeded for every journey: life expectancy (values, with a narrative),
# preventable mortality and alcohol admissions (granular counts, annual; alcohol has a
# narrative and is worse than England), bowel screening (granular counts, quarterly: enough
# points for real SPC limits).
SEEDED = ["OVR02", "OVR04", "PRV05", "LTC05"]

pytestmark = pytest.mark.browser


# --- What the suite needs from the machine -----------------------------------------------


def require_browser_tools():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        skip_or_fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(or set OUTCOMES_CHROMIUM) to run the browser tests"
        )
    if not AXE.is_file():
        skip_or_fail(
            f"axe-core not installed in {AXE.parent.parent}: `make test` runs "
            "`npm ci --prefix tests/browser` when Node.js and npm are installed"
        )


# --- Data, seeded through the real services ---------------------------------------------


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory):
    """The demo's synthetic extracts for a few indicators (generated once, about a second)."""
    return generate_demo_extracts(out_dir=tmp_path_factory.mktemp("demo"), indicators=SEEDED)


@pytest.fixture
def seeded(transactional_db, live_server, demo_files):
    """The demo framework and geography, one user per journey, and the seeded indicators'
    data loaded through the ingest pipeline (in this process, a few seconds)."""
    require_browser_tools()
    quiet = io.StringIO()
    call_command(
        "import_registry", str(FIXTURES / "demo_framework.csv"),
        domains=str(FIXTURES / "demo_domains.csv"), publish=True, stdout=quiet,
    )  # fmt: skip
    call_command("import_areas", str(FIXTURES / "areas.csv"), stdout=quiet)
    call_command("import_system", str(FIXTURES / "demo_system.toml"), stdout=quiet)
    users = {
        "lead": make_user("lead", "viewer"),
        "manager": make_user("manager", "viewer"),
        "owner": make_user("owner", "owner"),
        "analyst": make_user("analyst", "analyst", staff=True),
    }
    targets_import(targets_file=str(demo_files.baselines_targets))
    for path, kind in demo_files.extracts:
        extract = extract_create(
            data=path.read_bytes(), original_name=path.name, kind=kind, is_synthetic=True,
            enqueue=False,
        )  # fmt: skip
        extract = extract_process(extract_id=extract.pk)
        assert extract.status == "succeeded", extract.error_summary
    narratives_import(narratives_file=str(demo_files.narratives), author=users["owner"])
    programmes_import(programmes_file=str(FIXTURES / "demo_programmes.csv"))
    return users


@pytest.fixture
def celery_worker(transactional_db, media_root):
    """A real Celery worker on a queue of its own, on the test database and this test's
    media folder; the live server's uploads are routed to that queue."""
    require_postgresql_and_redis("the upload journey")
    queue = f"test-browser-{uuid.uuid4().hex[:8]}"
    # Extracts wait for review, as on an instance with the default settings.
    worker = start_worker(
        queue, DATABASE_URL=database_url(), MEDIA_ROOT=media_root, CELERY_TASK_DEFAULT_QUEUE=queue,
        INGEST_AUTO_PUBLISH="false",
    )  # fmt: skip
    # The router reads the default queue at send time, so the live server's tasks go there.
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = previous
        output = stop_worker(worker)
        assert "Traceback" not in output, output


# --- The browser ---------------------------------------------------------------------------


@pytest.fixture
def browser(seeded):
    """Chromium, started after the data is seeded (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser):
    # bypass_csp: axe is injected as a script the site's Content-Security-Policy would refuse.
    context = browser.new_context(
        viewport=DESKTOP, accept_downloads=True, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the pages: {errors}"


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    """Each run starts with an empty screenshots folder, so nothing stale is looked at."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    yield
