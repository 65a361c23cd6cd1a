"""Single sign-on in Chromium: the sign-in page, the provider's own authorisation form and
back, against a real OpenID Connect provider on loopback (tests/oidc_provider.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from outcomes_site.env import RoleGrant, SingleSignOn
from tests.browser.journey import Journey
from tests.oidc_provider import TestProvider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider():
    provider = TestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sso(settings, provider, seeded):
    """Single sign-on on, set before the browser starts (``page`` comes after this)."""
    settings.SINGLE_SIGN_ON = SingleSignOn(
        issuer=provider.issuer, client_id="outcomes-browser", client_secret="test-secret",
        role_map=(RoleGrant("outcomes-board", "viewer"), RoleGrant("outcomes-analysts", "analyst")),
    )  # fmt: skip
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "outcomes_site.sso.SingleSignOnBackend",
    ]
    provider.set_user("vic", email="vic@example.nhs.uk", name="Vic", groups=["outcomes-board"])
    provider.set_user("ana", email="ana@example.nhs.uk", name="Ana", groups=["outcomes-analysts"])
    return provider


def sign_in_with_sso(page, base_url: str, sub: str):
    page.goto(f"{base_url}/explore/")
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    # The provider's own page: type the account and authorise.
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    "sub, sees_admin", [("vic", False), ("ana", True)], ids=["viewer", "analyst"]
)
def test_single_sign_on_in_the_browser(sso, live_server, page, sub, sees_admin):
    journey = Journey(f"sso-{sub}", page)
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("button", name="Sign in with your organisation's account")
    expect(button).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()  # local accounts are still on
    page.keyboard.press("Tab")  # the skip link, then on to the button by keyboard
    for _ in range(6):
        if page.evaluate("() => document.activeElement.textContent.trim()") == button.inner_text():
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    journey.check("sign-in page with single sign-on")

    sign_in_with_sso(page, live_server.url, sub)
    assert page.url.startswith(f"{live_server.url}/explore/")  # back where they were going
    expect(page.get_by_text(f"Signed in as {sub}@example.nhs.uk")).to_be_visible()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(1 if sees_admin else 0)
    journey.check("signed in through the provider")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You have signed out of Outcomes")).to_be_visible()
    journey.check("signed out, offered the provider's sign-out")
    page.get_by_role("button", name="Sign out of your organisation's account").click()
    page.get_by_role("button").first.click()  # the provider's own confirmation
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    journey.assert_no_problems()


def test_the_sign_in_page_without_local_accounts(sso, live_server, page, settings):
    settings.LOCAL_LOGIN = False
    journey = Journey("sso-only", page)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(
        page.get_by_role("button", name="Sign in with your organisation's account")
    ).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    journey.check("sign-in page, single sign-on only")
    journey.assert_no_problems()
