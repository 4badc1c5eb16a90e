"""Immutable model of a criteria set (bộ tiêu chí)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from .expr import Condition

QuestionType = Literal["single", "multi", "boolean", "number", "scale"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multi", "boolean", "number", "scale")
MAX_MULTI_OPTIONS = 64  # multi answers are stored as a uint64 bit mask
MAX_SINGLE_OPTIONS = 1000


@dataclass(frozen=True)
class LocalText:
    """Text in Vietnamese (required) and English (optional, falls back to Vietnamese)."""

    vi: str
    en: str = ""

    def get(self, lang: str = "vi") -> str:
        """Text in ``lang``; English falls back to Vietnamese when absent."""
        if lang == "en" and self.en:
            return self.en
        return self.vi


@dataclass(frozen=True)
class Option:
    """A choice of a single or multi question."""

    code: str
    text: LocalText
    score: float
    exclusive: bool = False


@dataclass(frozen=True)
class Threshold:
    """Number question: values ``>= min`` score ``score`` (highest matching threshold wins)."""

    min: float
    score: float


@dataclass(frozen=True)
class Question:
    """The question asked for a criterion and how its answer is scored."""

    type: QuestionType
    text: LocalText
    help: LocalText | None = None
    options: tuple[Option, ...] = ()
    yes_score: float = 100.0
    no_score: float = 0.0
    thresholds: tuple[Threshold, ...] = ()
    min: float | None = None  # scale: lower end; number: optional lower bound
    max: float | None = None  # scale: upper end; number: optional upper bound
    unit: str | None = None
    option_index: Mapping[str, int] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_index", {o.code: i for i, o in enumerate(self.options)})


@dataclass(frozen=True)
class Criterion:
    """One criterion (tiêu chí)."""

    code: str
    name: LocalText
    question: Question
    weight: float = 1.0
    required: bool = True
    relevant: Condition | None = None
    target: float = 100.0
    required_for_level: int | None = None
    solution_tags: tuple[str, ...] = ()
    description: LocalText | None = None
    unanswered_as_zero: bool = False  # relevant and unanswered: scores 0, stays in the sums


@dataclass(frozen=True)
class Pillar:
    """A pillar (trụ cột) grouping criteria."""

    code: str
    name: LocalText
    weight: float
    criteria: tuple[Criterion, ...]
    description: LocalText | None = None


@dataclass(frozen=True)
class Level:
    """A maturity level; ``min_pillars``/``pillar_min`` add a pillar-count rule."""

    code: int
    name: LocalText
    min: float
    min_pillars: int | None = None
    pillar_min: float | None = None
    description: LocalText | None = None
    strict: bool = False  # compare: ">" (overall must exceed min) instead of ">="
    pillar_strict: bool = False  # pillar_compare: ">" for the pillar rule and pillar levels

    @property
    def effective_pillar_min(self) -> float:
        """Pillar score needed by the ``min_pillars`` rule (default: the level's min)."""
        return self.min if self.pillar_min is None else self.pillar_min


def reaches(value: float, threshold: float, strict: bool, tolerance: float) -> bool:
    """``value > threshold`` (strict) or ``value >= threshold``, with a float-noise allowance:
    a strict threshold needs more than ``threshold + tolerance``, a non-strict one at least
    ``threshold - tolerance`` (so a score exactly at a strict boundary never reaches it)."""
    if strict:
        return value > threshold + tolerance
    return value >= threshold - tolerance


@dataclass(frozen=True)
class Framework:
    """A validated criteria set."""

    code: str
    version: str
    name: LocalText
    levels: tuple[Level, ...]
    pillars: tuple[Pillar, ...]
    sector: str = "general"
    entity_types: tuple[str, ...] = ()
    source: str = ""
    description: LocalText | None = None
    points: float | None = None  # the set's own total (e.g. 320): scores shown as x / points
    source_name: str = field(default="", compare=False, hash=False)
    cache: dict[str, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def criteria(self) -> tuple[Criterion, ...]:
        """All criteria in file order."""
        cached = self.cache.get("criteria")
        if cached is None:
            cached = tuple(c for p in self.pillars for c in p.criteria)
            self.cache["criteria"] = cached
        return cast(tuple[Criterion, ...], cached)

    def criterion(self, code: str) -> Criterion:
        """The criterion with ``code`` (KeyError if absent)."""
        index = self.cache.get("by_code")
        if index is None:
            index = {c.code: c for c in self.criteria()}
            self.cache["by_code"] = index
        return cast(dict[str, Criterion], index)[code]

    def pillar_of(self, code: str) -> Pillar:
        """The pillar that holds criterion ``code``."""
        for p in self.pillars:
            for c in p.criteria:
                if c.code == code:
                    return p
        raise KeyError(code)

    @property
    def key(self) -> str:
        """``code@version``."""
        return f"{self.code}@{self.version}"
