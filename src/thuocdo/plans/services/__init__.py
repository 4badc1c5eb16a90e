"""Writes of the plans app: keyword-only, atomic, audited.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from thuocdo.plans.services.common import (
    EVIDENCE_MAX_BYTES,
    deadline_kind,
    evidence_max_bytes,
    parse_deadline,
    resolve_deadline,
    task_snapshot,
)
from thuocdo.plans.services.evidence import task_evidence_add
from thuocdo.plans.services.imports import ImportReport, plan_import
from thuocdo.plans.services.plans import plan_instantiate
from thuocdo.plans.services.tasks import (
    task_update,
    tasks_mark_overdue,
    tasks_sync_campaign,
    tasks_sync_survey_stage,
)

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "ImportReport",
    "deadline_kind",
    "evidence_max_bytes",
    "parse_deadline",
    "plan_import",
    "plan_instantiate",
    "resolve_deadline",
    "task_evidence_add",
    "task_snapshot",
    "task_update",
    "tasks_mark_overdue",
    "tasks_sync_campaign",
    "tasks_sync_survey_stage",
]
