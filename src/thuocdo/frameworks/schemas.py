"""API types for criteria sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from thuocdo.frameworks.models import FrameworkVersion, Status


class TextOut(Schema):
    vi: str
    en: str


class FrameworkVersionOut(Schema):
    label: str = Field(description="code@version")
    code: str
    version: str
    status: Status
    name: TextOut
    sector: str
    entity_types: list[str]
    source: str
    pillars: int
    criteria: int
    builtin: bool
    content_hash: str
    based_on: str | None = Field(description="code@version this version was copied or loaded after")
    created_at: datetime
    published_at: datetime | None
    retired_at: datetime | None


class FrameworkVersionDetailOut(FrameworkVersionOut):
    definition: dict[str, Any] = Field(description="The canonical criteria set (DESIGN §4)")


class FrameworkFilter(Schema):
    sector: str | None = Field(None, max_length=50)
    entity_type: str | None = Field(None, max_length=50)
    status: Status | None = None
    code: str | None = Field(None, max_length=64)


class ScoreOut(Schema):
    """Exactly the ``thuocdo score`` output."""

    overall: float
    level: int
    pillars: dict[str, float | None]
    pillar_levels: dict[str, int | None]
    criteria: dict[str, float | None]
    unmet: list[str]


class CopyIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"new_version": "2026.1"}]})

    new_version: str = Field(max_length=32, description="The version of the new draft, e.g. 2026.1")


class DiffOut(Schema):
    old: str
    new: str
    fields: dict[str, Any]
    pillars: dict[str, Any]
    criteria: dict[str, Any]
    levels: dict[str, Any]
    affects_scores: bool


def version_out(v: FrameworkVersion, cls: type[FrameworkVersionOut] = FrameworkVersionOut) -> Any:
    data: dict[str, Any] = {
        "label": v.label,
        "code": v.code,
        "version": v.version,
        "status": v.status,
        "name": {"vi": v.name_vi, "en": v.name_en},
        "sector": v.sector,
        "entity_types": list(v.entity_types or []),
        "source": v.source,
        "pillars": v.pillar_count,
        "criteria": v.criterion_count,
        "builtin": v.builtin,
        "content_hash": v.content_hash,
        "based_on": v.based_on.label if v.based_on_id and v.based_on else None,
        "created_at": v.created_at,
        "published_at": v.published_at,
        "retired_at": v.retired_at,
    }
    if cls is FrameworkVersionDetailOut:
        data["definition"] = v.definition
    return cls(**data)
