"""API types of the plans app (input and output kept apart)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class FrameworkOut(Schema):
    code: str
    version: str
    name: str
    name_en: str
    scope: str
    default_year: int
    groups: int
    tasks: int
    assignable: bool


class CompletionOut(Schema):
    code: str
    title: str
    total: int
    done: int
    in_progress: int
    overdue: int
    cancelled: int
    not_started: int
    mean_progress: float
    percent_done: int


class PlanOut(Schema):
    id: int
    title: str
    level: str
    unit: str | None
    unit_name: str | None
    year: int
    framework: str
    parent: int | None
    tasks: int


class PlanDetailOut(PlanOut):
    completion: CompletionOut
    groups: list[CompletionOut]


class PlanInstantiateIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"framework": "province-dx", "unit": "48", "year": 2026}]}
    )

    framework: str = Field(..., max_length=50)
    unit: str | None = Field(None, max_length=10, description="Province code; none: national")
    year: int = Field(..., ge=2000, le=2100)
    assignments: dict[str, Any] | None = Field(
        None, description='Task code → department code or {"lead", "coordinating", "deadline"}'
    )


class TaskOut(Schema):
    id: int
    plan: int
    code: str
    group: str
    title: str
    lead_unit: str
    lead_unit_name: str
    coordinating_units: list[str]
    start: date | None
    deadline: date | None
    deadline_spec: str
    status: str
    progress: int
    kpi: str
    indicator_code: str
    survey_stage: str
    evidence_missing: str
    can_edit: bool


class TaskPage(Schema):
    count: int
    items: list[TaskOut]


class UpdateOut(Schema):
    at: datetime
    on: date
    actor: str
    kind: str
    status_from: str
    status_to: str
    progress_from: int | None
    progress_to: int | None
    note: str


class EvidenceOut(Schema):
    id: int
    title: str
    name: str
    size: int
    url: str
    added_at: datetime


class TaskIndicatorOut(Schema):
    value: Any = None
    period: Any = None
    provisional: bool | None = None
    verdict: Any = None


class TaskDetailOut(TaskOut):
    title_en: str
    expected_output: str
    deadline_text: str
    implementing_unit: str
    period: str
    description: str
    milestones: list[dict[str, Any]]
    resources: list[dict[str, str]]
    overdue: bool
    updates: list[UpdateOut]
    evidence: list[EvidenceOut]
    indicator: TaskIndicatorOut | None


class TaskPatchIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "in_progress", "progress": 50, "note": "Đang triển khai."}]
        }
    )

    status: str | None = Field(None, max_length=20)
    progress: int | None = None
    note: str = Field("", max_length=5000)
    lead_unit: str | None = Field(None, max_length=200)
    start: date | None = None
    deadline: str | None = Field(None, max_length=200)
    on: date | None = None
    indicator_code: str | None = Field(None, max_length=50)


class EvidenceLinkIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"url": "https://danang.gov.vn/van-ban/ke-hoach-2026", "title": "Kế hoạch 2026"}
            ]
        }
    )

    url: str = Field(..., max_length=1000)
    title: str = Field("", max_length=300)


class OverdueTaskOut(TaskOut):
    unit: str | None
    on: date
