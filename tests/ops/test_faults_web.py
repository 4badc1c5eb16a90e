"""The web process killed, or its database connection cut, in the middle of submissions.

gunicorn runs with the production settings on a fresh database; client threads post scored
submissions through the API, each with its own ``Idempotency-Key``, half of them registering
their organisation in the same request (the offline form's way). After the fault the
clients send again, with the same key, every submission that did not get a success answer
(and a few that did): every key then has exactly one complete response, nothing is missing
and nothing is doubled.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from tests.ops.fresh import VENDOR, FreshDb
from tests.ops.runtime import Web, terminate_backend, wait_for, waiting_backend

pytestmark = [pytest.mark.slow, pytest.mark.fault]

PATH = "/api/v1/assessments/responses"

# An officer of Hà Nội with an API token, an open campaign there, registered organisations
# and valid answer sets.
SETUP = """
import json, random
from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.services import token_create
from thuocdo.assessments import services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit
from tests.assessments.importing.factories import tax_code

area = Unit.objects.get(structure="2025", code="01")
officer = User.objects.create(username="can-bo-ha-noi", role="province", unit=area)
token = token_create(actor=officer, user=officer, name="thu-loi")[1]
fw = FrameworkVersion.objects.get(code="sme-dx", version="2025.1")
admin = Scope(role="admin")
campaign = services.campaign_create(scope=admin, actor=None, framework=fw, area_code="01",
                                    year=2025, name="Đánh giá thử lỗi")
services.campaign_open(scope=admin, actor=None, campaign=campaign)
communes = list(Unit.objects.filter(path__startswith=area.path, level="commune")
                .order_by("code").values_list("code", flat=True)[:20])
def org(i):
    return {"name": f"Công ty TNHH Thử Lỗi {i}", "tax_code": tax_code(i + 1), "entity_type": "enterprise",
            "commune_code": communes[i %% len(communes)], "vsic": "4711", "size_class": "small"}
registered = [services.organisation_create(scope=admin, actor=None, data=org(i)).pk
              for i in range(%(registered)d)]
rng = random.Random(5)
answers = [synthetic_answers(fw.engine(), rng, rng.random()) for _ in range(30)]
print(json.dumps({"token": token, "campaign": campaign.pk, "registered": registered,
                  "new": [org(100000 + i) for i in range(%(new)d)], "answers": answers}))
"""

# What the database holds about the campaign's responses, their keys, audit events and the
# organisations registered by submissions.
STATE = """
import json
from collections import Counter
from thuocdo.accounts.models import AuditEvent
from thuocdo.assessments.models import Organisation, Response, SubmissionKey
campaign = %(campaign)d
responses = list(Response.objects.filter(campaign_id=campaign).values(
    "id", "organisation_id", "organisation__tax_code", "status", "overall", "level",
    "pillar_scores", "criterion_scores", "answers", "idempotency_key"))
ids = [str(r["id"]) for r in responses]
events = list(AuditEvent.objects.filter(object_type="assessments.response")
              .values_list("action", "object_id"))
registered = list(Organisation.objects.filter(tax_code__in=%(tax_codes)s)
                  .values_list("tax_code", "id"))
org_events = Counter(AuditEvent.objects.filter(action="organisation.create")
                     .values_list("object_id", flat=True))
print(json.dumps({
    "responses": responses,
    "keys": dict(SubmissionKey.objects.filter(campaign_id=campaign)
                 .values_list("key", "response_id")),
    "all_keys": SubmissionKey.objects.count(),
    "events": events,
    "registered": registered,
    "org_events": {str(i): org_events[str(i)] for _, i in registered},
    "organisations": Organisation.objects.count(),
}, default=str))
"""


@dataclass
class Submission:
    key: str
    body: dict[str, Any]
    attempts: list[tuple[float, int, dict[str, Any] | None]] = field(default_factory=list)

    @property
    def answered(self) -> dict[str, Any] | None:
        """The success answer, if one came back."""
        for _t, status, data in self.attempts:
            if status in (200, 201):
                return data
        return None


def _prepare(db: FreshDb, registered: int, new: int) -> tuple[dict[str, Any], list[Submission]]:
    data = db.python(SETUP % {"registered": registered, "new": new})
    answers = data["answers"]
    plan: list[Submission] = []
    whom: list[dict[str, Any]] = [{"organisation_id": i} for i in data["registered"]]
    whom += [{"organisation_new": o} for o in data["new"]]
    for n, who in enumerate(whom):
        body = {"campaign_id": data["campaign"], **who, "answers": answers[n % len(answers)]}
        plan.append(Submission(uuid.uuid4().hex, body))
    # interleave the two kinds so that both are in flight at the fault
    plan = plan[::2] + plan[1::2]
    return data, plan


def _post(web: Web, token: str, sub: Submission) -> int:
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": sub.key}
    try:
        status, data = web.call("POST", PATH, sub.body, headers)
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut mid-answer
        status, data = 0, {"error": repr(exc)}
    sub.attempts.append((started, status, data))
    return status


def _check_state(db: FreshDb, data: dict[str, Any], plan: list[Submission]) -> dict[str, Any]:
    """Exactly one complete response per key, each audited once, nothing else."""
    tax_codes = [o["tax_code"] for o in data["new"]]
    state = db.python(STATE % {"campaign": data["campaign"], "tax_codes": json.dumps(tax_codes)})
    responses = {r["id"]: r for r in state["responses"]}
    assert len(responses) == len(plan)
    assert set(state["keys"]) == {s.key for s in plan}
    assert state["all_keys"] == len(plan)
    assert len(set(state["keys"].values())) == len(plan)  # one response per key
    for sub in plan:
        r = responses[state["keys"][sub.key]]
        who = sub.body.get("organisation_id")
        if who is not None:
            assert r["organisation_id"] == who
        else:
            assert r["organisation__tax_code"] == sub.body["organisation_new"]["tax_code"]
        assert r["idempotency_key"] == sub.key
        assert r["answers"] == sub.body["answers"]
        assert r["status"] == "submitted"
        assert r["overall"] is not None and r["level"] is not None
        assert r["pillar_scores"] and r["criterion_scores"]
    events = Counter(tuple(e) for e in state["events"])
    assert events == Counter(("response.submit", str(i)) for i in responses)
    # every organisation registered by a submission exists once, was audited once, and
    # nothing else was registered
    assert sorted(t for t, _ in state["registered"]) == sorted(tax_codes)
    assert set(state["org_events"].values()) == {1}
    assert state["organisations"] == len(data["registered"]) + len(tax_codes)
    return state


def test_killed_web_process_loses_and_doubles_no_submission(
    builtin_db: Callable[[str], FreshDb],
) -> None:
    db = builtin_db("web-kill")
    data, plan = _prepare(db, registered=90, new=90)
    web = Web(db)
    web.start()
    queue = list(reversed(plan))
    lock = threading.Lock()
    killed = threading.Event()
    successes = [0]

    def client() -> None:
        while not killed.is_set():
            with lock:
                if not queue:
                    return
                sub = queue.pop()
            if _post(web, data["token"], sub) in (200, 201):
                with lock:
                    successes[0] += 1

    clients = [threading.Thread(target=client) for _ in range(6)]
    try:
        for t in clients:
            t.start()
        wait_for(lambda: successes[0] >= 40, timeout=120, what="40 submissions to succeed")
        killed_at = time.monotonic()
        killed.set()
        web.kill()
        for t in clients:
            t.join(timeout=90)
            assert not t.is_alive()
        assert queue, "every submission was sent before the kill: not mid-way"
        # requests sent before the kill that got no answer: the kill hit them in flight
        cut = [s for s in plan for t0, status, _ in s.attempts if status == 0 and t0 < killed_at]
        assert cut, "no request was in flight when the web process was killed"

        web.start()
        pending = [s for s in plan if s.answered is None]
        answered = [s for s in plan if s.answered is not None]
        again = pending + answered[:10]
        first_ids = {s.key: s.answered["id"] for s in answered if s.answered}
        retry_queue = list(again)

        def retry() -> None:
            while True:
                with lock:
                    if not retry_queue:
                        return
                    sub = retry_queue.pop()
                _post(web, data["token"], sub)

        retries = [threading.Thread(target=retry) for _ in range(6)]
        for t in retries:
            t.start()
        for t in retries:
            t.join(timeout=180)
            assert not t.is_alive()
        for sub in again:
            assert sub.attempts[-1][1] in (200, 201), sub.attempts[-1]
        for sub in answered[:10]:
            last = sub.attempts[-1]
            assert last[1] == 200 and last[2] is not None and last[2]["replayed"], last
            assert last[2]["id"] == first_ids[sub.key]
    finally:
        web.stop()

    _check_state(db, data, plan)
    # the columnar copy read after the restart counts every response once
    res = db.run("aggregate", str(data["campaign"]))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)[0]["n"] == len(plan)


@pytest.mark.skipif(
    VENDOR != "postgresql",
    reason="pg_terminate_backend needs a PostgreSQL server; an SQLite database has no server "
    "connection to cut (a killed web process is tested above)",
)
def test_cut_database_connection_rolls_back_the_submission_and_the_retry_completes(
    builtin_db: Callable[[str], FreshDb],
) -> None:
    db = builtin_db("web-pg")
    data, plan = _prepare(db, registered=12, new=12)
    web = Web(db, workers=2)
    web.start()
    try:
        # every worker has its persistent connection open before the cut
        for sub in plan[:4]:
            assert _post(web, data["token"], sub) == 201, sub.attempts
        victim = next(s for s in plan[4:] if "organisation_new" in s.body)
        with psycopg.connect(db.url) as blocker:
            # hold the submission inside its transaction: the one statement that writes
            # the response and its key (an INSERT of the response in a CTE, then the key)
            # waits for this lock
            blocker.execute("LOCK TABLE assessments_submissionkey IN SHARE MODE")
            sender = threading.Thread(target=_post, args=(web, data["token"], victim))
            sender.start()
            pid = wait_for(
                lambda: waiting_backend(
                    db, "thuocdo-web", 'WITH p AS (INSERT INTO "assessments_response"'
                ),
                timeout=60,
                what="the submission to wait inside its transaction",
            )
            terminate_backend(db, pid)
            blocker.rollback()
        sender.join(timeout=60)
        assert not sender.is_alive()
        assert victim.attempts[-1][1] >= 500, victim.attempts
        # rolled back as a whole: no response, no key (the organisation, registered in a
        # transaction of its own just before, stays and is found again by the retry)
        tax = victim.body["organisation_new"]["tax_code"]
        state = db.python(STATE % {"campaign": data["campaign"], "tax_codes": json.dumps([tax])})
        assert [r["organisation__tax_code"] for r in state["responses"]].count(tax) == 0
        assert victim.key not in state["keys"]
        # the server answers normally on new connections, the retry completes
        for _ in range(6):
            assert web.call("GET", "/health")[0] == 200
        for sub in plan[4:]:
            assert _post(web, data["token"], sub) in (200, 201), sub.attempts[-1]
        assert victim.attempts[-1][1] == 201
        assert _post(web, data["token"], victim) == 200  # and a second retry replays it
        replay = victim.attempts[-1][2]
        assert replay is not None and replay["replayed"]
    finally:
        web.stop()
    _check_state(db, data, plan)
