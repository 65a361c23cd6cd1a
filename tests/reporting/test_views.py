import pytest

from tests.conftest import make_user


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


def test_home_lists_domains_and_published_indicators(signed_in, framework):
    response = signed_in.get("/")
    assert response.status_code == 200
    page = response.text
    assert "Longer, healthier, fairer lives" in page
    assert "Are people living longer in good health?" in page
    assert "Smoking prevalence in adults" in page
    assert "Bristol City Council" in page
    assert "Directly standardised rate" in page and "Lower is better" in page
    assert "Unpublished flow measure" not in page  # drafts are for analysts only
    assert page.index("Longer, healthier") < page.index("Joined-up care")  # domain order


def test_analysts_see_drafts_marked(client, analyst, framework):
    client.force_login(analyst)
    page = client.get("/").text
    assert "Unpublished flow measure" in page and "Draft" in page


def test_indicator_page_shows_the_full_definition(signed_in, framework):
    indicator = framework["mortality"]
    indicator.numerator_definition = "Deaths under 75 from preventable causes"
    indicator.caveats = "Three-year pooled."
    indicator.save()
    response = signed_in.get("/indicators/OVR04/")
    assert response.status_code == 200
    for text in ["Under-75 preventable mortality", "Deaths under 75 from preventable causes",
                 "Dobson", "Lower is better", "per 100,000", "Three-year pooled.", "BNSSG ICB"]:  # fmt: skip
        assert text in response.text


def test_unknown_and_draft_indicators_are_not_found_for_viewers(signed_in, framework):
    assert signed_in.get("/indicators/NOPE/").status_code == 404
    assert signed_in.get("/indicators/INT09/").status_code == 404


def test_home_page_query_count_does_not_grow_with_indicators(
    client, framework, django_assert_max_num_queries
):
    client.force_login(make_user("counter", "viewer"))
    # session, user, domains, their indicators, and the data-status banner and footer
    with django_assert_max_num_queries(8):
        client.get("/")


def test_user_input_is_escaped(signed_in, framework):
    indicator = framework["smoking"]
    indicator.name = "<script>alert(1)</script>"
    indicator.save()
    page = signed_in.get("/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
