import pytest

from indicators.models import Commentary, CommentaryRevision
from tests.cast import make_partner_member
from tests.narratives import TEXT, URL


@pytest.fixture
def icb_owner(db, scenario):
    return make_partner_member("ivy_icb", "owner", "BNSSG ICB")


def test_viewer_cannot_open_or_post_the_narrative_form(client, viewer, scenario):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"period": "2023", **TEXT, "publish": ""}).status_code == 403
    assert not Commentary.objects.filter(period__label="2023").exists()


def test_owner_of_another_partner_gets_403(client, icb_owner):
    client.force_login(icb_owner)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"period": "2023", **TEXT, "save_draft": ""}).status_code == 403
    assert client.get("/indicators/OVR04/narrative/").status_code == 200  # their own


def test_owner_without_a_partner_gets_403(client, owner, scenario):
    client.force_login(owner)
    assert client.get(URL).status_code == 403


def test_draft_is_not_shown_to_viewers_until_published(client, council_owner, viewer):
    client.force_login(council_owner)
    response = client.post(URL, {"period": "2023", **TEXT, "save_draft": ""})
    assert response.status_code == 302
    commentary = Commentary.objects.get(period__label="2023")
    assert commentary.status == "draft" and commentary.author == council_owner
    client.force_login(viewer)
    assert "Smoking fell again in 2023." not in client.get("/indicators/PRV01/").text

    client.force_login(council_owner)
    client.post(URL, {"period": "2023", **TEXT, "publish": ""})
    commentary.refresh_from_db()
    assert commentary.status == "published" and commentary.published_at is not None
    client.force_login(viewer)
    page = client.get("/indicators/PRV01/").text
    assert "Smoking fell again in 2023." in page and "colin_council" in page
    assert "Pharmacies joined the service." in page


def test_published_narrative_shows_on_the_domain_page_and_board_pack(
    client, analyst, viewer, scenario
):
    client.force_login(analyst)
    response = client.post(
        "/indicators/OVR04/narrative/", {"period": "2024", **TEXT, "publish": ""}
    )
    assert response.status_code == 302
    client.force_login(viewer)
    assert "Smoking fell again in 2023." in client.get("/domains/OVR/").text


def test_every_save_records_a_revision(client, council_owner):
    client.force_login(council_owner)
    client.post(URL, {"period": "2023", **TEXT, "save_draft": ""})
    client.post(URL, {"period": "2023", **TEXT, "what_data_shows": "Revised.", "save_draft": ""})
    client.post(URL, {"period": "2023", **TEXT, "what_data_shows": "Final.", "publish": ""})
    revisions = CommentaryRevision.objects.filter(commentary__period__label="2023")
    assert [revision.what_data_shows for revision in revisions] == [
        "Final.", "Revised.", "Smoking fell again in 2023.",
    ]  # fmt: skip
    assert [revision.status for revision in revisions] == ["published", "draft", "draft"]
    assert all(revision.editor == council_owner for revision in revisions)
    page = client.get(URL, {"period": "2023"}).text
    assert "History of edits for 2023" in page and "Revised." in page


def test_a_published_narrative_cannot_go_back_to_draft(client, analyst, scenario):
    client.force_login(analyst)
    response = client.post(URL, {"period": "2024", **TEXT, "save_draft": ""})
    assert response.status_code == 200
    assert "already published" in response.text
    assert Commentary.objects.get(period__label="2024").status == "published"


def test_the_first_part_is_required_and_period_must_have_data(client, analyst, scenario):
    client.force_login(analyst)
    response = client.post(URL, {"period": "2023", **TEXT, "what_data_shows": "", "publish": ""})
    assert response.status_code == 200 and "nhsuk-error-message" in response.text
    client.post(URL, {"period": "1999", **TEXT, "publish": ""})
    assert not Commentary.objects.filter(period__label="1999").exists()


def test_analyst_sees_the_write_link_on_the_indicator_page(client, analyst, scenario):
    client.force_login(analyst)
    assert "Write or edit the narrative" in client.get("/indicators/PRV01/").text
