"""The OpenAPI schema at /api/schema/ describes what every endpoint answers: each answer, as
a viewer and as an analyst, good and bad, validates against the schema the API publishes."""

import csv
import io

import pytest
from jsonschema import Draft202012Validator

from indicators.exports import EXPORT_HEADER
from indicators.models import AnalyticsBasis, InequalitySummary
from tests.cast import make_user

pytestmark = pytest.mark.django_db

# One query per endpoint that finds rows in the explorer scenario; the test fails when an
# endpoint has none here, so a new endpoint cannot go unchecked.
QUERIES = {
    "/api/": "",
    "/api/indicators/": "",
    "/api/areas/": "area_type=icb",
    "/api/data/": "indicator=LTC03&area=E54000039&page_size=2",
    "/api/inequalities/": "indicator=LTC03",
}
BAD_QUERIES = {
    "/api/indicators/": "indicator=NOPE",
    "/api/areas/": "area=XX&page_size=0",
    "/api/data/": "indicator=LTC03&sex=Q&page=abc",
    "/api/inequalities/": "period=1066",
}


def with_analysts_summaries() -> None:
    """The scenario's summaries again on the analysts' basis (from every value)."""
    for summary in InequalitySummary.objects.all():
        summary.pk, summary.basis = None, AnalyticsBasis.ALL
        summary.save()


def schema_of(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    return document


def check(document: dict, path: str, response) -> None:
    """The answer validates against the schema the document gives for its path and status."""
    answers = document["paths"][path]["get"]["responses"]
    assert str(response.status_code) in answers, (path, response.status_code)
    content = answers[str(response.status_code)]["content"]
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, (path, media_type)
    if media_type == "application/json":
        schema = {**content[media_type]["schema"], "components": document["components"]}
        errors = list(Draft202012Validator(schema).iter_errors(response.json()))
        assert not errors, (path, [error.message for error in errors[:3]])


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_every_answer_matches_the_published_schema(client, explorer_data, role):
    with_analysts_summaries()
    client.force_login(make_user(f"schema_{role}", role))
    document = schema_of(client)
    assert set(document["paths"]) == set(QUERIES)
    for path, query in QUERIES.items():
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, path
        check(document, path, response)
        if path != "/api/":
            assert response.json()["results"], f"{path} found nothing to validate"
        if path in BAD_QUERIES:
            bad = client.get(f"{path}?{BAD_QUERIES[path]}")
            assert bad.status_code == 400, path
            check(document, path, bad)
    following = client.get(client.get("/api/data/?indicator=LTC03&page_size=2").json()["next"])
    check(document, "/api/data/", following)
    check(document, "/api/data/", client.get("/api/data/?indicator=LTC03&page=99"))


def test_the_csv_download_is_in_the_schema_and_the_export_format(viewer_client, explorer_data):
    document = schema_of(viewer_client)
    response = viewer_client.get("/api/data/?indicator=LTC03&format=csv")

    check(document, "/api/data/", response)
    assert next(csv.reader(io.StringIO(response.getvalue().decode()))) == EXPORT_HEADER


def test_anonymous_and_roleless_answers_match_the_schema(client, viewer, explorer_data):
    client.force_login(viewer)
    document = schema_of(client)
    client.logout()
    for path in QUERIES:
        response = client.get(path)
        if path != "/api/":
            assert response.status_code == 401
            check(document, path, response)
    client.force_login(make_user("schema_nobody", None))
    assert client.get("/api/schema/").status_code == 403
    check(document, "/api/data/", client.get("/api/data/"))


def test_the_docs_are_served_from_our_static_files_under_the_csp(viewer_client):
    response = viewer_client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/api/schema/" in page
    assert "cdn" not in page.lower() and "<script>" not in page  # no CDN, no inline script
    assert "script-src 'self'" in response["Content-Security-Policy"]
