"""A local stand-in for KoboToolbox's data API and ODK Central's OData feed.

It serves the recorded responses of ``fixtures/`` (``kobo_data_*.json``,
``central_submissions_*.json``: one full answer of each server) from ``http.server`` in a
thread on 127.0.0.1 and a free port, and does what the real servers do with them: it checks
the ``Authorization`` header (Kobo ``Token …``; Central ``Bearer`` of the session opened by
``POST /v1/sessions``) and answers 401 with the server's own body otherwise; it pages (Kobo:
``limit``/``start`` and an absolute ``next`` link, capped at ``max_page``; Central: ``$top``,
``$skip``, ``$count``); it applies the incremental filters (Kobo's ``query`` with ``$or``,
``$gt`` and ``$exists``; Central's ``$filter`` on ``__system/submissionDate`` and
``__system/updatedAt``). ``die_on_page`` makes it cut the connection in the middle of that
page's body, as a server that goes down during a pull.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
KOBO_TOKEN = "4f1c2b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
CENTRAL_EMAIL = "canbo@sotttt.example.vn"
CENTRAL_PASSWORD = "mật-khẩu-đủ-dài-1"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    authorization: str


@dataclass
class FieldServer:
    kobo_records: list[dict[str, Any]] = field(default_factory=list)
    central_records: list[dict[str, Any]] = field(default_factory=list)
    asset: str = "aQ7cLk3vZt9WmR2pXh5dNe"
    project: str = "7"
    form: str = "thuocdo-sme"
    max_page: int = 2
    die_on_page: int | None = None
    redirect_to: str | None = None  # answer the data URLs with a 302 to this base URL
    closed_sessions: list[str] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""
    pages: int = 0

    def load(self, state: str) -> None:
        """Serve the recorded answers of ``state`` (``first`` or ``later``)."""
        self.kobo_records = fixture(f"kobo_data_{state}.json")["results"]
        self.central_records = fixture(f"central_submissions_{state}.json")["value"]


def _mongo(record: dict[str, Any], query: dict[str, Any]) -> bool:
    """The subset of Mongo's query language that Kobo's ``query`` is used with here."""
    for key, cond in query.items():
        if key == "$or":
            if not any(_mongo(record, q) for q in cond):
                return False
            continue
        value = record.get(key)
        if not isinstance(cond, dict):
            if value != cond:
                return False
            continue
        for op, arg in cond.items():
            if op == "$gt" and not (value is not None and value > arg):
                return False
            if op == "$exists" and (key in record) != bool(arg):
                return False
    return True


_CENTRAL_FILTER = re.compile(r"^__system/submissionDate gt (\S+) or __system/updatedAt gt (\S+)$")


def _handler(state: FieldServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _page(self, body: Any) -> None:
            state.pages += 1
            if state.die_on_page is not None and state.pages >= state.die_on_page:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._send(200, body)

        def _seen(self) -> tuple[str, dict[str, str]]:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
            auth = self.headers.get("Authorization", "")
            state.requests.append(Seen(self.command, parts.path, query, auth))
            return parts.path, query

        def do_POST(self) -> None:
            path, _ = self._seen()
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if path != "/v1/sessions":
                self._send(404, {"message": "Not found", "code": 404.1})
            elif body == {"email": CENTRAL_EMAIL, "password": CENTRAL_PASSWORD}:
                self._send(200, fixture("central_session.json"))
            else:
                self._send(401, fixture("central_unauthorized.json"))

        def do_DELETE(self) -> None:
            path, _ = self._seen()
            token = fixture("central_session.json")["token"]
            if path == "/v1/sessions/" + urllib.parse.quote(token, safe=""):
                state.closed_sessions.append(token)
                self._send(200, {"success": True})
            else:
                self._send(404, {"message": "Not found", "code": 404.1})

        def do_GET(self) -> None:
            path, query = self._seen()
            auth = self.headers.get("Authorization", "")
            if state.redirect_to and not self.headers.get("Host", "").startswith("localhost"):
                self.send_response(302)
                self.send_header("Location", state.redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == f"/api/v2/assets/{state.asset}/data/":
                if auth != f"Token {KOBO_TOKEN}":
                    self._send(401, fixture("kobo_unauthorized.json"))
                    return
                self._kobo(path, query)
            elif path == f"/v1/projects/{state.project}/forms/{state.form}.svc/Submissions":
                if auth != "Bearer " + fixture("central_session.json")["token"]:
                    self._send(401, fixture("central_unauthorized.json"))
                    return
                self._central(query)
            else:
                self._send(404, {"detail": "Not found."})

        def _kobo(self, path: str, query: dict[str, str]) -> None:
            records = state.kobo_records
            if "query" in query:
                records = [r for r in records if _mongo(r, json.loads(query["query"]))]
            limit = min(int(query.get("limit", 100)), state.max_page)
            start = int(query.get("start", 0))
            page = records[start : start + limit]
            nxt = None
            if start + limit < len(records):
                following = {**query, "start": str(start + limit), "limit": str(limit)}
                nxt = f"{state.url}{path}?{urllib.parse.urlencode(following)}"
            prev = None
            if start:
                earlier = {**query, "start": str(max(0, start - limit)), "limit": str(limit)}
                prev = f"{state.url}{path}?{urllib.parse.urlencode(earlier)}"
            self._page({"count": len(records), "next": nxt, "previous": prev, "results": page})

        def _central(self, query: dict[str, str]) -> None:
            records = state.central_records
            if "$filter" in query:
                m = _CENTRAL_FILTER.match(query["$filter"])
                if m is None:
                    self._send(400, {"message": "The given OData filter expression is not supported.", "code": 400.18})  # fmt: skip
                    return
                a, b = m.groups()
                records = [
                    r
                    for r in records
                    if r["__system"]["submissionDate"] > a or (r["__system"]["updatedAt"] or "") > b
                ]
            top = int(query.get("$top", len(records) or 1))
            skip = int(query.get("$skip", 0))
            body: dict[str, Any] = {
                "@odata.context": fixture("central_submissions_first.json")["@odata.context"],
                "value": records[skip : skip + top],
            }
            if query.get("$count") == "true":
                body["@odata.count"] = len(records)
            self._page(body)

    return Handler


@contextmanager
def field_server(state: FieldServer | None = None) -> Iterator[FieldServer]:
    """A running stand-in on 127.0.0.1 (a free port chosen by the system)."""
    state = state or FieldServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
