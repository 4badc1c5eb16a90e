"""API types for administrative units."""

from __future__ import annotations

from ninja import Schema


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


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]
    children_count: int
    current: list[UnitOut]
    legacy: list[UnitOut]
