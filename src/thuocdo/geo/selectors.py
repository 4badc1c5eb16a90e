"""Reads over administrative units: lookup, tree walks, search and legacy mapping."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.core.text import fold
from thuocdo.geo.models import Level, Structure, Unit, UnitMapping
from thuocdo.geo.sources import FORMER_NAMES


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

    Exact name matches come first, then provinces before communes, then Vietnamese order. In the
    current structure a former (pre-2025) name finds what the unit became: "Thừa Thiên Huế" finds
    Thành phố Huế, "Quảng Bình" finds Tỉnh Quảng Trị, a former commune the commune(s) that took
    it over; such a unit has ``former`` set to the legacy unit and comes after a direct match of
    the same rank.
    """
    key = fold(query.replace("\x00", ""))  # NUL cannot be stored or compared on PostgreSQL
    if not key:
        return []
    direct = _name_matches(key, structure=structure, level=level, limit=limit)
    ranked = [(_rank(key, u, u), u) for u in direct]
    if structure == Structure.CURRENT:
        seen = {u.pk for u in direct}
        for unit in _former_name_matches(key, level=level, limit=limit):
            if unit.pk not in seen and unit.former is not None:
                seen.add(unit.pk)
                ranked.append((_rank(key, unit.former, unit, former=True), unit))
    ranked.sort(key=lambda pair: pair[0])
    return [u for _key, u in ranked[:limit]]


_LEVEL_RANK: dict[str, int] = {"province": 0, "district": 1, "commune": 2}


def _rank(
    key: str, named: Unit, unit: Unit, *, former: bool = False
) -> tuple[int, int, int, int, str]:
    """Exact names first, then higher levels, then direct before former names, then names that
    start with the query, then Vietnamese order."""
    short = fold(named.short_name)
    exact = 0 if short == key or named.name_folded == key else 1
    starts = 0 if short.startswith(key) else 1
    return (exact, _LEVEL_RANK.get(unit.level, 3), int(former), starts, unit.sort_key)


def _name_matches(key: str, *, structure: str | None, level: str | None, limit: int) -> list[Unit]:
    qs = Unit.objects.filter(name_folded__contains=key)
    if structure:
        qs = qs.filter(structure=structure)
    if level:
        qs = qs.filter(level=level)
    found = list(qs.select_related("parent")[: max(limit * 10, 200)])
    found.sort(key=lambda u: _rank(key, u, u))
    return found[:limit]


def _former_name_matches(key: str, *, level: str | None, limit: int) -> list[Unit]:
    """Current units that took over a legacy unit named like ``key``, each with ``former`` set.

    A successor that kept the legacy unit's name is left out (it is a direct match already),
    unless the match is on a name older than the dataset's (:data:`sources.FORMER_NAMES`)."""
    legacy: list[tuple[Unit, bool]] = [
        (u, False) for u in _name_matches(key, structure=Structure.LEGACY, level=level, limit=limit)
    ]
    renamed = {code: name for code, name, _when in FORMER_NAMES if key in fold(name)}
    if renamed:
        for old in Unit.objects.filter(structure=Structure.LEGACY, code__in=renamed):
            if level is None or old.level == level:
                name = renamed[old.code]
                alias = Unit(
                    pk=old.pk,
                    structure=old.structure,
                    code=old.code,
                    name=name,
                    short_name=name.removeprefix("Tỉnh ").removeprefix("Thành phố "),
                    level=old.level,
                    name_folded=fold(name),
                    sort_key=old.sort_key,
                )
                legacy.append((alias, True))
    if not legacy:
        return []
    mappings = (
        UnitMapping.objects.filter(legacy_id__in=[u.pk for u, _ in legacy])
        .select_related("current__parent")
        .order_by("-primary", "current__sort_key")
    )
    successors: dict[int, list[UnitMapping]] = {}
    for m in mappings:
        successors.setdefault(m.legacy_id, []).append(m)
    out: list[Unit] = []
    for old, is_alias in legacy:
        old_short = fold(old.short_name)
        for m in successors.get(old.pk, []):
            unit = m.current
            if not is_alias and fold(unit.short_name) == old_short:
                continue
            unit.former = old
            out.append(unit)
    return out


def legacy_to_current(unit: Unit) -> list[Unit]:
    """Current units that took over a legacy unit (primary first)."""
    rows = (
        UnitMapping.objects.filter(legacy=unit)
        .select_related("current")
        .order_by("-primary", "current__sort_key")
    )
    return [m.current for m in rows]


def legacy_province(unit_code: str) -> tuple[Unit, Unit] | None:
    """(legacy province, its successor) when ``unit_code`` names a province of the legacy
    structure that is not a current code (Kon Tum, 62 → Quảng Ngãi); None otherwise."""
    code = str(unit_code or "").strip()
    if not code or Unit.objects.filter(structure=Structure.CURRENT, code=code).exists():
        return None
    legacy = Unit.objects.filter(
        structure=Structure.LEGACY, code=code, level=Level.PROVINCE
    ).first()
    if legacy is None:
        return None
    mapping = (
        UnitMapping.objects.filter(legacy=legacy, current__level=Level.PROVINCE)
        .select_related("current")
        .order_by("-primary", "current__code")
        .first()
    )
    return None if mapping is None else (legacy, mapping.current)


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
