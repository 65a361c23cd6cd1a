"""In a real browser, under our Content Security Policy, the charts draw and nothing is
blocked: no inline script, style or eval that the policy refuses (README, "Security").

Skipped when Chromium is not installed; the full browser suite lives in tests/browser/."""

from pathlib import Path

import pytest

from tests.cast import make_user
from tests.explorer_scenario import build

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]

PAGES = {  # path: charts drawn on it
    "/": 0,
    "/indicators/LTC03/": 2,
    "/explore/compare/?indicator=LTC03": 1,
    "/explore/inequalities/?indicator=LTC03": 1,
    "/explore/map/?indicator=LTC03": 1,
    "/admin/indicators/extract/upload/": 0,
    "/admin/indicators/auditevent/": 0,
}


def test_pages_draw_their_charts_with_no_policy_violations(live_server, framework, geography):
    from playwright.sync_api import sync_playwright

    build(framework, geography, icbs_per_region=1, years=2)
    make_user("brenda_browser", "analyst", staff=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            problems = []
            page.on("console", lambda message: problems.append(message.text)
                    if "Content Security Policy" in message.text
                    or (message.type == "error" and "Failed to load resource" not in message.text)
                    else None)  # fmt: skip
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
                    if response.status >= 400 and not response.url.endswith("/favicon.ico")
                    else None)  # fmt: skip
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "brenda_browser")
            page.fill("#id_password", "correct-horse-battery")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for path, charts in PAGES.items():
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                drawn = page.locator(".js-chart[data-drawn=true] .main-svg").count()
                assert drawn >= charts, f"{path}: {drawn} of {charts} charts drawn"
                if not path.startswith("/admin/"):  # the NHS.UK frontend started
                    assert page.locator("body.nhsuk-frontend-supported").count() == 1
            # The API docs: Swagger UI from the app's own static files, reading /api/schema/.
            page.goto(f"{live_server.url}/api/docs/")
            page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
            assert page.locator(".swagger-ui .opblock").count() == 5
            assert problems == []
        finally:
            browser.close()
