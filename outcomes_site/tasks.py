"""Site-level tasks: the round trip a health check and the worker integration test rely on."""

import socket

from celery import shared_task


@shared_task(name="outcomes_site.ping")
def ping() -> dict:
    """Answer from the worker that ran it, proving broker, worker and result backend."""
    return {"pong": True, "worker_host": socket.gethostname()}
