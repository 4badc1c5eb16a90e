"""The worker killed, or its database connection cut, in the middle of an import job and of
an aggregate refresh.

``thuocdo worker`` runs as deployed on a fresh database (its queue is the embedded one in the
data folder). Each test waits until the job is inside its transaction, makes the fault, and
checks that nothing of the stopped run is visible, that the job runs again by itself (the
import's lease is found free when a worker starts; a refresh is redone) and that the result
is then complete, with one copy of every row and a columnar copy equal to a rebuild from the
responses. When the job finished before the fault could hit it, the test says so and tries
again with more rows; it fails if it never hits the job mid-way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.ops.fresh import VENDOR, FreshDb
from tests.ops.runtime import (
    Worker,
    query,
    scalar,
    terminate_backend,
    wait_for,
    waiting_backend,
    write_lock_held,
)

pytestmark = [pytest.mark.slow, pytest.mark.fault]

pg_only = pytest.mark.skipif(
    VENDOR != "postgresql",
    reason="pg_terminate_backend needs a PostgreSQL server; an SQLite database has no server "
    "connection to cut (a killed worker is tested with SIGKILL)",
)

# An open campaign in Hà Nội, an officer there, and a CSV of valid rows (tax codes from
# ``start``) in the data folder.
CAMPAIGN = """
import json
from pathlib import Path
from thuocdo.accounts.models import User
from thuocdo.geo.models import Unit
from tests.assessments.importing.factories import (communes_in, header_for, make_campaign,
                                                   rows_for, write_csv)
campaign = make_campaign(name="Đợt nhập thử lỗi")
User.objects.get_or_create(username="can-bo-nhap", defaults={
    "role": "province", "unit": Unit.objects.get(structure="2025", code="01")})
print(json.dumps({"campaign": campaign.pk}))
"""

CSV = """
import json
from pathlib import Path
from thuocdo.assessments.models import Campaign
from tests.assessments.importing.factories import communes_in, header_for, rows_for, write_csv
fw = Campaign.objects.get(pk=%(campaign)d).framework.engine()
rows = rows_for(fw, %(rows)d, communes=communes_in(k=20), start=%(start)d, seed=%(start)d)
print(json.dumps(str(write_csv(Path(%(path)r), header_for(fw), rows))))
"""

# Upload the CSV as the officer: the job is queued for the worker.
UPLOAD = """
import json
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from thuocdo.accounts.models import User
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments.importing.jobs import import_job_create
from thuocdo.assessments.models import Campaign
officer = User.objects.get(username="can-bo-nhap")
path = Path(%(path)r)
job = import_job_create(scope=scope_for(officer), actor=officer,
                        campaign=Campaign.objects.get(pk=%(campaign)d),
                        upload=SimpleUploadedFile("nhập lớn.csv", path.read_bytes()),
                        mode="all-or-nothing")
print(json.dumps(job.pk))
"""

# The job's page as the officer sees it (the part the page polls).
PAGE = """
import json
from django.test import Client
from django.urls import reverse
from thuocdo.accounts.models import User
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
client.force_login(User.objects.get(username="can-bo-nhap"))
res = client.get(reverse("assessments:importing:job", args=[%(job)d]),
                 headers={"HX-Request": "true"})
print(json.dumps({"status": res.status_code, "html": res.content.decode()}))
"""

REFRESH = """
import json
from thuocdo.analytics.services import refresh_campaign
print(json.dumps(refresh_campaign(%(campaign)d, full=True).version))
"""

QUEUE_REFRESH = """
import json
from thuocdo.analytics.tasks import refresh_campaign_task
refresh_campaign_task(%(campaign)d)
print(json.dumps(True))
"""

# The snapshot as kept, compared with a rebuild from the responses: the same rows and values,
# the same aggregates (computed from the kept copy, then again after the rebuild), and no
# part of the campaign besides those of the current and the previous version.
CONSISTENT = """
import json
import polars as pl
from polars.testing import assert_frame_equal
from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors, store
from thuocdo.analytics.models import Snapshot
from thuocdo.analytics.params import parse_slice
from thuocdo.analytics.services import refresh_campaign
from thuocdo.assessments.models import Response
campaign = %(campaign)d
snap = Snapshot.objects.get(campaign_id=campaign)
stale = selectors.is_stale(snap)
from thuocdo.analytics.models import SnapshotPart
named = {int(p[0]) for p in snap.parts.values()} | set(snap.previous)
leftovers = list(SnapshotPart.objects.filter(campaign_id=campaign).exclude(pk__in=named)
                 .values_list("pk", flat=True))
layout = store.layout_for(snap.campaign.framework)
kept = store.read_snapshot(snap, layout)
def plain(frame):
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.Utf8)).sort("response_id")
def rounded(value):
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value
def aggregates():
    rows = selectors.aggregate(scope=Scope(role="admin"), campaign_id=campaign,
                               slice_=parse_slice({"by": "commune"}))["rows"]
    return rounded(rows)
before = aggregates()
refresh_campaign(campaign, full=True)
rebuilt = store.read_snapshot(Snapshot.objects.get(campaign_id=campaign), layout)
assert_frame_equal(plain(kept), plain(rebuilt), check_column_order=False, rtol=1e-9)
print(json.dumps({
    "stale": stale, "version": snap.version, "rows": kept.height, "snapshot_rows": snap.rows,
    "distinct": kept["response_id"].n_unique(), "leftovers": leftovers,
    "counted": Response.objects.filter(campaign_id=campaign,
                                       status__in=["submitted", "verified"]).count(),
    "aggregates_equal": before == aggregates(),
}))
"""


def _job(db: FreshDb, job_id: int) -> dict[str, Any]:
    rows = query(
        db,
        "SELECT status, attempts, interrupted_at, imported, duplicates, message"
        " FROM assessments_importjob WHERE id = %s",
        (job_id,),
    )
    keys = ("status", "attempts", "interrupted_at", "imported", "duplicates", "message")
    return dict(zip(keys, rows[0], strict=True))


def _counts(db: FreshDb, campaign: int) -> dict[str, int]:
    return {
        "responses": scalar(
            db, "SELECT count(*) FROM assessments_response WHERE campaign_id = %s", (campaign,)
        ),
        "organisations": scalar(
            db,
            "SELECT count(DISTINCT organisation_id) FROM assessments_response"
            " WHERE campaign_id = %s",
            (campaign,),
        ),
        "registry": scalar(db, "SELECT count(*) FROM assessments_organisation"),
    }


def _audits(db: FreshDb, action: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM accounts_auditevent WHERE action = %s", (action,)))


def _writing(progress: Path) -> bool:
    """The import reports a phase inside its write transaction."""
    try:
        state = json.loads(progress.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("phase") in ("organisations", "writing")


def _import_campaign(db: FreshDb, rows: int, start: int = 0) -> tuple[int, Path]:
    campaign = db.python(CAMPAIGN)["campaign"]
    path = db.data_dir / f"nhap-{start}.csv"
    db.python(CSV % {"campaign": campaign, "rows": rows, "start": start, "path": str(path)})
    return campaign, path


def _upload(db: FreshDb, campaign: int, path: Path) -> int:
    return int(db.python(UPLOAD % {"campaign": campaign, "path": str(path)}))


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers started by a test, stopped at its end whatever happens."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def _start(workers: list[Worker], db: FreshDb) -> Worker:
    worker = Worker(db)
    worker.start()
    workers.append(worker)
    return worker


def _finish_import(db: FreshDb, worker: Worker, job_id: int) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        assert worker.proc is not None and worker.proc.poll() is None, worker.output()
        job = _job(db, job_id)
        return job if job["status"] not in ("queued", "running") else None

    return wait_for(finished, timeout=240, what="the import job to finish", every=0.2)


def _kill_mid_import(db: FreshDb, workers: list[Worker], rows: int) -> bool:
    """Kill the worker inside an import of ``rows`` rows, restart it, check the job ran again
    to the end; False (after checking the result) when the import finished first."""
    campaign, path = _import_campaign(db, rows)
    job_id = _upload(db, campaign, path)
    progress = db.data_dir / "imports" / f"job-{job_id}.progress.json"
    worker = _start(workers, db)

    def writing_or_done() -> str:
        assert worker.proc is not None and worker.proc.poll() is None, worker.output()
        if _writing(progress):
            return "writing"
        return "done" if _job(db, job_id)["status"] == "done" else ""

    if wait_for(writing_or_done, timeout=240, what="the import to write", every=0.01) == "writing":
        worker.kill()
    if _job(db, job_id)["status"] == "done":
        worker.stop()  # finished before the kill: one copy of each row, but a miss
        assert _counts(db, campaign) == {"responses": rows, "organisations": rows, "registry": rows}
        return False
    # killed inside the import's transaction: nothing of it is visible, and the job, still
    # recorded as running, has no live worker; its page says so
    job = _job(db, job_id)
    assert job["status"] == "running" and job["attempts"] == 1
    assert _counts(db, campaign) == {"responses": 0, "organisations": 0, "registry": 0}
    page = db.python(PAGE % {"job": job_id})
    assert page["status"] == 200
    assert "The worker running this import stopped" in page["html"], page["html"]

    # a new worker takes the job back and runs it to the end
    job = _finish_import(db, _start(workers, db), job_id)
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", rows, 0), job
    assert job["attempts"] == 2 and job["interrupted_at"] is not None
    assert _counts(db, campaign) == {"responses": rows, "organisations": rows, "registry": rows}
    assert _audits(db, "responses.import") == 1
    assert _audits(db, "import_job.requeue") == 1
    page = db.python(PAGE % {"job": job_id})["html"]
    assert "A run of this import stopped at" in page and "Imported" in page
    assert not list((db.data_dir / "imports").glob(f"job-{job_id}.*"))  # lease, progress
    assert not [p for p in (db.data_dir / "imports").iterdir() if p.suffix == ".csv"]
    return True


def test_killed_worker_import_runs_again_and_writes_every_row_once(
    builtin_db: Callable[[str], FreshDb], workers: list[Worker]
) -> None:
    # larger files when the kill came too late, so that the test never passes without it
    assert any(
        _kill_mid_import(builtin_db(f"import-kill-{rows}"), workers, rows)
        for rows in (3000, 9000, 27000)
    ), "every import finished before the worker could be killed mid-way"


def _snapshot(db: FreshDb, campaign: int) -> dict[str, Any]:
    rows = query(
        db,
        "SELECT version, parts, token, rows FROM analytics_snapshot WHERE campaign_id = %s",
        (campaign,),
    )
    snap = dict(zip(("version", "parts", "token", "rows"), rows[0], strict=True))
    if isinstance(snap["parts"], str):
        snap["parts"] = json.loads(snap["parts"])
    return snap


def _refreshing(db: FreshDb) -> bool:
    """A refresh is inside its transaction (it holds the snapshot row's lock)."""
    if VENDOR == "postgresql":
        return bool(
            scalar(
                db,
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.relation = 'analytics_snapshot'::regclass"
                " AND l.mode = 'RowShareLock' AND l.granted"
                " AND a.application_name = 'thuocdo-worker'",
            )
        )
    return write_lock_held(db)


def _parts(db: FreshDb, snap: dict[str, Any]) -> list[tuple[int, str]]:
    """The stored parts a snapshot names, with the hash of their bytes as stored now."""
    ids = sorted(int(p[0]) for p in snap["parts"].values())
    out = []
    for part_id in ids:
        data = query(db, "SELECT data FROM analytics_snapshotpart WHERE id = %s", (part_id,))
        out.append((part_id, hashlib.sha256(bytes(data[0][0])).hexdigest()))
    return out


def _campaign_with_snapshot(db: FreshDb, more: int) -> tuple[int, dict[str, Any]]:
    """A campaign whose columnar copy holds 200 responses, then ``more`` imported since."""
    campaign, first = _import_campaign(db, 200)
    assert db.run("import", str(campaign), str(first)).returncode == 0
    assert db.python(REFRESH % {"campaign": campaign}) == 1
    before = _snapshot(db, campaign)
    assert before["rows"] == 200
    path = db.data_dir / "nhap-them.csv"
    db.python(CSV % {"campaign": campaign, "rows": more, "start": 200, "path": str(path)})
    res = db.run("import", str(campaign), str(path))
    assert res.returncode == 0, res.stderr[-2000:]
    return campaign, before


def _check_consistent(db: FreshDb, campaign: int, rows: int) -> dict[str, Any]:
    state = db.python(CONSISTENT % {"campaign": campaign})
    assert not state["stale"]
    assert state["rows"] == state["snapshot_rows"] == state["distinct"] == state["counted"] == rows
    assert state["leftovers"] == []
    assert state["aggregates_equal"]
    return state


def _refreshed(db: FreshDb, worker: Worker, campaign: int, rows: int) -> dict[str, Any] | None:
    assert worker.proc is not None and worker.proc.poll() is None, worker.output()
    snap = _snapshot(db, campaign)
    return snap if snap["rows"] == rows else None


def _kill_mid_refresh(db: FreshDb, workers: list[Worker], more: int) -> bool:
    """Kill the worker inside a refresh over ``more`` new responses, restart it, check the
    refresh was redone; False (after checking the result) when it finished first."""
    campaign, before = _campaign_with_snapshot(db, more)
    stored = _parts(db, before)
    db.python(QUEUE_REFRESH % {"campaign": campaign})
    worker = _start(workers, db)

    def refreshing_or_done() -> str:
        assert worker.proc is not None and worker.proc.poll() is None, worker.output()
        if _refreshing(db):
            return "refreshing"
        return "done" if _snapshot(db, campaign)["version"] > 1 else ""

    if wait_for(refreshing_or_done, timeout=240, what="the refresh", every=0.01) == "refreshing":
        worker.kill()
    if _snapshot(db, campaign)["version"] > 1:
        worker.stop()  # the refresh committed before the kill: a miss
        _check_consistent(db, campaign, 200 + more)
        return False
    # killed mid-refresh: the snapshot is the last complete one, its parts untouched
    assert _snapshot(db, campaign) == before
    assert _parts(db, before) == stored

    # a new worker finds the copy older than its responses and refreshes it
    worker = _start(workers, db)
    wait_for(
        lambda: _refreshed(db, worker, campaign, 200 + more),
        timeout=240,
        what="the refresh to be redone",
        every=0.2,
    )
    worker.stop()  # after its running jobs
    after = _snapshot(db, campaign)
    assert after["token"] != before["token"] and after["parts"] != before["parts"]  # superseded
    _check_consistent(db, campaign, 200 + more)
    return True


def test_killed_worker_refresh_keeps_the_last_snapshot_and_is_redone(
    builtin_db: Callable[[str], FreshDb], workers: list[Worker]
) -> None:
    assert any(
        _kill_mid_refresh(builtin_db(f"refresh-kill-{more}"), workers, more)
        for more in (3000, 9000, 27000)
    ), "every refresh finished before the worker could be killed mid-way"


@pg_only
def test_cut_connection_mid_import_rolls_back_and_the_job_runs_again(
    builtin_db: Callable[[str], FreshDb], workers: list[Worker]
) -> None:
    db = builtin_db("import-pg")
    rows = 1500
    campaign, path = _import_campaign(db, rows)
    job_id = _upload(db, campaign, path)
    with psycopg.connect(db.url) as blocker:
        # hold the import inside its transaction: its organisations are written, its
        # responses wait for this lock
        blocker.execute("LOCK TABLE assessments_response IN SHARE MODE")
        worker = _start(workers, db)
        pid = wait_for(
            lambda: waiting_backend(db, "thuocdo-worker", "INSERT INTO assessments_response"),
            timeout=240,
            what="the import to wait inside its transaction",
        )
        terminate_backend(db, pid)
        blocker.rollback()
    job = _finish_import(db, worker, job_id)
    # the cut transaction left nothing; the same worker queued the job again and ran it on a
    # new connection, to the end
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", rows, 0), (
        job,
        worker.output(),
    )
    assert job["attempts"] == 2 and job["interrupted_at"] is not None
    assert _counts(db, campaign) == {"responses": rows, "organisations": rows, "registry": rows}
    assert _audits(db, "responses.import") == 1
    assert _audits(db, "import_job.requeue") == 1
    assert "lost its database connection" in worker.output()
    # and it answers the next job normally
    again = _upload(db, campaign, path)
    job = _finish_import(db, worker, again)
    assert (job["status"], job["imported"], job["duplicates"], job["attempts"]) == (
        "done",
        0,
        rows,
        1,
    )
    assert _counts(db, campaign)["responses"] == rows


@pg_only
def test_cut_connection_mid_refresh_rolls_back_and_the_retry_completes(
    builtin_db: Callable[[str], FreshDb], workers: list[Worker]
) -> None:
    db = builtin_db("refresh-pg")
    more = 1500
    campaign, before = _campaign_with_snapshot(db, more)

    def stored_parts() -> set[int]:
        rows = query(
            db, "SELECT id FROM analytics_snapshotpart WHERE campaign_id = %s", (campaign,)
        )
        return {int(r[0]) for r in rows}

    first = {int(p[0]) for p in before["parts"].values()}
    assert stored_parts() == first
    with psycopg.connect(db.url) as blocker:
        # hold the refresh at its very end: new parts written, snapshot row updated, its audit
        # event waiting for this lock, nothing committed
        blocker.execute("LOCK TABLE accounts_auditevent IN SHARE MODE")
        # starting, the worker finds the copy older than its responses and queues its refresh
        worker = _start(workers, db)
        pid = wait_for(
            lambda: waiting_backend(db, "thuocdo-worker", 'INSERT INTO "accounts_auditevent"'),
            timeout=240,
            what="the refresh to wait inside its transaction",
        )
        # other connections still see only the committed version's parts
        assert stored_parts() == first and _snapshot(db, campaign) == before
        terminate_backend(db, pid)
        blocker.rollback()
    # the worker retries the refresh on a new connection
    wait_for(
        lambda: _refreshed(db, worker, campaign, 200 + more),
        timeout=240,
        what="the refresh to be retried",
        every=0.2,
    )
    worker.stop()  # after its running jobs: nothing refreshes the copy while it is read
    after = _snapshot(db, campaign)
    # every committed version was audited; the cut attempt's never was (a refresh queued
    # again at the worker's start may have followed the retry)
    assert after["version"] >= 2
    assert _audits(db, "analytics.refresh") == after["version"]
    previous = query(
        db, "SELECT previous FROM analytics_snapshot WHERE campaign_id = %s", (campaign,)
    )[0][0]
    if isinstance(previous, str):
        previous = json.loads(previous)
    current = {int(p[0]) for p in after["parts"].values()}
    # the current version's parts and the previous one's (kept for readers still fetching
    # them); nothing of the cut attempt
    assert current <= stored_parts() <= current | {int(i) for i in previous}
    _check_consistent(db, campaign, 200 + more)
