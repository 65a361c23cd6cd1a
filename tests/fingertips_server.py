"""A stand-in for the Fingertips API on loopback, started by a test: it answers the CSV
endpoint with the real Fingertips download in tests/ingest/data, or with what a test asks for
(an HTTP error, a slow, empty or malformed answer), and records every request. It also
serves as an HTTP proxy: a request for another host's URL is answered the same way."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent / "ingest" / "data"
COUNTY_UA = DATA / "indicators-CountyUA.data.csv"  # Fingertips indicator 93356


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class FakeFingertips:
    """Answers by child area type id; ``default`` for any other."""

    answers: dict[int, Answer] = field(default_factory=dict)
    default: Answer = field(default_factory=lambda: Answer(body=COUNTY_UA.read_bytes()))
    requests: list[dict] = field(default_factory=list)
    url: str = ""

    def answer(self, area_type: int) -> Answer:
        return self.answers.get(area_type, self.default)


def start(fake: FakeFingertips) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            fake.requests.append(
                {"path": url.path, "query": query, "via_proxy": bool(url.netloc),
                 "host": url.netloc or self.headers.get("Host", "")}
            )  # fmt: skip
            if url.path != "/api/all_data/csv/by_indicator_id":
                self.send_error(404)
                return
            answer = fake.answer(int(query.get("child_area_type_id", 0)))
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: that is what a timeout test wants

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server: ThreadingHTTPServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
