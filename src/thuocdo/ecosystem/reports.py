"""Officers' reports: the measured effect of adopted solutions and the gap map (reads, scoped)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.assessments.models import Response, ResponseStatus
from thuocdo.ecosystem.domain.stats import PairedChange, paired_change
from thuocdo.ecosystem.effects import province_path
from thuocdo.ecosystem.models import AdoptionEffect
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit


@dataclass(frozen=True)
class EffectRow:
    key: str
    label: str
    change: PairedChange

    def as_dict(self) -> dict[str, Any]:
        c = self.change
        return {
            "key": self.key,
            "label": self.label,
            "n": c.n,
            "mean_before": c.mean_before,
            "mean_after": c.mean_after,
            "mean_change": c.mean_change,
            "ci95_low": c.low,
            "ci95_high": c.high,
        }


def _province_names(paths: set[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))


def effect_report(*, scope: Scope, by: str = "category") -> list[EffectRow]:
    """Paired before/after change of the overall score per solution category or province."""
    require_officer(scope)
    if by not in ("category", "province"):
        raise Http404(_("Unknown grouping %(by)s.") % {"by": by})
    qs = AdoptionEffect.objects.all()
    if scope.unit_path is not None:
        qs = qs.filter(unit_path__startswith=scope.unit_path)
    if scope.sectors is not None:  # a ministry sees its sectors, as in the gap map
        qs = qs.filter(connection__sector__in=[*scope.sectors, "general", ""])
    field = "category" if by == "category" else "province_path"
    groups: dict[str, tuple[list[float], list[float]]] = {}
    for key, before, after in qs.values_list(field, "before_overall", "after_overall").order_by(
        field, "id"
    ):
        b, a = groups.setdefault(key, ([], []))
        b.append(before)
        a.append(after)
    labels = _province_names(set(groups)) if by == "province" else {}
    if by == "category":
        from thuocdo.ecosystem.builtins import platforms

        names = platforms().get("categories", {})
        lang = "en" if (get_language() or "vi").startswith("en") else "vi"
        labels = {k: names.get(k, {}).get(lang) or names.get(k, {}).get("vi", k) for k in groups}
    return [
        EffectRow(key, labels.get(key, key), paired_change(b, a)) for key, (b, a) in groups.items()
    ]


@dataclass(frozen=True)
class GapCell:
    province: str
    province_name: str
    sector: str
    framework: str
    criterion: str
    criterion_name: str
    responses: int  # responses in the cell
    unmet: int  # of which leave this criterion unmet
    solutions: int  # approved solutions covering it

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def gap_map(*, scope: Scope, top: int = 5) -> list[GapCell]:
    """Per province × sector: the most common unmet criteria and how many solutions cover them."""
    from thuocdo.ecosystem.recommend import catalogue_for

    require_officer(scope)
    qs = Response.objects.filter(status__in=(ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED))
    if scope.unit_path is not None:
        qs = qs.filter(unit_path__startswith=scope.unit_path)
    if scope.sectors is not None:
        qs = qs.filter(sector__in=[*scope.sectors, "general", ""])
    cells: dict[tuple[str, str, int], tuple[int, Counter[str]]] = {}
    for unit_path, sector, fv_id, unmet in qs.values_list(
        "unit_path", "sector", "framework_id", "unmet"
    ).iterator(chunk_size=5000):
        key = (province_path(unit_path), sector or "", fv_id)
        n, counter = cells.get(key, (0, Counter()))
        counter.update(unmet or [])
        cells[key] = (n + 1, counter)
    versions = {v.pk: v for v in FrameworkVersion.objects.filter(pk__in={k[2] for k in cells})}
    names = _province_names({k[0] for k in cells})
    out: list[GapCell] = []
    for (prov, sector, fv_id), (n, counter) in sorted(cells.items()):
        fv = versions[fv_id]
        fw = fv.engine()
        catalogue = catalogue_for(fw)
        for code, count in counter.most_common(top):
            try:
                cname = fw.criterion(code).name.vi
            except KeyError:
                cname = code
            out.append(
                GapCell(
                    province=prov,
                    province_name=names.get(prov, prov),
                    sector=sector,
                    framework=fv.label,
                    criterion=code,
                    criterion_name=cname,
                    responses=n,
                    unmet=count,
                    solutions=catalogue.count_for(code),
                )
            )
    return out
