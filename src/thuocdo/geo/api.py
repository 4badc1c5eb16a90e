"""Public, read-only API over administrative units."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from thuocdo.core.access import access
from thuocdo.geo import selectors
from thuocdo.geo.models import Level, Structure, Unit
from thuocdo.geo.schemas import FormerUnitOut, UnitDetailOut, UnitOut

router = Router(tags=["geo"])


def unit_out(unit: Unit) -> UnitOut:
    parent_code = unit.path.strip("/").split("/")[-2] if unit.level != Level.PROVINCE else None
    return UnitOut(
        code=unit.code,
        name=unit.name,
        short_name=unit.short_name,
        level=unit.level,
        kind=unit.kind,
        structure=unit.structure,
        parent_code=parent_code,
        lat=unit.lat,
        lon=unit.lon,
        former=FormerUnitOut(code=unit.former.code, name=unit.former.name) if unit.former else None,
    )


class UnitFilter(Schema):
    q: str | None = Field(None, max_length=100, description="Name, ignoring diacritics and case")
    level: Level | None = None
    structure: Structure = Structure.CURRENT
    parent: str | None = Field(None, max_length=10, description="Code of the parent unit")
    limit: int = Field(50, ge=1, le=500)


@router.get("/units", response=list[UnitOut], auth=None, summary="List or search units")
@access("public")
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> list[UnitOut]:
    if filters.q:
        units = selectors.unit_search(
            filters.q, structure=filters.structure, level=filters.level, limit=filters.limit
        )
    elif filters.parent:
        parent = selectors.unit_get(filters.parent, structure=filters.structure)
        units = list(selectors.unit_children(parent)[: filters.limit])
    elif filters.level:
        units = list(
            Unit.objects.filter(structure=filters.structure, level=filters.level).order_by(
                "sort_key"
            )[: filters.limit]
        )
    else:
        units = list(selectors.provinces(structure=filters.structure)[: filters.limit])
    return [unit_out(u) for u in units]


@router.get(
    "/units/{code}", response=UnitDetailOut, auth=None, summary="One unit with its neighbours"
)
@access("public")
def get_unit(
    request: HttpRequest, code: str, structure: Structure = Structure.CURRENT
) -> UnitDetailOut:
    if len(code) > 10 or not code.isdigit():
        raise HttpError(400, _("An administrative unit code has digits only (at most 10)."))
    unit = selectors.unit_get(code, structure=structure)
    return UnitDetailOut(
        **unit_out(unit).model_dump(),
        ancestors=[unit_out(u) for u in selectors.unit_ancestors(unit)],
        children_count=selectors.unit_children(unit).count(),
        current=[unit_out(u) for u in selectors.legacy_to_current(unit)],
        legacy=[unit_out(u) for u in selectors.current_to_legacy(unit)],
    )
