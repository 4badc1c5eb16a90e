"""Reads over administrative units: lookup, tree walks, search and legacy mapping."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.core.text import fold
from thuocdo.geo.models import Level, Structure, Unit, UnitMapping


class UnknownUnit(Http404):
    """An administrative-unit code that does not exist in the requested structure."""


def unit_get(code: str, *, structure: str = Structure.CURRENT) -> Unit:
    unit = (
        Unit.objects.filter(structure=structure, code=code.strip()).select_related("parent").first()
    )
    if unit is None:
        raise UnknownUnit(
            _("Unknown administrative unit code %(code)s (structure %(structure)s).")
            % {"code": code, "structure": structure}
        )
    return unit


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("sort_key")


def unit_ancestors(unit: Unit) -> list[Unit]:
    """From the province down to the unit's parent."""
    codes = unit.path.strip("/").split("/")[1:-1]
    by_code = {u.code: u for u in Unit.objects.filter(structure=unit.structure, code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def unit_subtree(unit: Unit, *, level: str | None = None) -> QuerySet[Unit]:
    """The unit and every unit below it."""
    qs = Unit.objects.filter(path__startswith=unit.path)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("sort_key")


def provinces(*, structure: str = Structure.CURRENT) -> QuerySet[Unit]:
    return Unit.objects.filter(structure=structure, level=Level.PROVINCE).order_by("sort_key")


def unit_search(
    query: str,
    *,
    structure: str | None = Structure.CURRENT,
    level: str | None = None,
    limit: int = 20,
) -> list[Unit]:
    """Units whose name contains the query, ignoring diacritics and case.

    Exact name matches come first, then provinces before communes, then Vietnamese order.
    """
    key = fold(query.replace("\x00", ""))  # NUL cannot be stored or compared on PostgreSQL
    if not key:
        return []
    qs = Unit.objects.filter(name_folded__contains=key)
    if structure:
        qs = qs.filter(structure=structure)
    if level:
        qs = qs.filter(level=level)
    level_rank: dict[str, int] = {"province": 0, "district": 1, "commune": 2}
    found = list(qs.select_related("parent")[: max(limit * 10, 200)])

    def rank(u: Unit) -> tuple[int, int, int, str]:
        short = fold(u.short_name)
        exact = 0 if short == key or u.name_folded == key else 1
        starts = 0 if short.startswith(key) else 1
        return (exact, level_rank.get(u.level, 3), starts, u.sort_key)

    found.sort(key=rank)
    return found[:limit]


def legacy_to_current(unit: Unit) -> list[Unit]:
    """Current units that took over a legacy unit (primary first)."""
    rows = (
        UnitMapping.objects.filter(legacy=unit)
        .select_related("current")
        .order_by("-primary", "current__sort_key")
    )
    return [m.current for m in rows]


def current_to_legacy(unit: Unit) -> list[Unit]:
    rows = (
        UnitMapping.objects.filter(current=unit)
        .select_related("legacy")
        .order_by("legacy__sort_key")
    )
    return [m.legacy for m in rows]


def unit_counts() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in Unit.objects.values("structure", "level").annotate(n=Count("id")).order_by():
        counts.setdefault(row["structure"], {})[row["level"]] = row["n"]
    return counts
