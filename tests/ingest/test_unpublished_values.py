"""Nobody sees an unpublished extract's values in any output: pages, charts' data, CSV
downloads, the API. Its new year (2024/25) exists nowhere until it is published."""

import pytest

from ingest.publishing import extract_publish
from tests.review_scenario import CORRECTION, LIVE, process, values_file

OUTPUTS = [
    "/",
    "/domains/OVR/",
    "/indicators/PRV01/",
    "/explore/compare/?indicator=PRV01&area_type=local_authority",
    "/explore/compare/download.csv?indicator=PRV01&area_type=local_authority",
    "/explore/trends/?indicator=PRV01&area_type=local_authority&area=E06000023",
    "/explore/trends/download.csv?indicator=PRV01&area_type=local_authority&area=E06000023",
    "/api/data/?indicator=PRV01",
    "/api/data/?indicator=PRV01&format=csv",
]


@pytest.fixture(autouse=True)
def review_first(settings):
    settings.INGEST_AUTO_PUBLISH = False


def text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def bristol_latest(client) -> dict:
    rows = client.get(
        "/api/data/?indicator=PRV01&area=E06000023&period=2023/24&category_type=none"
    ).json()["results"]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_an_extract_awaiting_review_shows_nowhere_until_published(
    client, framework, geography, role, request
):
    process(values_file(LIVE), "live.csv", publish=True)
    pending = process(values_file(CORRECTION), "correction.csv")
    assert pending.status == "awaiting_review"
    client.force_login(request.getfixturevalue(role))
    for url in OUTPUTS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "2024/25" not in text(response), url
    assert bristol_latest(client)["value"] == 17.0

    extract_publish(extract=pending)
    assert bristol_latest(client)["value"] == 25.0
    assert "2024/25" in text(client.get("/api/data/?indicator=PRV01&format=csv"))
    assert "2024/25" in text(client.get(OUTPUTS[3]))  # the compare page offers the new year
