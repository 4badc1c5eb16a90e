"""Background import jobs: upload → ``ImportJob`` → huey task → result and error report.

Progress of the writing phase happens inside the import's single transaction, where a row
update would not be visible to other connections (and on SQLite would wait for the write
lock), so progress goes to a small JSON file next to the upload; the page reads it while the
job runs. Uploads and progress files live in ``THUOCDO_DATA_DIR/imports`` (shared storage
when workers run on other machines).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import uuid
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, require_path
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Campaign
from thuocdo.core.leases import Lease, lease_held

from .messages import ImportProblem
from .models import ImportJob, ImportStatus
from .services import MODES, ImportOutcome, max_upload_bytes, responses_import
from .submissions import ON_EDIT

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 10_000
MAX_ATTEMPTS = 3  # runs of a job whose worker keeps dying before it is marked failed
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_path(job: ImportJob) -> Path:
    return imports_dir() / f"job-{job.pk}.progress.json"


def import_job_create(
    *,
    scope: Scope,
    actor: User,
    campaign: Campaign,
    upload: UploadedFile,
    mode: str,
    on_edit: str = "update",
) -> ImportJob:
    """Store an uploaded file and queue its import (officers whose scope covers the area)."""
    require_officer(scope)
    require_path(scope, campaign.unit_path)
    if mode not in MODES:
        raise ValidationError({"mode": _("Unknown import mode.")})
    if on_edit not in ON_EDIT:
        raise ValidationError({"on_edit": _("Unknown choice for edited submissions.")})
    limit = max_upload_bytes()
    if (upload.size or 0) > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s bytes); the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": limit}
            }
        )
    name = Path(upload.name or "import").name[:200]
    stored = imports_dir() / f"{uuid.uuid4().hex}-{_SAFE.sub('_', name)}"
    with stored.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(
            campaign=campaign,
            created_by=actor,
            filename=name,
            stored_path=str(stored),
            mode=mode,
            on_edit=on_edit,
        )
        audit_record(
            actor=actor,
            action="import_job.create",
            object_type="import_job",
            object_id=job.pk,
            after={"campaign": campaign.pk, "file": name, "mode": mode, "on_edit": on_edit},
            unit_path=campaign.unit_path,
        )
        from .tasks import import_job_task

        transaction.on_commit(lambda: import_job_task(job.pk))
    return job


def lease_path(job_id: int) -> Path:
    return imports_dir() / f"job-{job_id}.lease"


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job (called by the worker), holding the job's lease while it runs.

    A second message for the same job waits for the lease and then finds the job finished.
    A job found *running* under a free lease lost its worker: this run takes over (nothing
    of the lost run was written: the import is one transaction)."""
    with Lease(lease_path(job_id)) as lease:
        job, again = _run_leased(job_id, lease)
    if again:
        _send(job_id)  # once the lease is free for the next run
    return job


def _run_leased(job_id: int, lease: Lease) -> tuple[ImportJob | None, bool]:
    """The job after this run, and whether it must run again."""
    job = (
        ImportJob.objects.select_related("campaign__framework", "campaign__area")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.finished:
        lease.remove()  # a second message for a job already done: leave no lease file behind
        return job, False
    if job.attempts >= MAX_ATTEMPTS:
        _give_up(job)
        lease.remove()
        return job, False
    _claim(job)
    try:
        _run(job)
    except Exception as exc:
        if _database_lost(exc):
            # the connection went away mid-import: its transaction is rolled back as a
            # whole; queue the job again on a new connection (if the database is still
            # away, this raises, the lease is free and the next recovery queues it)
            logger.warning("import job %s lost its database connection", job_id, exc_info=True)
            if not connection.in_atomic_block:
                connection.close()
            return job, _interrupted(job_id) == ImportStatus.QUEUED
        _drop_broken_connection()
        job.status = ImportStatus.FAILED
        job.message = f"{type(exc).__name__}: {exc}"[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        _discard_upload(job)
        lease.remove()
        raise
    lease.remove()
    return job, False


def _send(job_id: int) -> None:
    from .tasks import import_job_task

    import_job_task(job_id)


def _database_lost(exc: Exception) -> bool:
    """The error of a lost or unusable connection (Django's, or the driver's own from the
    bulk writer's raw cursor), not of the data."""
    driver = cast(Any, connection).Database  # the DB-API module (psycopg, sqlite3)
    return isinstance(
        exc, (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    )


def _drop_broken_connection() -> None:
    """Close the connection if an error left it unusable (the next query opens a new one)."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _claim(job: ImportJob) -> None:
    now = timezone.now()
    if job.status == ImportStatus.RUNNING:
        job.interrupted_at = now  # the previous run's worker died
    job.status = ImportStatus.RUNNING
    job.attempts += 1
    job.started_at = now
    job.worker = _worker_name()
    job.save(update_fields=["status", "attempts", "started_at", "worker", "interrupted_at"])


def _run(job: ImportJob) -> None:
    progress_file = progress_path(job)

    def progress(phase: str, done: int, total: int) -> None:
        progress_file.write_text(
            json.dumps({"phase": phase, "processed": done, "total": total}), encoding="utf-8"
        )

    try:
        # the job's result is saved in the import's transaction: a run stopped at any point
        # leaves either the rows and the result, or neither (and the job runs again)
        outcome = responses_import(
            actor=job.created_by,
            campaign=job.campaign,
            path=Path(job.stored_path),
            mode=job.mode,  # type: ignore[arg-type]
            on_edit=job.on_edit,  # type: ignore[arg-type]
            progress=progress,
            on_written=lambda done: _record(job, done),
        )
    finally:
        progress_file.unlink(missing_ok=True)
    if not outcome.written:
        _record(job, outcome)
    _discard_upload(job)


def _discard_upload(job: ImportJob) -> None:
    """Remove the uploaded file of a finished job (it holds tax codes and answers; the job
    keeps its counts and problems)."""
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)


def _record(job: ImportJob, outcome: ImportOutcome) -> None:
    job.status = ImportStatus.DONE if outcome.written else ImportStatus.REFUSED
    job.total_rows = outcome.total
    job.processed_rows = outcome.total
    job.imported = outcome.imported
    job.duplicates = outcome.duplicates
    job.updated = outcome.updated
    job.error_count = len(outcome.problems)
    job.errors = [_problem_dict(p) for p in outcome.problems[:MAX_STORED_ERRORS]]
    job.finished_at = timezone.now()
    job.phase = "done"
    job.save()


def _give_up(job: ImportJob) -> None:
    job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    _discard_upload(job)
    _audit_recovery(job, "import_job.give_up")


def _audit_recovery(job: ImportJob, action: str) -> None:
    """The audit event of the system taking back a job whose worker was lost."""
    audit_record(
        actor=None,
        action=action,
        object_type="import_job",
        object_id=job.pk,
        after={"attempts": job.attempts, "worker": job.worker},
        unit_path=job.campaign.unit_path,
    )


@transaction.atomic
def _interrupted(job_id: int) -> str | None:
    """Put a running job whose run stopped back in the queue (status ``queued``: the caller
    sends its message once it released the lease), or fail it after ``MAX_ATTEMPTS`` runs
    (``failed``). Called with the job's lease held; None when the job is not running."""
    job = (
        ImportJob.objects.select_for_update()
        .select_related("campaign")
        .filter(pk=job_id, status=ImportStatus.RUNNING)
        .first()
    )
    if job is None:
        return None
    job.interrupted_at = timezone.now()
    if job.attempts >= MAX_ATTEMPTS:
        job.save(update_fields=["interrupted_at"])
        _give_up(job)
        return ImportStatus.FAILED
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["status", "interrupted_at"])
    _audit_recovery(job, "import_job.requeue")
    return ImportStatus.QUEUED


def import_jobs_recover(*, requeue_waiting: bool = False) -> list[int]:
    """Queue again every running job whose worker is gone (its lease is free), or fail it
    after ``MAX_ATTEMPTS`` runs; with ``requeue_waiting`` (at worker start) also send the
    queued jobs again, in case their message was lost with the queue (a second message for
    a job is harmless). Returns the ids of the interrupted jobs found."""
    if requeue_waiting:
        for job_id in ImportJob.objects.filter(status=ImportStatus.QUEUED).values_list(
            "pk", flat=True
        ):
            _send(job_id)
    found: list[int] = []
    running = ImportJob.objects.filter(status=ImportStatus.RUNNING).values_list("pk", flat=True)
    for job_id in list(running):
        outcome = _recover(job_id)
        if outcome is not None:
            found.append(job_id)
        if outcome == ImportStatus.QUEUED:
            _send(job_id)
    return found


def _recover(job_id: int) -> str | None:
    """``_interrupted`` for a running job whose lease is free (None while its worker lives)."""
    lease = Lease(lease_path(job_id))
    if not lease.acquire(wait=False):
        return None
    outcome = None
    try:
        outcome = _interrupted(job_id)
    finally:
        if outcome == ImportStatus.FAILED:
            lease.remove()  # the lease file goes with the failed job
        else:
            lease.release()
    return outcome


def job_stalled(job: ImportJob) -> bool:
    """A job recorded as running whose worker is gone (it runs again when a worker starts)."""
    return job.status == ImportStatus.RUNNING and not lease_held(lease_path(job.pk))


def _problem_dict(p: ImportProblem) -> dict[str, Any]:
    return {
        "row": p.row,
        "column": p.column,
        "value": p.value,
        "code": p.code,
        "params": {k: v for k, v in p.params.items() if isinstance(v, str | int | float)},
    }


def job_problems(job: ImportJob) -> list[ImportProblem]:
    return [
        ImportProblem(e["row"], e["column"], e["value"], e["code"], e.get("params", {}))
        for e in job.errors
    ]


def job_progress(job: ImportJob) -> dict[str, Any]:
    """Phase, processed and total rows, and a percentage for the progress bar; ``stalled``
    when the job's worker is gone, ``gave_up`` when it was interrupted too often."""
    state: dict[str, Any] = {
        "phase": job.phase or job.status,
        "processed": job.processed_rows,
        "total": job.total_rows,
    }
    if not job.finished:
        with contextlib.suppress(OSError, ValueError):
            state.update(json.loads(progress_path(job).read_text(encoding="utf-8")))
    state["stalled"] = job_stalled(job)
    state["gave_up"] = job.status == ImportStatus.FAILED and job.attempts >= MAX_ATTEMPTS
    weights = {"reading": 0, "validated": 40, "organisations": 45, "writing": 50}
    if job.finished:
        percent = 100
    else:
        base = weights.get(state["phase"], 0)
        share = state["processed"] / state["total"] if state["total"] else 0
        percent = base + int(50 * share) if state["phase"] == "writing" else base
    state["percent"] = min(100, percent)
    return state
