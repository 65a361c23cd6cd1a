"""PostgreSQL restarted while pages are served (issue 8): every answer is a page or a clean
503 (never a 500 or a traceback), /healthz reports the outage, and service resumes when the
database is back without restarting the app."""

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path

from outcomes_site import urls as site_urls
from tests.environment import REPO, skip_or_fail
from tests.private_services import PrivatePostgreSQL, free_port, stop_process, wait_for_port


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("down/", database_down),
    path("broken/", broken),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500


@pytest.mark.urls("tests.outcomes_site.test_database_outage")
def test_a_database_error_is_a_clean_503_and_a_bug_is_still_a_500(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The database is not answering" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "problem with the service" in response.text


class Browser:
    """A signed-in HTTP client with its own cookies (urllib, loopback only)."""

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.jar = jar

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + url, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, username: str, password: str) -> None:
        status, page = self.get("/accounts/login/")
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(request, timeout=15) as response:
            assert response.status == 200 and "/accounts/login/" not in response.url


def test_postgresql_restarted_while_pages_are_served(tmp_path):
    if not PrivatePostgreSQL.available():
        skip_or_fail("needs the PostgreSQL server binaries to start a private cluster")
    database = PrivatePostgreSQL()
    app = None
    try:
        database.init()
        database.start()
        with psycopg.connect(host="127.0.0.1", port=database.port, user="postgres",
                             dbname="postgres", autocommit=True) as admin:  # fmt: skip
            admin.execute("CREATE DATABASE outcomes")
        env = {
            key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"
        } | {
            "DATABASE_URL": database.url("outcomes"), "DEBUG": "false",
            "SECRET_KEY": "outage-test-key", "MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_SUPERUSER_PASSWORD": "outage-test-password", "LOG_LEVEL": "ERROR",
        }  # fmt: skip
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput"],
                        ["createsuperuser", "--noinput", "--username", "ops",
                         "--email", "ops@example.org"]):  # fmt: skip
            subprocess.run(manage + command, cwd=REPO, env=env, check=True,
                           capture_output=True, timeout=120)  # fmt: skip
        port = free_port()
        # To a file, not a pipe: an outage logs a traceback per request, and a full pipe
        # nobody reads would stall the app.
        log = (tmp_path / "gunicorn.log").open("w")
        app = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "outcomes_site.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--timeout", "30"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(port)
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.login("ops", "outage-test-password")
        pages = ["/", "/explore/compare/", "/api/indicators/"]
        for page in pages:
            assert browser.get(page)[0] == 200, page

        # Pages are being served throughout: record every answer.
        answers: list[tuple[int, str]] = []
        stop_serving = threading.Event()

        def serve():
            while not stop_serving.is_set():
                for page in pages:
                    answers.append(browser.get(page))
                time.sleep(0.05)

        reader = threading.Thread(target=serve)
        reader.start()
        try:
            time.sleep(0.5)
            database.stop()
            time.sleep(1.5)
            status, page = browser.get("/")
            assert status == 503, page
            assert "The database is not answering" in page
            # As a load balancer asks: no session cookie, so no session read from the database.
            status, health = Browser(browser.base).get("/healthz")
            assert status == 503 and '"database": "error' in health, health
            database.start()
            deadline = time.monotonic() + 20
            while browser.get("/")[0] != 200:
                assert time.monotonic() < deadline, "service did not resume"
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            stop_serving.set()
            reader.join(timeout=30)
        statuses = [status for status, _ in answers]
        assert set(statuses) <= {200, 503}, statuses
        assert 503 in statuses and statuses[-1] == 200
        assert not any("Traceback" in body for _, body in answers)
        for page in pages:
            assert browser.get(page)[0] == 200, page
        assert browser.get("/healthz")[0] == 200
        assert app.poll() is None, "the app was not restarted"
    finally:
        if app is not None:
            stop_process(app, timeout=20)
        database.remove()
