"""HTTP of the load test: a visitor's session on loopback, and the checks of each reply.

A ``Session`` keeps its cookies by hand (they are Secure; nginx would do TLS, so requests say
``X-Forwarded-Proto: https``), follows no redirect, and reports every request to a recorder
(step label, seconds). ``expect`` turns a reply that is not what a real visitor would get into
an ``Unexpected`` error, so errors are counted whatever the status code.
"""

from __future__ import annotations

import http.cookies
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

ORIGIN = "https://127.0.0.1"
Recorder = Callable[[str, float], None]


class Unexpected(Exception):  # noqa: N818 (a reply, not a failure of the client)
    """A reply other than the one a visitor expects."""


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes
    path: str

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location") or "").path

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Session:
    """One simulated visitor (browser or API client)."""

    def __init__(self, base: str, record: Recorder | None = None) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.record = record

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        step: str = "",
    ) -> Reply:
        sent = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        req = urllib.request.Request(self.base + path, data, sent, method=method)  # noqa: S310
        started = time.perf_counter()
        try:
            with _OPENER.open(req, timeout=60) as res:
                reply = Reply(res.status, res.headers, res.read(), path)
        except urllib.error.HTTPError as err:
            reply = Reply(err.code, err.headers, err.read(), path)
        finally:
            if self.record is not None:
                self.record(step, time.perf_counter() - started)
        for raw in reply.headers.get_all("Set-Cookie") or []:
            jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return reply

    def get(self, path: str, step: str = "", headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers, step=step)

    def post_form(self, path: str, fields: list[tuple[str, str]], step: str = "") -> Reply:
        """A browser form POST (CSRF token from the cookie jar's form page, Referer set)."""
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": ORIGIN + path}
        return self.request("POST", path, body, headers, step)

    def post_multipart(
        self, path: str, fields: list[tuple[str, str]], file: tuple[str, str, bytes], step: str = ""
    ) -> Reply:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields
        ]
        name, filename, content = file
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": ORIGIN + path,
        }
        return self.request("POST", path, body, headers, step)


_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_KINDS: dict[str, tuple[str, ...]] = {
    "html": ("text/html",),
    "json": ("application/json",),
    "csv": ("text/csv",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "parquet": ("application/vnd.apache.parquet",),
}


def expect(reply: Reply, status: int = 200, kind: str = "html", location: str = "") -> Reply:
    """``reply`` if it has this status and is of this kind (a whole HTML page, JSON that
    parses, a CSV, an XLSX or Parquet file, a fragment of HTML, or a redirect whose target
    path matches the regular expression ``location``); else ``Unexpected``."""
    where = f"{reply.path[:80]}"
    if reply.status != status:
        raise Unexpected(f"{where}: status {reply.status}, expected {status}")
    if kind == "redirect":
        if not re.fullmatch(location, reply.location):
            raise Unexpected(f"{where}: redirected to {reply.location[:80]!r}")
        return reply
    if kind == "fragment":
        if reply.content_type != "text/html" or b"<html" in reply.body[:500]:
            raise Unexpected(f"{where}: not an HTML fragment")
        return reply
    if reply.content_type not in _KINDS[kind]:
        raise Unexpected(f"{where}: {reply.content_type or 'no content type'}, expected {kind}")
    if kind == "html" and b"</html>" not in reply.body[-400:]:
        raise Unexpected(f"{where}: not a whole HTML page")
    if kind == "json":
        try:
            reply.json()
        except ValueError:
            raise Unexpected(f"{where}: JSON that does not parse") from None
    if kind == "xlsx" and not reply.body.startswith(b"PK"):
        raise Unexpected(f"{where}: not an XLSX file")
    if kind == "parquet" and not reply.body.startswith(b"PAR1"):
        raise Unexpected(f"{where}: not a Parquet file")
    return reply


def csrf_token(reply: Reply) -> str:
    match = _CSRF.search(reply.body)
    if match is None:
        raise Unexpected(f"{reply.path[:80]}: no CSRF token in the form")
    return match[1].decode()


def log_in(session: Session, username: str, password: str, step: str = "") -> None:
    """The login form with its CSRF token, then the POST; a 302 means logged in."""
    session.cookies.clear()
    page = expect(session.get("/accounts/login/", step=step and f"{step}: form"))
    fields = [
        ("csrfmiddlewaretoken", csrf_token(page)),
        ("username", username),
        ("password", password),
    ]
    posted = session.post_form("/accounts/login/", fields, step=step and f"{step}: POST")
    expect(posted, 302, "redirect", r"/.*")
    if "sessionid" not in session.cookies:
        raise Unexpected("log in: no session cookie")
