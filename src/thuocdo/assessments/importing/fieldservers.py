"""Submissions pulled from a field server, as the rows a file import reads (no Django here).

- **KoboToolbox** (data API v2): ``GET {server}/api/v2/assets/{asset}/data/?format=json`` with
  ``Authorization: Token …``, pages followed through ``next`` (which must stay on the same
  host, as must any redirect: the token is never sent elsewhere). Incremental: ``query={"$or": [{"_submission_time": {"$gt": since}},
  {"meta/deprecatedID": {"$exists": true}}]}``: Kobo's ``_submission_time`` never moves when a
  submission is edited and the API serves no modification time, so submissions that were ever
  edited (they carry ``meta/deprecatedID``) are fetched again and compared. The cursor is the
  latest ``_submission_time`` seen.
- **ODK Central** (OData): a session (``POST /v1/sessions``, e-mail and password; closed with
  ``DELETE /v1/sessions/{token}`` at the end) or a given token, then ``GET /v1/projects/{p}/forms/{f}.svc/Submissions`` paged with ``$top``/``$skip``,
  filtered with ``$filter=__system/submissionDate gt T or __system/updatedAt gt T`` (an edit
  moves ``updatedAt``). The cursor is the latest of both seen. Groups are nested objects,
  flattened to ``group/field``; the submission id is ``__id`` (stable across edits; the version's
  ``meta/instanceID``, when it differs, is kept as the id it replaces).

Every page is fetched before anything is written: a server that fails halfway (a broken
connection, a refused page, a body that is not JSON) raises :class:`PullError` and the import
writes nothing. Tokens and passwords never appear in a message.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .layouts import clean_submission_id
from .messages import Lang, render
from .reader import MAX_ROWS, Table, cell_text

Kind = Literal["kobo", "central"]
MAX_PAGE_BYTES = 256 * 1024 * 1024
MAX_PAGES = 10_000


class PullError(Exception):
    """A pull that cannot happen; ``code`` is a ``pull.*`` code of the messages catalogue."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(render(code, params, "en"))

    def message(self, lang: Lang = "vi") -> str:
        return render(self.code, self.params, lang)


@dataclass(frozen=True)
class Source:
    """Where submissions come from: ``form`` is the Kobo asset uid or Central's ``P/F``.
    ``token`` (Kobo API token, Central session token) or ``email``/``password`` (Central)."""

    kind: Kind
    server: str
    form: str
    token: str = ""
    email: str = ""
    password: str = ""
    timeout: float = 60.0
    page_size: int = 1000

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.server}/{self.form}"


@dataclass
class Fetched:
    """The submissions fetched (deduplicated, in the server's order), as a table, and the
    cursor to store once they are written (``None``: nothing newer was seen); ``ids[k]`` is
    the submission id of the table's row ``k + 2``."""

    table: Table
    fetched: int
    cursor: str | None
    ids: list[str] = field(default_factory=list)


def normalise_server(url: str) -> str:
    """``https://kf.example.org/`` → ``https://kf.example.org``; refuses a non-HTTP(S) URL."""
    text = url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PullError("pull.bad_url", url=url)
    return text


# ---------------------------------------------------------------- HTTP


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only on the same host: urllib would send the ``Authorization``
    header (the token) along to wherever the server points."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not _same_host(newurl, req.full_url):
            raise PullError("pull.foreign_link", url=_shown(newurl), server=_shown(req.full_url))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHostRedirects)


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return _OPENER.open(request, timeout=timeout)


def _request(
    url: str,
    *,
    server: str,
    headers: Mapping[str, str],
    timeout: float,
    data: bytes | None = None,
    method: str = "GET",
) -> Any:
    """The JSON body of one request; every failure as a :class:`PullError`."""
    shown = _shown(url)
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
    req.add_header("Accept", "application/json")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with _open(req, timeout) as resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_PAGE_BYTES:
                raise PullError("pull.too_large", url=shown, limit=MAX_PAGE_BYTES)
            # a declared length is read whole (a cut connection raises IncompleteRead)
            body = resp.read() if declared else resp.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise PullError("pull.unauthorized", server=server, status=exc.code) from None
        if exc.code == 404:
            raise PullError("pull.not_found", url=shown) from None
        raise PullError("pull.http", status=exc.code, url=shown) from None
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        error = str(reason) or type(exc).__name__
        raise PullError("pull.unreachable", server=server, error=error) from None
    if len(body) > MAX_PAGE_BYTES:
        raise PullError("pull.too_large", url=shown, limit=MAX_PAGE_BYTES)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PullError("pull.bad_json", url=shown) from None


def _shown(url: str) -> str:
    """A URL for messages: without its query string (filters, tokens of app users)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _same_host(url: str, server: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(server)
    if a.hostname != b.hostname:
        return False
    if a.scheme == b.scheme:
        return (a.port or None) == (b.port or None)
    return a.scheme == "https"  # a proxy that answers http links with https ones


# ---------------------------------------------------------------- flattening


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cell_text(value)


def _flatten(prefix: str, obj: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in obj.items():
        if "@" in key:  # @odata.navigationLink of a repeat
            continue
        path = f"{prefix}/{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(path, value, out)
        elif isinstance(value, list):
            continue  # repeats, attachments, notes, tags, geolocation
        else:
            out[path] = _cell(value)


def to_table(records: Iterable[dict[str, str]]) -> Table:
    """Flat records as a table: the header is every key in the order first seen; rows are
    numbered from 2 as a file's (the header is row 1)."""
    rows = list(records)
    header: dict[str, None] = {}
    for r in rows:
        header.update(dict.fromkeys(r))
    names = list(header)
    return Table(
        names,
        [[r.get(n, "") for n in names] for r in rows],
        list(range(2, len(rows) + 2)),
        "json",
    )


def flatten_kobo(results: list[Any]) -> list[dict[str, str]]:
    """Kobo's records are flat already (``grp/KH1``); lists and objects are left out."""
    out = []
    for r in results:
        if not isinstance(r, dict):
            raise PullError("pull.bad_shape", detail="results[] is not an object")
        flat: dict[str, str] = {}
        _flatten("", {k: v for k, v in r.items() if not isinstance(v, Mapping)}, flat)
        out.append(flat)
    return out


def flatten_central(values: list[Any]) -> list[dict[str, str]]:
    """Central's nested groups as ``group/field``; ``__id`` is the submission id and the
    version's own ``meta/instanceID``, when it differs, the id it replaces."""
    out = []
    for v in values:
        if not isinstance(v, dict) or not isinstance(v.get("__id"), str):
            raise PullError("pull.bad_shape", detail="value[] without __id")
        flat: dict[str, str] = {"__id": v["__id"]}
        body = {k: x for k, x in v.items() if k not in ("__id", "__system")}
        _flatten("", body, flat)
        version = flat.pop("meta/instanceID", "")
        if version and version != v["__id"]:
            flat["meta/deprecatedID"] = version
        out.append(flat)
    return out


def _unique(records: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    """The last record of each key (a page boundary moved by a new submission repeats one)."""
    by: dict[str, dict[str, str]] = {}
    for r in records:
        by[r.get(key) or str(len(by))] = r
    return list(by.values())


# ---------------------------------------------------------------- KoboToolbox


def kobo_query(since: str) -> str:
    return json.dumps(
        {
            "$or": [
                {"_submission_time": {"$gt": since}},
                {"meta/deprecatedID": {"$exists": True}},
            ]
        },
        separators=(",", ":"),
    )


def pull_kobo(source: Source, since: str | None) -> Fetched:
    server = source.server
    params = {"format": "json", "limit": str(source.page_size)}
    if since:
        params["query"] = kobo_query(since)
    asset = urllib.parse.quote(source.form, safe="")
    url: str | None = f"{server}/api/v2/assets/{asset}/data/?{urllib.parse.urlencode(params)}"
    headers = {"Authorization": f"Token {source.token}"}
    results: list[Any] = []
    seen: set[str] = set()
    while url:
        if url in seen or len(seen) >= MAX_PAGES:
            raise PullError("pull.bad_shape", detail="the next links loop")
        seen.add(url)
        page = _request(url, server=server, headers=headers, timeout=source.timeout)
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise PullError("pull.bad_shape", detail='no "results" list')
        results.extend(page["results"])
        if len(results) > MAX_ROWS:
            raise PullError("pull.too_many", limit=MAX_ROWS)
        nxt = page.get("next")
        if nxt is not None and not isinstance(nxt, str):
            raise PullError("pull.bad_shape", detail='"next" is not a link')
        if nxt and not _same_host(nxt, server):
            raise PullError("pull.foreign_link", url=_shown(nxt), server=server)
        url = nxt or None
    records = _unique(flatten_kobo(results), "_id")
    ids = [clean_submission_id(r.get("meta/instanceID") or r.get("_uuid", "")) for r in records]
    times = [r.get("_submission_time", "") for r in records]
    newest = max((t for t in times if t), default=None)
    cursor = max(newest, since) if newest and since else (newest or since)
    return Fetched(to_table(records), len(records), cursor, ids)


# ---------------------------------------------------------------- ODK Central


def central_session(source: Source) -> str:
    """A session token: the given one, or one opened with the e-mail and password."""
    if source.token:
        return source.token
    body = json.dumps({"email": source.email, "password": source.password}).encode()
    answer = _request(
        f"{source.server}/v1/sessions",
        server=source.server,
        headers={"Content-Type": "application/json"},
        timeout=source.timeout,
        data=body,
        method="POST",
    )
    token = answer.get("token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise PullError("pull.bad_shape", detail='no "token" in the session')
    return token


def central_filter(since: str) -> str:
    return f"__system/submissionDate gt {since} or __system/updatedAt gt {since}"


def pull_central(source: Source, since: str | None) -> Fetched:
    token = central_session(source)
    try:
        return _pull_central(source, since, token)
    finally:
        if not source.token:  # a session opened here is closed here
            _close_session(source, token)


def _close_session(source: Source, token: str) -> None:
    with contextlib.suppress(PullError):  # else it expires by itself within a day
        _request(
            f"{source.server}/v1/sessions/{urllib.parse.quote(token, safe='')}",
            server=source.server,
            headers={"Authorization": f"Bearer {token}"},
            timeout=source.timeout,
            method="DELETE",
        )


def _pull_central(source: Source, since: str | None, token: str) -> Fetched:
    server = source.server
    project, _, form = source.form.partition("/")
    headers = {"Authorization": f"Bearer {token}"}
    base = (
        f"{server}/v1/projects/{urllib.parse.quote(project, safe='')}"
        f"/forms/{urllib.parse.quote(form, safe='')}.svc/Submissions"
    )
    values: list[Any] = []
    skip = 0
    total: int | None = None
    for _ in range(MAX_PAGES):
        params = {"$top": str(source.page_size), "$skip": str(skip), "$count": "true"}
        if since:
            params["$filter"] = central_filter(since)
        url = f"{base}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"
        page = _request(url, server=server, headers=headers, timeout=source.timeout)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise PullError("pull.bad_shape", detail='no "value" list')
        batch = page["value"]
        values.extend(batch)
        if len(values) > MAX_ROWS:
            raise PullError("pull.too_many", limit=MAX_ROWS)
        count = page.get("@odata.count")
        total = count if isinstance(count, int) else total
        skip += len(batch)
        if len(batch) < source.page_size or (total is not None and skip >= total):
            break
    else:
        raise PullError("pull.bad_shape", detail="too many pages")
    cursor = since
    for v in values:
        system = v.get("__system") if isinstance(v, dict) else None
        if isinstance(system, dict):
            for key in ("submissionDate", "updatedAt"):
                t = system.get(key)
                if isinstance(t, str) and t and (cursor is None or t > cursor):
                    cursor = t
    records = _unique(flatten_central(values), "__id")
    ids = [clean_submission_id(r["__id"]) for r in records]
    return Fetched(to_table(records), len(records), cursor, ids)


def pull(source: Source, since: str | None) -> Fetched:
    """Fetch every submission since ``since`` (all of them when ``None``)."""
    if source.kind == "kobo":
        return pull_kobo(source, since)
    return pull_central(source, since)
