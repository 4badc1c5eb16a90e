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
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, require_path
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Campaign

from .messages import ImportProblem
from .models import ImportJob, ImportStatus
from .services import MODES, max_upload_bytes, responses_import

MAX_STORED_ERRORS = 10_000
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_path(job: ImportJob) -> Path:
    return imports_dir() / f"job-{job.pk}.progress.json"


def import_job_create(
    *, scope: Scope, actor: User, campaign: Campaign, upload: UploadedFile, mode: str
) -> ImportJob:
    """Store an uploaded file and queue its import (officers whose scope covers the area)."""
    require_officer(scope)
    require_path(scope, campaign.unit_path)
    if mode not in MODES:
        raise ValidationError({"mode": _("Unknown import mode.")})
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
            campaign=campaign, created_by=actor, filename=name, stored_path=str(stored), mode=mode
        )
        audit_record(
            actor=actor,
            action="import_job.create",
            object_type="import_job",
            object_id=job.pk,
            after={"campaign": campaign.pk, "file": name, "mode": mode},
            unit_path=campaign.unit_path,
        )
        from .tasks import import_job_task

        transaction.on_commit(lambda: import_job_task(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job (called by the worker)."""
    job = ImportJob.objects.select_related("campaign__framework", "campaign__area").get(pk=job_id)
    if job.finished:
        return job
    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress_file = progress_path(job)

    def progress(phase: str, done: int, total: int) -> None:
        progress_file.write_text(
            json.dumps({"phase": phase, "processed": done, "total": total}), encoding="utf-8"
        )

    try:
        outcome = responses_import(
            actor=job.created_by,
            campaign=job.campaign,
            path=Path(job.stored_path),
            mode=job.mode,  # type: ignore[arg-type]
            progress=progress,
        )
    except Exception as exc:
        job.status = ImportStatus.FAILED
        job.message = f"{type(exc).__name__}: {exc}"[:2000]
        job.finished_at = timezone.now()
        job.save()
        raise
    finally:
        progress_file.unlink(missing_ok=True)
    job.status = ImportStatus.DONE if outcome.written else ImportStatus.REFUSED
    job.total_rows = outcome.total
    job.processed_rows = outcome.total
    job.imported = outcome.imported
    job.duplicates = outcome.duplicates
    job.error_count = len(outcome.problems)
    job.errors = [_problem_dict(p) for p in outcome.problems[:MAX_STORED_ERRORS]]
    job.finished_at = timezone.now()
    job.phase = "done"
    job.save()
    Path(job.stored_path).unlink(missing_ok=True)
    return job


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
    """Phase, processed and total rows, and a percentage for the progress bar."""
    state: dict[str, Any] = {
        "phase": job.phase or job.status,
        "processed": job.processed_rows,
        "total": job.total_rows,
    }
    if not job.finished:
        with contextlib.suppress(OSError, ValueError):
            state.update(json.loads(progress_path(job).read_text(encoding="utf-8")))
    weights = {"reading": 0, "validated": 40, "organisations": 45, "writing": 50}
    if job.finished:
        percent = 100
    else:
        base = weights.get(state["phase"], 0)
        share = state["processed"] / state["total"] if state["total"] else 0
        percent = base + int(50 * share) if state["phase"] == "writing" else base
    state["percent"] = min(100, percent)
    return state
