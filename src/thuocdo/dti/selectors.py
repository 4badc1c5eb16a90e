"""Reads: structures, a subject's self-computed scorecard with year on year, rankings on the
current and legacy structures, the published history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.dti.domain import scorecard as sc
from thuocdo.dti.models import DtiPublished, DtiStructure, DtiValue, SubjectKind
from thuocdo.dti.services import structure_of, subject_check
from thuocdo.geo.models import Structure as GeoStructure
from thuocdo.geo.models import Unit, UnitMapping


def structures_list() -> list[dict[str, Any]]:
    out = []
    for row in DtiStructure.objects.all():
        s = sc.load_structure(row.body)
        out.append(
            {
                "label": row.label,
                "kind": s.kind,
                "decision": s.decision,
                "name": s.name,
                "total": str(s.total),
                "main_indices": s.main_indices,
                "components": s.components_declared,
                "components_published": s.components_published,
                "entry_components": len(s.components()),
                "origin": row.origin,
                "source": s.source,
            }
        )
    return out


def structure_detail(label: str) -> dict[str, Any]:
    _row, s = structure_of(label)
    return {
        "label": s.label,
        "kind": s.kind,
        "total": str(s.total),
        "pillars": list(s.pillars),
        "indices": [
            {
                "code": i.code,
                "name": i.name,
                "pillar": i.pillar,
                "group": i.group,
                "max": str(i.max),
                "observed": i.observed,
                "components": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "max": str(c.max),
                        "method": c.method,
                        "source": c.source,
                        "whole_index": c.whole_index,
                    }
                    for c in i.components
                ],
            }
            for i in s.indices
        ],
    }


def _values(
    row: DtiStructure, kind: str, geo: str, year: int, code: str | None = None
) -> dict[str, dict[str, Decimal]]:
    qs = DtiValue.objects.filter(structure=row, subject_kind=kind, geo_structure=geo, year=year)
    if code is not None:
        qs = qs.filter(subject_code=code)
    out: dict[str, dict[str, Decimal]] = {}
    for subject, comp, points in qs.values_list("subject_code", "component", "points"):
        out.setdefault(subject, {})[comp] = Decimal(points)
    return out


def _names(kind: str, geo: str, codes: set[str]) -> dict[str, str]:
    if kind == SubjectKind.PROVINCE:
        return dict(
            Unit.objects.filter(structure=geo, code__in=codes, level="province").values_list(
                "code", "name"
            )
        )
    return dict(
        DtiValue.objects.filter(subject_kind=kind, subject_code__in=codes).values_list(
            "subject_code", "subject_name"
        )
    )


def ranking(*, structure: str, year: int, geo_structure: str = "") -> list[dict[str, Any]]:
    """Every subject with values, ranked by its self-computed index. On the current structure a
    province without its own values is given the mean of the legacy provinces merged into it
    (``derived``), so a year collected on the legacy structure ranks on both."""
    row, s = structure_of(structure)
    kind = s.kind
    geo = geo_structure if kind == SubjectKind.PROVINCE else ""
    if kind == SubjectKind.PROVINCE and not geo:
        geo = GeoStructure.CURRENT
    values = {
        code: sc.compute(s, vals).value for code, vals in _values(row, kind, geo, year).items()
    }
    derived: set[str] = set()
    if kind == SubjectKind.PROVINCE and geo == GeoStructure.CURRENT:
        legacy = {
            code: sc.compute(s, vals).value
            for code, vals in _values(row, kind, GeoStructure.LEGACY, year).items()
        }
        if legacy:
            pairs = UnitMapping.objects.filter(
                legacy__level="province", current__level="province"
            ).values_list("legacy__code", "current__code")
            for code, value in sc.legacy_to_current(legacy, pairs).items():
                if code not in values:
                    values[code] = value
                    derived.add(code)
    ranks = sc.rank(values)
    names = _names(kind, geo, set(values))
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "value": str(values[code]),
            "rank": ranks[code],
            "derived": code in derived,
        }
        for code in values
    ]
    rows.sort(key=lambda r: (r["rank"], r["code"]))
    return rows


def require_reader(scope: Scope) -> None:
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers read self-computed DTI scorecards."))


def _readable(scope: Scope, kind: str, code: str, geo: str, name: str = "x") -> tuple[str, str]:
    require_reader(scope)
    return subject_check(scope=scope, kind=kind, code=code, geo_structure=geo, name=name)


def scorecard(
    *, scope: Scope, structure: str, kind: str, code: str, year: int, geo_structure: str = ""
) -> dict[str, Any]:
    """A subject's self-computed DTI: breakdown, the previous year (any version of the same
    index), what moved it (when both years use the same version) and its rank."""
    geo, name = _readable(scope, kind, code, geo_structure)
    row, s = structure_of(structure)
    vals = _values(row, kind, geo, year, code).get(code, {})
    card = sc.compute(s, vals)
    previous: dict[str, Any] | None = None
    moved: list[dict[str, Any]] = []
    prev_row = None
    for candidate in DtiStructure.objects.filter(code=row.code).order_by("-version"):
        if DtiValue.objects.filter(
            structure=candidate,
            subject_kind=kind,
            geo_structure=geo,
            subject_code=code,
            year=year - 1,
        ).exists():
            prev_row = candidate
            break
    if prev_row is not None:
        prev_s = sc.load_structure(prev_row.body)
        prev_card = sc.compute(prev_s, _values(prev_row, kind, geo, year - 1, code)[code])
        previous = {
            "year": year - 1,
            "structure": prev_row.label,
            "value": str(prev_card.value),
            "change": str(card.value - prev_card.value),
        }
        if prev_row.pk == row.pk:
            moved = [
                {"index": m["index"], "name": m["name"], "delta": str(m["delta"])}
                for m in sc.movers(prev_card, card)
            ]
    ranks = {
        r["code"]: r["rank"] for r in ranking(structure=structure, year=year, geo_structure=geo)
    }
    published = [
        {"year": p.year, "rank": p.rank, "value": None if p.value is None else str(p.value)}
        for p in DtiPublished.objects.filter(
            subject_kind=kind, geo_structure=geo, subject_code=code
        ).order_by("year")
    ]
    return {
        "subject": {"kind": kind, "code": code, "name": name, "structure": geo},
        "year": year,
        **card.as_json(),
        "previous": previous,
        "moved": moved,
        "rank": ranks.get(code),
        "ranked": len(ranks),
        "published": published,
    }


def history() -> list[dict[str, Any]]:
    return [
        {
            "year": p.year,
            "kind": p.subject_kind,
            "structure": p.geo_structure,
            "code": p.subject_code,
            "name": p.subject_name,
            "rank": p.rank,
            "value": None if p.value is None else str(p.value),
            "source": p.source,
        }
        for p in DtiPublished.objects.order_by("year", "subject_kind", "geo_structure", "rank")
    ]
