"""Helpers shared by the plans services: snapshots, deadlines, update records.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.plans import selectors
from thuocdo.plans.domain.deadlines import (
    Continuous,
    DeadlineSpec,
    DeadlineSpecError,
    Recurrence,
    format_spec,
    parse,
    resolve,
)
from thuocdo.plans.models import (
    Task,
    TaskUpdate,
)

#: Largest evidence file, in bytes (also bounded by the MAX_UPLOAD_MB setting).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def evidence_max_bytes() -> int:
    return min(EVIDENCE_MAX_BYTES, int(getattr(settings, "MAX_UPLOAD_BYTES", EVIDENCE_MAX_BYTES)))


def task_snapshot(task: Task) -> dict[str, Any]:
    return {
        "code": task.code,
        "status": task.status,
        "progress": task.progress,
        "lead_unit": task.lead_unit,
        "start": task.start.isoformat() if task.start else None,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "deadline_spec": task.deadline_spec,
        "indicator_code": task.indicator_code,
    }


def actor_label(actor: Any) -> str:
    return "system" if actor is None else f"{actor.username} ({actor.role})"


def today() -> date:
    return timezone.localdate()


# --------------------------------------------------------------------------- deadlines


def deadline_kind(spec: DeadlineSpec | None) -> str:
    if spec is None:
        return "none"
    if isinstance(spec, Continuous):
        return "continuous"
    if isinstance(spec, Recurrence):
        return "recurring"
    return "fixed"


def parse_deadline(text: str, *, field: str = "deadline") -> DeadlineSpec:
    try:
        return parse(text)
    except DeadlineSpecError as exc:
        raise ValidationError(
            {field: _('Deadline "%(text)s" is not understood.') % {"text": text}}
        ) from exc


@dataclass(frozen=True)
class ResolvedDeadline:
    spec: DeadlineSpec | None
    text: str
    due: date | None
    kind: str


def resolve_deadline(spec: DeadlineSpec | None, year: int) -> ResolvedDeadline:
    if spec is None:
        return ResolvedDeadline(None, "", None, "none")
    return ResolvedDeadline(spec, format_spec(spec), resolve(spec, year), deadline_kind(spec))


def check_indicator(code: str, *, field: str = "indicator_code") -> str:
    """``code`` (stripped; empty: no indicator) when it names a strategy indicator."""
    code = str(code or "").strip()
    if code and (len(code) > 50 or not selectors.indicator_known(code)):
        raise ValidationError({field: _("Unknown indicator %(code)s.") % {"code": code}})
    return code


def check_dates(start: date | None, due: date | None, *, where: str = "") -> None:
    if start is not None and due is not None and due < start:
        prefix = f"{where}: " if where else ""
        raise ValidationError(
            {
                "deadline": prefix
                + _("The deadline %(due)s is before the start %(start)s.")
                % {"due": due.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
            }
        )


def record_update(
    *,
    task: Task,
    actor: Any,
    kind: str,
    on: date,
    note: str = "",
    status_from: str = "",
    status_to: str = "",
    progress_from: int | None = None,
    progress_to: int | None = None,
    changes: dict[str, Any] | None = None,
) -> TaskUpdate:
    return TaskUpdate.objects.create(
        task=task,
        on=on,
        actor=actor,
        actor_label=actor_label(actor),
        kind=kind,
        status_from=status_from,
        status_to=status_to,
        progress_from=progress_from,
        progress_to=progress_to,
        note=note,
        changes=changes or {},
    )
