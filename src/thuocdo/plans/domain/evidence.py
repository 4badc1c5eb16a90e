"""Completion on evidence: what a survey campaign must show before a survey-stage task is done.

Pure Python (no Django). A task of the organisation self-assessment programme (``guide``,
``pilot``, ``scale_up``, ``publish``) is completed by a campaign only when that campaign has at
least ``min_responses`` verified responses of the task's own entity types and, for the
scaled-up survey, verified responses from at least ``min_communes`` communes. The defaults are
:data:`EVIDENCE_RULES`; a framework task may state its own (``evidence: {min_responses: …,
min_communes: …}``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "EVIDENCE_RULES",
    "EvidenceRule",
    "Shortfall",
    "SurveyEvidence",
    "campaign_stages",
    "evidence_rule",
    "shortfall",
]


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """The condition a campaign must meet: verified responses and communes covered."""

    min_responses: int
    min_communes: int = 0


#: Default condition per survey stage (a task may state its own).
EVIDENCE_RULES: Final[dict[str, EvidenceRule]] = {
    "guide": EvidenceRule(min_responses=1),
    "pilot": EvidenceRule(min_responses=3),
    "scale_up": EvidenceRule(min_responses=10, min_communes=3),
    "publish": EvidenceRule(min_responses=10),
}


def evidence_rule(
    stage: str, *, min_responses: int | None = None, min_communes: int | None = None
) -> EvidenceRule:
    """The rule of ``stage`` with the task's own figures where it states them."""
    base = EVIDENCE_RULES[stage]
    return EvidenceRule(
        min_responses=base.min_responses if min_responses is None else int(min_responses),
        min_communes=base.min_communes if min_communes is None else int(min_communes),
    )


@dataclass(frozen=True, slots=True)
class SurveyEvidence:
    """The verified responses of one campaign, each as (entity type, commune code)."""

    label: str = ""
    entity_types: tuple[str, ...] = ()
    responses: tuple[tuple[str, str], ...] = ()

    def serves(self, entity_types: Iterable[str]) -> bool:
        """Whether the campaign surveys one of ``entity_types`` (empty: any)."""
        wanted = set(entity_types)
        return not wanted or not self.entity_types or bool(wanted & set(self.entity_types))

    def counts(self, entity_types: Iterable[str]) -> tuple[int, int]:
        """(verified responses, distinct communes) of ``entity_types`` (empty: every type)."""
        wanted = set(entity_types)
        rows = [(t, c) for t, c in self.responses if not wanted or t in wanted]
        return len(rows), len({c for _, c in rows})


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What a campaign lacks against a rule (``have`` < ``need`` for each listed item)."""

    responses: tuple[int, int] | None = None  # (have, need)
    communes: tuple[int, int] | None = None

    def __bool__(self) -> bool:
        return self.responses is not None or self.communes is not None


def shortfall(rule: EvidenceRule, *, responses: int, communes: int) -> Shortfall:
    """What is missing for ``rule`` given the counted ``responses`` and ``communes``."""
    return Shortfall(
        responses=(responses, rule.min_responses) if responses < rule.min_responses else None,
        communes=(communes, rule.min_communes) if communes < rule.min_communes else None,
    )


def campaign_stages(*, status: str, pilot: bool, province_wide: bool) -> tuple[str, ...]:
    """Every survey stage a campaign in ``status`` has reached, checked at each transition.

    Opening guides organisations to self-assess (``guide``); closing a province-wide campaign
    that is not a pilot means the survey was carried out across the province (``scale_up``);
    publishing completes ``pilot`` for a pilot campaign and ``publish`` for any other. Since
    responses arrive after opening, the earlier stages are checked again at each later step.
    """
    if status == "open":
        return ("guide",)
    scaled = ("scale_up",) if province_wide and not pilot else ()
    if status == "closed":
        return ("guide", *scaled)
    if status == "published":
        return ("guide", *scaled, "pilot" if pilot else "publish")
    return ()
