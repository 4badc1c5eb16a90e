"""Match a response's unmet criteria to catalogue solutions (no Django here).

Each unmet criterion c carries the weighted gap gᶜ = wᶜ·Wᵖ·(target − sᶜ) of DESIGN §4's unmet
order. A solution covers c when one of its tags is among c's ``solution_tags`` or it names
``framework_code:c`` itself. Its rank is

    Σ_{c covered} gᶜ × sector fit × entity-type fit × promotion factor

with fit 1 when the solution serves the respondent's sector (or every sector, or ``general``)
and entity type (or every type), ``SECTOR_MISS``/``ENTITY_MISS`` otherwise, and a promotion
factor of ``PROMO`` for an active promotion (``PROMO_POLICY`` when it is a free trial of six
months or more). Ties go to the lower catalogue position (catalogue order is by name).

:class:`Catalogue` keeps an inverted index criterion → solution positions (NumPy arrays), so
one response costs a few vector additions however large the catalogue is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from thuocdo.frameworks.engine import Framework

SECTOR_MISS = 0.6
ENTITY_MISS = 0.5
PROMO = 1.1
PROMO_POLICY = 1.2


@dataclass(frozen=True)
class Entry:
    """What matching needs of one approved solution."""

    id: int
    name: str
    tags: frozenset[str]
    criteria: frozenset[str]  # "framework_code:criterion"
    sectors: frozenset[str] = frozenset()
    entity_types: frozenset[str] = frozenset()
    promotion: int = 0  # 0 none, 1 active promotion, 2 active trial of ≥ 6 months
    extra: Any = None


@dataclass(frozen=True)
class Match:
    entry: Entry
    rank: float
    covers: tuple[str, ...]  # criterion codes, largest gap first
    gap: float


def gaps(
    fw: Framework, criterion_scores: Mapping[str, float | None], unmet: Sequence[str]
) -> dict[str, float]:
    """Weighted gap wᶜ·Wᵖ·(target − sᶜ) of each unmet criterion (in the given order)."""
    ww = {c.code: (c.weight * p.weight, c.target) for p in fw.pillars for c in p.criteria}
    out: dict[str, float] = {}
    for code in unmet:
        if code not in ww:
            continue
        s = criterion_scores.get(code)
        weight, target = ww[code]
        out[code] = weight * (target - (s if s is not None else 0.0))
    return out


@dataclass
class Catalogue:
    """Approved solutions indexed for one criteria set."""

    fw: Framework
    entries: list[Entry]
    index: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    promo: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _sector_fit: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    _entity_fit: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_tag: dict[str, list[int]] = {}
        by_criterion: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for t in e.tags:
                by_tag.setdefault(t, []).append(i)
            for c in e.criteria:
                by_criterion.setdefault(c, []).append(i)
        for crit in self.fw.criteria():
            hits: set[int] = set(by_criterion.get(f"{self.fw.code}:{crit.code}", ()))
            for tag in crit.solution_tags:
                hits.update(by_tag.get(tag, ()))
            if hits:
                self.index[crit.code] = np.array(sorted(hits), dtype=np.int64)
        factors = {0: 1.0, 1: PROMO, 2: PROMO_POLICY}
        self.promo = np.array([factors[e.promotion] for e in self.entries], dtype=np.float64)

    def count_for(self, code: str) -> int:
        """How many solutions cover criterion ``code``."""
        hits = self.index.get(code)
        return 0 if hits is None else int(hits.size)

    def _fit(
        self, cache: dict[str, npt.NDArray[np.float64]], key: str, attr: str, miss: float
    ) -> npt.NDArray[np.float64]:
        vec = cache.get(key)
        if vec is None:
            vec = np.array(
                [
                    1.0
                    if not getattr(e, attr)
                    or key in getattr(e, attr)
                    or "general" in getattr(e, attr)
                    else miss
                    for e in self.entries
                ]
            )
            cache[key] = vec
        return vec

    def recommend(
        self, gap: Mapping[str, float], *, sector: str = "", entity_type: str = "", limit: int = 10
    ) -> list[Match]:
        """The best ``limit`` solutions for these weighted gaps."""
        n = len(self.entries)
        if n == 0 or not gap:
            return []
        total = np.zeros(n)
        for code, g in gap.items():
            hits = self.index.get(code)
            if hits is not None and g > 0:
                total[hits] += g
        covered = np.flatnonzero(total > 0)
        if covered.size == 0:
            return []
        rank = total[covered] * self.promo[covered]
        if sector:
            rank *= self._fit(self._sector_fit, sector, "sectors", SECTOR_MISS)[covered]
        if entity_type:
            rank *= self._fit(self._entity_fit, entity_type, "entity_types", ENTITY_MISS)[covered]
        if covered.size > limit:
            # the ``limit`` best; among equal ranks at the cut the lower catalogue positions
            kth = -np.partition(-rank, limit - 1)[limit - 1]
            above = np.flatnonzero(rank > kth)
            equal = np.flatnonzero(rank == kth)[: limit - above.size]
            top = np.concatenate([above, equal])
            keep = covered[top]
            rank = rank[top]
        else:
            keep = covered
        order = np.lexsort((keep, -rank))
        return [
            self._match(int(keep[k]), float(rank[k]), gap, float(total[keep[k]])) for k in order
        ]

    def _match(self, i: int, rank: float, gap: Mapping[str, float], total: float) -> Match:
        e = self.entries[i]
        covers = []
        for code in gap:
            hits = self.index.get(code)
            if hits is not None:
                j = int(np.searchsorted(hits, i))
                if j < hits.size and hits[j] == i:
                    covers.append(code)
        covers.sort(key=lambda c: -gap[c])
        return Match(e, rank, tuple(covers), total)


def recommend_naive(
    fw: Framework,
    entries: Sequence[Entry],
    gap: Mapping[str, float],
    *,
    sector: str = "",
    entity_type: str = "",
    limit: int = 10,
) -> list[tuple[int, float, tuple[str, ...]]]:
    """Scan every solution (the benchmark's baseline; same ranking as :class:`Catalogue`)."""
    tags = {c.code: set(c.solution_tags) for c in fw.criteria()}
    factors = {0: 1.0, 1: PROMO, 2: PROMO_POLICY}
    out = []
    for i, e in enumerate(entries):
        covers = [
            code
            for code in gap
            if gap[code] > 0
            and (e.tags & tags.get(code, set()) or f"{fw.code}:{code}" in e.criteria)
        ]
        if not covers:
            continue
        rank = sum(gap[c] for c in covers) * factors[e.promotion]
        if sector and e.sectors and sector not in e.sectors and "general" not in e.sectors:
            rank *= SECTOR_MISS
        if entity_type and e.entity_types and entity_type not in e.entity_types:
            rank *= ENTITY_MISS
        out.append((i, rank, tuple(sorted(covers, key=lambda c: -gap[c]))))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out[:limit]
