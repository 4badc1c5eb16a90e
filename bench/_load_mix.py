"""The mix of the load test: what respondents, officers and public readers do, as weighted
``Spec``s. Each Spec is one action of one visitor (one or more HTTP requests) and checks every
reply with ``expect`` (status and kind of body), so a wrong page counts as an error.

Respondents answer the live campaign over Hà Nội: through the API (a client sending scored
submissions with an Idempotency-Key, and resending one) and through the public web form (open
the link, look up the tax code, answer every page with an autosave, submit, read the result).
Officers of Hà Nội browse with a logged-in session: analytics dashboards of the live and the
published campaign, chart CSVs, the campaign's responses (page and API), plan and indicator
pages, and start a small background import that a worker runs. Public readers browse the home
page, the open-data portal (published dashboards, CSVs, downloads, API), the solution
catalogue and the administrative-unit pages and API.
"""

from __future__ import annotations

import csv
import io
import json
import random
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _load_http import Session, Unexpected, csrf_token, expect, log_in

CHARTS = ("map", "levels", "pillars", "unmet", "units", "trend")
DATASETS = ("province", "province-sector", "province-entity-size", "commune", "nation-sector")
FILTERS = ("", "?size=micro", "?size=small", "?size=medium", "?entity_type=enterprise")
IMPORT_ROWS = 5
CONTRACT = ("org_tax_code", "org_name", "entity_type", "commune_code", "vsic", "size_class")


class Pools:
    """Organisations not yet answered, shared by every thread (each is used once)."""

    def __init__(self, orgs: list[list[Any]], import_orgs: list[list[str]]) -> None:
        self.orgs = orgs
        self.import_orgs = import_orgs
        self.lock = threading.Lock()
        self.next_org = 0
        self.next_import = 0

    def org(self) -> tuple[int, str]:
        with self.lock:
            if self.next_org >= len(self.orgs):
                raise Unexpected("every prepared organisation has answered (raise the pool)")
            org_id, tax_code = self.orgs[self.next_org]
            self.next_org += 1
        return int(org_id), str(tax_code)

    def import_rows(self, n: int) -> list[list[str]]:
        with self.lock:
            rows = self.import_orgs[self.next_import : self.next_import + n]
            self.next_import += n
        if len(rows) < n:
            raise Unexpected("every prepared import organisation is used (raise the pool)")
        return rows


@dataclass
class Visitor:
    """What one client thread holds: its sessions, the prepared data and its own state."""

    base: str
    data: dict[str, Any]
    pools: Pools
    rng: random.Random
    record: Callable[[str, float], None]
    public: Session = field(init=False)
    officer: Session = field(init=False)
    api: Session = field(init=False)
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.public = self.session()
        self.officer = self.session()
        self.api = self.session()

    def session(self) -> Session:
        return Session(self.base, lambda step, seconds: self.record(step, seconds))

    def log_in_officer(self) -> None:
        officer = self.data["officer"]
        log_in(self.officer, officer["username"], officer["password"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.data['officer']['token']}"}

    def answers(self) -> dict[str, Any]:
        return dict(self.rng.choice(self.data["answers"]))


@dataclass(frozen=True)
class Spec:
    persona: str
    name: str
    weight: int
    run: Callable[[Visitor], None]


# ------------------------------------------------------------------------------ respondents


def _api_submit(v: Visitor) -> None:
    org_id, _ = v.pools.org()
    live = v.data["live"]["id"]
    body = json.dumps({"campaign_id": live, "organisation_id": org_id, "answers": v.answers()})
    key = uuid.UUID(int=v.rng.getrandbits(128)).hex
    reply = _post_response(v, body.encode(), key)
    expect(reply, 201, "json")
    if reply.json().get("status") != "submitted":
        raise Unexpected(f"API submission: status {reply.json().get('status')!r}")
    v.sent.append((key, body.encode()))
    del v.sent[:-20]


def _post_response(v: Visitor, body: bytes, key: str, step: str = "") -> Any:
    headers = {**v.auth, "Content-Type": "application/json", "Idempotency-Key": key}
    return v.api.request("POST", "/api/v1/assessments/responses", body, headers, step)


def _api_resend(v: Visitor) -> None:
    """A client that lost the reply sends the same submission again: the first one comes back."""
    if not v.sent:
        _api_submit(v)
    key, body = v.rng.choice(v.sent)
    reply = expect(_post_response(v, body, key, step="API resend: the resend"), 200, "json")
    if reply.json().get("replayed") is not True:
        raise Unexpected("API resend: the reply is not the first submission replayed")


def _form_fields(v: Visitor, codes: list[str], answers: dict[str, Any]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for code in codes:
        value = answers.get(code)
        if value is None:
            continue
        if isinstance(value, list):
            fields += [(f"q_{code}", str(x)) for x in value]
        elif isinstance(value, bool):
            fields.append((f"q_{code}", "yes" if value else "no"))
        else:
            fields.append((f"q_{code}", str(value)))
    return fields


def _web_form(v: Visitor) -> None:
    """A new respondent: link, tax code, one page per pillar (autosave on the first), submit,
    result; each request is also counted as a step."""
    s = v.session()
    link = f"/assessments/c/{v.data['live']['link']}/"
    _, tax_code = v.pools.org()
    answers = v.answers()
    opened = expect(s.get(link, "web form: open link"))
    found = s.post_form(
        link,
        [("csrfmiddlewaretoken", csrf_token(opened)), ("identifier", tax_code)],
        "web form: tax-code look-up",
    )
    expect(found, 302, "redirect", rf"{link}r/[^/]+/1/")
    pages = found.location[: -len("1/")]
    pillars: list[list[str]] = v.data["pillars"]
    for n, codes in enumerate(pillars, 1):
        page = expect(s.get(f"{pages}{n}/", "web form: page"))
        token = [("csrfmiddlewaretoken", csrf_token(page))]
        fields = _form_fields(v, codes, answers)
        if n == 1:
            saved = s.post_form(f"{pages}1/save/", token + fields, "web form: autosave")
            if b"field-error" in expect(saved, 200, "fragment").body:
                raise Unexpected(f"autosave refused: {saved.body[:200]!r}")
        last = n == len(pillars)
        action = [("action", "submit" if last else "next")]
        step = "web form: submit" if last else "web form: next page"
        moved = s.post_form(f"{pages}{n}/", token + fields + action, step)
        expect(moved, 302, "redirect", f"{pages}result/" if last else f"{pages}{n + 1}/")
    expect(s.get(f"{pages}result/", "web form: result"))


# ------------------------------------------------------------------------------ officers


def _dashboard_live(v: Visitor) -> None:
    expect(v.officer.get(f"/analytics/{v.data['live']['id']}/"))


def _dashboard_published(v: Visitor) -> None:
    expect(v.officer.get(f"/analytics/{v.data['published']['main']}/{v.rng.choice(FILTERS)}"))


def _officer_csv(v: Visitor) -> None:
    campaign = v.rng.choice([v.data["published"]["main"], v.data["live"]["id"]])
    expect(v.officer.get(f"/analytics/{campaign}/csv/{v.rng.choice(CHARTS)}/"), kind="csv")


def _responses_page(v: Visitor) -> None:
    expect(v.officer.get(f"/assessments/campaigns/{v.data['live']['id']}/responses/"))


def _responses_api(v: Visitor) -> None:
    path = f"/api/v1/assessments/responses?campaign={v.data['live']['id']}&limit=50"
    reply = expect(v.api.get(path, headers=v.auth), kind="json")
    if "items" not in reply.json():
        raise Unexpected("responses API: no items")


def _plan_pages(v: Visitor) -> None:
    plan = v.data["plan"]
    path = v.rng.choice(["/plans/", f"/plans/{plan}/", f"/plans/{plan}/dashboard/"])
    expect(v.officer.get(path))


def _indicator_pages(v: Visitor) -> None:
    code = v.rng.choice(v.data["indicators"])
    expect(v.officer.get(v.rng.choice(["/indicators/", f"/indicators/{code}/"])))


def _import_csv(v: Visitor, rows: list[list[str]]) -> bytes:
    codes = [c for pillar in v.data["pillars"] for c in pillar]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([*CONTRACT, *codes])
    for tax_code, name, commune in rows:
        answers = v.answers()
        cells = []
        for code in codes:
            value = answers.get(code)
            if isinstance(value, list):
                value = ";".join(value)
            elif isinstance(value, bool):
                value = "1" if value else "0"
            cells.append("" if value is None else str(value))
        writer.writerow([tax_code, name, "enterprise", commune, "4711", "small", *cells])
    return buf.getvalue().encode()


def _background_import(v: Visitor) -> None:
    """Upload a small CSV of responses; the worker imports it; the job page answers."""
    path = f"/assessments/import/campaigns/{v.data['live']['id']}/"
    form = expect(v.officer.get(path, "import: form"))
    content = _import_csv(v, v.pools.import_rows(IMPORT_ROWS))
    fields = [("csrfmiddlewaretoken", csrf_token(form)), ("mode", "all-or-nothing")]
    posted = v.officer.post_multipart(
        path, fields, ("file", "nhap-tai.csv", content), "import: upload"
    )
    expect(posted, 302, "redirect", r"/assessments/import/jobs/\d+/")
    expect(v.officer.get(posted.location, "import: job page"))


def _officer_log_in(v: Visitor) -> None:
    officer = v.data["officer"]
    log_in(v.session(), officer["username"], officer["password"], step="log in")


def _api_me(v: Visitor) -> None:
    expect(v.api.get("/api/v1/accounts/me", headers=v.auth), kind="json")


# ------------------------------------------------------------------------------ public readers


def _home(v: Visitor) -> None:
    expect(v.public.get("/"))


def _portal_index(v: Visitor) -> None:
    expect(v.public.get("/public/"))


def _published_id(v: Visitor) -> int:
    return int(v.rng.choice([v.data["published"]["main"], v.data["published"]["other"]]))


def _portal_dashboard(v: Visitor) -> None:
    expect(v.public.get(f"/public/{_published_id(v)}/{v.rng.choice(FILTERS)}"))


def _portal_csv(v: Visitor) -> None:
    expect(v.public.get(f"/public/{_published_id(v)}/csv/{v.rng.choice(CHARTS)}/"), kind="csv")


def _open_data(v: Visitor) -> None:
    fmt = v.rng.choice(["csv", "xlsx", "parquet"])
    path = f"/public/{_published_id(v)}/data/{v.rng.choice(DATASETS)}.{fmt}"
    expect(v.public.get(path), kind=fmt)


def _public_api(v: Visitor) -> None:
    campaign = _published_id(v)
    path = v.rng.choice(
        [
            "/api/v1/public/campaigns",
            f"/api/v1/public/campaigns/{campaign}/aggregates?by=commune",
            f"/api/v1/public/campaigns/{campaign}/aggregates?by=province,sector",
            f"/api/v1/public/campaigns/{campaign}/rankings?level=commune",
            f"/api/v1/public/campaigns/{campaign}/unmet",
        ]
    )
    expect(v.public.get(path), kind="json")


def _catalogue(v: Visitor) -> None:
    solutions = v.data["solutions"]
    path = "/ecosystem/"
    if solutions and v.rng.random() < 0.5:
        path = f"/ecosystem/solutions/{v.rng.choice(solutions)}/"
    expect(v.public.get(path))


def _catalogue_api(v: Visitor) -> None:
    expect(v.public.get("/api/v1/ecosystem/solutions"), kind="json")


def _geo_search_page(v: Visitor) -> None:
    q = v.rng.choice(["ha noi", "đà nẵng", "hue", "can tho"])
    expect(v.public.get("/geo/?q=" + urllib.parse.quote_plus(q)))


def _geo_unit_page(v: Visitor) -> None:
    expect(v.public.get("/geo/2025/" + v.rng.choice(["01", "48", "79", "46"]) + "/"))


def _geo_api(v: Visitor) -> None:
    q = urllib.parse.quote_plus(v.rng.choice(["phuong", "xã an", "thanh", "hoa"]))
    path = v.rng.choice(
        [
            "/api/v1/geo/units?level=province&limit=50",
            f"/api/v1/geo/units?q={q}&limit=20",
            "/api/v1/geo/units/" + v.rng.choice(["01", "48", "79"]),
        ]
    )
    expect(v.public.get(path), kind="json")


RESPONDENT, OFFICER, PUBLIC = "respondent", "officer", "public"
MIX: tuple[Spec, ...] = (
    Spec(RESPONDENT, "respondent API: submit (Idempotency-Key)", 10, _api_submit),
    Spec(RESPONDENT, "respondent API: resend (same key, replayed)", 2, _api_resend),
    Spec(RESPONDENT, "respondent web form: tax code, pages, submit, result", 2, _web_form),
    Spec(OFFICER, "officer: dashboard of the live campaign", 4, _dashboard_live),
    Spec(OFFICER, "officer: dashboard of a published campaign (filters)", 4, _dashboard_published),
    Spec(OFFICER, "officer: chart CSV", 2, _officer_csv),
    Spec(OFFICER, "officer: campaign responses page", 3, _responses_page),
    Spec(OFFICER, "officer API: campaign responses", 3, _responses_api),
    Spec(OFFICER, "officer: plan pages", 3, _plan_pages),
    Spec(OFFICER, "officer: indicator pages", 3, _indicator_pages),
    Spec(OFFICER, "officer: background import (form, upload, job page)", 1, _background_import),
    Spec(OFFICER, "officer: log in (form, Argon2)", 1, _officer_log_in),
    Spec(OFFICER, "officer API: me (token)", 2, _api_me),
    Spec(PUBLIC, "public: home page", 8, _home),
    Spec(PUBLIC, "public: portal index", 3, _portal_index),
    Spec(PUBLIC, "public: published dashboard (filters)", 5, _portal_dashboard),
    Spec(PUBLIC, "public: published chart CSV", 2, _portal_csv),
    Spec(PUBLIC, "public: open-data download (CSV, XLSX, Parquet)", 1, _open_data),
    Spec(PUBLIC, "public API: campaigns, aggregates, rankings, unmet", 3, _public_api),
    Spec(PUBLIC, "public: solution catalogue", 4, _catalogue),
    Spec(PUBLIC, "public API: solutions", 1, _catalogue_api),
    Spec(PUBLIC, "public: geo search page", 3, _geo_search_page),
    Spec(PUBLIC, "public: geo unit page", 3, _geo_unit_page),
    Spec(PUBLIC, "public API: geo units", 6, _geo_api),
)


def _health(v: Visitor) -> None:
    expect(v.public.get("/health"), kind="json")


BASELINE = Spec("baseline", "health (baseline)", 1, _health)
