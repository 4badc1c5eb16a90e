"""API types for administrative units."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class FormerUnitOut(Schema):
    code: str
    name: str


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    structure: str
    parent_code: str | None
    lat: float | None
    lon: float | None
    former: FormerUnitOut | None = Field(
        None, description="The legacy (pre-2025) unit whose former name matched the search"
    )


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]
    children_count: int
    current: list[UnitOut]
    legacy: list[UnitOut]
