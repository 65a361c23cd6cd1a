import pytest


@pytest.fixture
def signed_in(
    client, analyst, framework, geography, eager_tasks, django_capture_on_commit_callbacks
):
    """An analyst in the admin, with uploads processed in-process when the upload commits."""
    client.force_login(analyst)
    client.on_commit = django_capture_on_commit_callbacks
    return client
