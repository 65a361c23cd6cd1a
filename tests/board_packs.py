"""Getting a board pack the way a person does: ask for it, let it build, download it.

The tests' database work happens inside a transaction that never commits, so the request's
``transaction.on_commit`` (which hands the pack to the task queue) is run by hand here. Tests
that use these helpers run tasks in-process with the ``eager_tasks`` fixture, as the app does
with no broker configured."""

from __future__ import annotations

import io

from django.test import TestCase
from pypdf import PdfReader


def board_pack_ask(client, params: dict | None = None):
    """POST the pack request with its on-commit hand-over run; the redirect response."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/board-pack/", params or {})


def board_pack_download(client, params: dict | None = None):
    """Ask for the pack, let it build in-process, and download it: the download response."""
    asked = board_pack_ask(client, params)
    assert asked.status_code == 302, asked.content
    download = client.get(f"{asked['Location']}download/")
    assert download.status_code == 200, "not built: does the test use the eager_tasks fixture?"
    return download


def board_pack_pdf(client, params: dict | None = None) -> bytes:
    response = board_pack_download(client, params)
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
