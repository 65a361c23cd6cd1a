import os

import pytest
from django.test import override_settings

from tests.environment import skip_or_fail


def test_healthz_reports_database_and_in_process_tasks(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("not configured")


def test_healthz_reports_an_unreachable_broker(client, db):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):  # nothing listens on 1
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_with_the_real_broker(client, db):
    if not os.environ.get("CELERY_BROKER_URL"):
        skip_or_fail("CELERY_BROKER_URL is not set")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.parametrize("method", ["post", "put"])
def test_healthz_is_read_only(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
