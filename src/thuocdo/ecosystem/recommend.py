"""Recommendations for a response: the catalogue index per criteria-set version (cached until
the approved catalogue changes or the day changes, since promotions are dated), the next-level
plan and the JSON shape shared by the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.ecosystem.builtins import platform_of
from thuocdo.ecosystem.domain import matching
from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.ecosystem.models import (
    POLICY_TRIAL_MONTHS,
    Promotion,
    PromotionStatus,
    Provider,
    Solution,
    SolutionStatus,
)
from thuocdo.frameworks.engine import Framework

_CACHE: dict[tuple[str, str], tuple[tuple[Any, ...], matching.Catalogue]] = {}


@dataclass(frozen=True)
class PromotionInfo:
    id: int
    title: str
    free_trial_months: int
    discount_percent: float
    valid_to: date | None
    meets_policy: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "free_trial_months": self.free_trial_months,
            "discount_percent": self.discount_percent,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "meets_policy": self.meets_policy,
        }


@dataclass(frozen=True)
class SolutionInfo:
    id: int
    code: str
    name_vi: str
    name_en: str
    provider: str
    category: str
    promotion: PromotionInfo | None
    national: bool = False  # a national platform: used directly, not through a provider


def catalogue_stamp() -> tuple[Any, ...]:
    """Changes whenever a listing or its promotions change (every write bumps the listing's
    ``updated_at``), when a provider changes, and every day (promotions are dated)."""
    last = Solution.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    # entries carry the provider's name: a renamed provider changes the catalogue too
    named = Provider.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return (last, named, timezone.localdate())


def best_promotions(day: date) -> dict[int, PromotionInfo]:
    """The most generous active approved promotion of each approved solution."""
    out: dict[int, PromotionInfo] = {}
    qs = Promotion.objects.filter(
        solution__status=SolutionStatus.APPROVED,
        status=PromotionStatus.APPROVED,
        valid_from__lte=day,
    ).exclude(valid_to__lt=day)
    for p in qs.order_by("solution_id", "-free_trial_months", "-discount_percent", "id"):
        if p.solution_id in out:
            continue
        out[p.solution_id] = PromotionInfo(
            id=p.pk,
            title=p.title,
            free_trial_months=p.free_trial_months,
            discount_percent=float(p.discount_percent),
            valid_to=p.valid_to,
            meets_policy=p.free_trial_months >= POLICY_TRIAL_MONTHS,
        )
    return out


def catalogue_for(fw: Framework) -> matching.Catalogue:
    """The approved catalogue indexed for ``fw`` (cached per version and catalogue state)."""
    stamp = catalogue_stamp()
    key = (fw.code, fw.version)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    promos = best_promotions(stamp[-1])
    entries: list[matching.Entry] = []
    rows = (
        Solution.objects.filter(status=SolutionStatus.APPROVED)
        .order_by("sort_key", "id")
        .values_list(
            "pk",
            "code",
            "name_vi",
            "name_en",
            "provider__name",
            "category",
            "builtin",
            "solution_tags",
            "criteria",
            "sectors",
            "entity_types",
        )
    )
    prefix = f"{fw.code}:"
    for (
        pk,
        code,
        name_vi,
        name_en,
        provider,
        category,
        builtin,
        tags,
        crits,
        sectors,
        types,
    ) in rows:
        promo = promos.get(pk)
        entries.append(
            matching.Entry(
                id=pk,
                name=name_vi,
                tags=frozenset(tags),
                criteria=frozenset(c for c in crits if c.startswith(prefix)),
                sectors=frozenset(sectors),
                entity_types=frozenset(types),
                promotion=0 if promo is None else (2 if promo.meets_policy else 1),
                extra=SolutionInfo(
                    id=pk,
                    code=code,
                    name_vi=name_vi,
                    name_en=name_en,
                    provider=provider,
                    category=category,
                    promotion=promo,
                    national=platform_of(code, builtin) is not None,
                ),
            )
        )
    catalogue = matching.Catalogue(fw, entries)
    _CACHE[key] = (stamp, catalogue)
    return catalogue


def recommend(
    fw: Framework,
    criterion_scores: dict[str, float | None],
    unmet: list[str],
    *,
    sector: str = "",
    entity_type: str = "",
    limit: int = 10,
) -> list[matching.Match]:
    gap = matching.gaps(fw, criterion_scores, unmet)
    return catalogue_for(fw).recommend(gap, sector=sector, entity_type=entity_type, limit=limit)


def match_dict(m: matching.Match, lang: str = "vi") -> dict[str, Any]:
    info: SolutionInfo = m.entry.extra
    return {
        "id": info.id,
        "name": info.name_en if lang == "en" and info.name_en else info.name_vi,
        "covers": list(m.covers),
        "promotion": info.promotion.as_dict() if info.promotion else None,
    }


def plan_dict(plan: nl.Plan | nl.NoPlan | None) -> dict[str, Any] | None:
    if not isinstance(plan, nl.Plan):
        return None
    return {
        "level": plan.level,
        "changes": [
            {"criterion": c.criterion, "from": c.before, "to": c.after} for c in plan.changes
        ],
        "exact": plan.exact,  # False: the plan works but is not proven to be the smallest
    }


def reason_text(plan: nl.NoPlan) -> str:
    if plan.reason == nl.TOP_LEVEL:
        return _("The response is already at the highest level.")
    if plan.reason == nl.UNREACHABLE:
        if plan.detail and plan.detail not in ("level",):
            return _(
                "The next level cannot be reached: criterion %(code)s, required for it, "
                "cannot be met with any answer."
            ) % {"code": plan.detail}
        return _("The next level cannot be reached with any answers to this criteria set.")
    return _("No plan to the next level was found within the search limit.")


def result_dict(
    fw: Framework,
    answers: dict[str, Any],
    *,
    sector: str = "",
    entity_type: str = "",
    limit: int = 10,
    lang: str = "vi",
) -> dict[str, Any]:
    """``{"level", "next_level", ["reason"], "solutions"}`` for one set of answers."""
    from thuocdo.frameworks.engine import score

    result = score(fw, answers)
    plan = nl.plan_next_level(fw, answers)
    out: dict[str, Any] = {"level": result.level, "next_level": plan_dict(plan.next)}
    if isinstance(plan.next, nl.NoPlan):
        out["reason"] = reason_text(plan.next)
    matches = recommend(
        fw, result.criteria, result.unmet, sector=sector, entity_type=entity_type, limit=limit
    )
    out["solutions"] = [match_dict(m, lang) for m in matches]
    return out


@dataclass(frozen=True)
class ResponseAdvice:
    """Everything the result-page fragment shows for one response."""

    response_id: int
    level: int
    next_level: int | None
    plan: nl.Plan | nl.NoPlan
    plan_text: list[str]
    after_plan_text: list[str]
    reason: str
    matches: list[matching.Match]
    data: dict[str, Any]


def advice_for_response(response: Any, *, lang: str = "vi", limit: int = 10) -> ResponseAdvice:
    """Next-level plan and recommended solutions of a stored response."""
    from thuocdo.ecosystem.plan_text import plan_lines

    fw = response.framework.engine()
    answers = response.answers or {}
    planned = nl.plan_next_level(fw, answers)
    criteria = response.criterion_scores or {}
    matches = recommend(
        fw,
        criteria,
        list(response.unmet or []),
        sector=response.sector,
        entity_type=response.entity_type,
        limit=limit,
    )
    data: dict[str, Any] = {"level": planned.level, "next_level": plan_dict(planned.next)}
    reason = ""
    if isinstance(planned.next, nl.NoPlan):
        reason = reason_text(planned.next)
        data["reason"] = reason
    data["solutions"] = [match_dict(m, lang) for m in matches]
    return ResponseAdvice(
        response_id=response.pk,
        level=planned.level,
        next_level=planned.next.level if isinstance(planned.next, nl.Plan) else None,
        plan=planned.next,
        plan_text=plan_lines(fw, planned.next, lang),
        after_plan_text=plan_lines(fw, planned.after, lang),
        reason=reason,
        matches=matches,
        data=data,
    )
