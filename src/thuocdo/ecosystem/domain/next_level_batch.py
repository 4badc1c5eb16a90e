"""Next-level plans for many responses at once (NumPy; no Django).

The batch planner is the vectorised counterpart of :func:`.next_level.plan_to_level`'s greedy
search. Per target level it works on the scores the :class:`BatchScorer` computed:

1. failing gates (``required_for_level`` ≤ target, applicable, unmet) are changed first;
2. then, one change per step and per row, the criterion whose best answer most reduces the
   shortfall (points below the level's ``min`` plus points below ``pillar_min`` of the best
   ``min_pillars`` pillars) — evaluated arithmetically for every row × criterion at once,
   since applicability is fixed while no criterion that a condition refers to changes;
3. every changed criterion gets its highest-scoring answer; the changed answers are re-scored
   by the batch scorer, then every change the plan reaches its level without is dropped (last
   criterion first, each drop re-scored), and every row the check does not confirm (for instance one that needs a
   criterion a condition refers to, or an incomplete response) is planned again by the scalar
   planner. So every plan returned is one the scoring engine confirms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from thuocdo.frameworks.engine import BatchScorer, EncodedAnswers, Framework

from . import next_level as nl
from .candidates import candidates, triggers

PLAN, TOP, NONE = 0, 1, 2


@dataclass
class BatchPlans:
    """Plans of ``n`` rows for one target level each (``target`` −1: already at the top)."""

    fw: Framework
    codes: tuple[str, ...]
    best_values: tuple[Any, ...]
    target: npt.NDArray[np.int16]
    status: npt.NDArray[np.int8]
    n_changes: npt.NDArray[np.int16]
    changed: npt.NDArray[np.bool_]
    fallback: dict[int, nl.Plan | nl.NoPlan] = field(default_factory=dict)

    def plan(self, i: int, answers: dict[str, Any]) -> nl.Plan | nl.NoPlan:
        """Row ``i``'s plan (``answers``: the row's answers, for the "from" side)."""
        if i in self.fallback:
            return self.fallback[i]
        if self.status[i] == TOP:
            return nl.NoPlan(int(self.target[i]), nl.TOP_LEVEL)
        if self.status[i] == NONE:
            return nl.NoPlan(int(self.target[i]), nl.NOT_FOUND)
        changes = []
        for k in np.flatnonzero(self.changed[i]):
            c = self.fw.criterion(self.codes[k])
            value = self.best_values[k]
            changes.append(
                nl.Change(
                    criterion=c.code,
                    before=answers.get(c.code),
                    after=value,
                    score_before=nl.score_of(c, answers.get(c.code)),
                    score_after=nl.score_of(c, value) or 0.0,
                )
            )
        from thuocdo.frameworks.engine import score

        r = score(self.fw, {**answers, **{ch.criterion: ch.after for ch in changes}})
        base = score(self.fw, answers)
        return nl.Plan(
            level=int(self.target[i]),
            reached=r.level,
            changes=tuple(changes),
            overall_before=base.overall,
            overall_after=r.overall,
            cost=0.0,
            exact=False,
        )


class BatchPlanner:
    """Build once per criteria set; :meth:`plan` many encoded responses."""

    def __init__(self, fw: Framework, scorer: BatchScorer | None = None) -> None:
        self.fw = fw
        self.bs = scorer or BatchScorer(fw)
        trig = triggers(fw)
        crits = fw.criteria()
        self.codes = tuple(c.code for c in crits)
        pillar_index = {c.code: k for k, p in enumerate(fw.pillars) for c in p.criteria}
        self.pillar = np.array([pillar_index[c.code] for c in crits])
        self.weight = np.array([c.weight for c in crits])
        self.pweight = np.array([p.weight for p in fw.pillars])
        self.target = np.array([c.target for c in crits])
        self.gate = np.array(
            [c.required_for_level if c.required_for_level is not None else 10**6 for c in crits]
        )
        self.movable = np.array([c.code not in trig for c in crits])
        best = [max(candidates(c, None, None), key=lambda x: x.score) for c in crits]
        self.best_values = tuple(b.value for b in best)
        self.best_score = np.array([b.score for b in best])
        self.levels = {lv.code: lv for lv in fw.levels}
        self.slices: list[tuple[int, int]] = []
        start = 0
        for p in fw.pillars:
            self.slices.append((start, start + len(p.criteria)))
            start += len(p.criteria)
        self.level_codes = sorted(self.levels)

    def _encode_best(self, k: int) -> Any:
        c = self.fw.criterion(self.codes[k])
        value = self.best_values[k]
        q = c.question
        if q.type == "single":
            return q.option_index[value]
        if q.type == "multi":
            mask = 0
            for v in value:
                mask |= 1 << q.option_index[v]
            return np.uint64(mask)
        if q.type == "boolean":
            return 1 if value else 0
        return float(value)

    def plan(
        self,
        enc: EncodedAnswers,
        *,
        steps_ahead: int = 1,
        chunk_size: int = 65536,
        fallback_budget: int = 0,
        max_fallback: int | None = None,
    ) -> BatchPlans:
        """Plans to the level ``steps_ahead`` above each row's current level."""
        res = self.bs.score(enc)
        n = enc.n
        target = np.full(n, -1, dtype=np.int16)
        codes = np.array(self.level_codes)
        pos = np.searchsorted(codes, res.level)  # index of the current level
        ahead = pos + steps_ahead
        has = ahead < len(codes)
        target[has] = codes[ahead[has]]
        status = np.where(has, NONE, TOP).astype(np.int8)
        changed = np.zeros((n, len(self.codes)), dtype=bool)
        for a in range(0, n, chunk_size):
            b = min(a + chunk_size, n)
            self._chunk(res.criteria[a:b], res.complete[a:b], target[a:b], changed[a:b])
        n_changes = changed.sum(axis=1).astype(np.int16)
        # check with the engine
        columns = {code: enc.columns[code].copy() for code in self.codes}
        answered = {code: a.copy() for code, a in enc.answered.items()}
        for k, code in enumerate(self.codes):
            rows = changed[:, k]
            if rows.any():
                columns[code][rows] = self._encode_best(k)
                if code in answered:
                    answered[code][rows] = True
        check = self.bs.score(EncodedAnswers(n, columns, answered))
        ok = has & check.complete & (check.level >= target) & (n_changes > 0)
        self._drop_unneeded(enc, columns, answered, changed, ok, target)
        n_changes = changed.sum(axis=1).astype(np.int16)
        status[ok] = PLAN
        plans = BatchPlans(
            self.fw, self.codes, self.best_values, target, status, n_changes, changed
        )
        redo = np.flatnonzero(has & ~ok)
        if max_fallback is not None:
            redo = redo[:max_fallback]
        for i in redo:
            answers = self.bs.decode(enc, int(i))
            plans.fallback[int(i)] = nl.plan_to_level(
                self.fw, answers, int(target[i]), budget=fallback_budget
            )
        return plans

    def _drop_unneeded(
        self,
        enc: EncodedAnswers,
        columns: dict[str, Any],
        answered: dict[str, Any],
        changed: npt.NDArray[np.bool_],
        ok: npt.NDArray[np.bool_],
        target: npt.NDArray[np.int16],
    ) -> None:
        """Drop, last criterion first, every change of a confirmed plan that the plan reaches
        its level without (re-scored by the batch scorer on the rows concerned)."""
        for k in reversed(range(len(self.codes))):
            rows = np.flatnonzero(ok & changed[:, k])
            if rows.size == 0:
                continue
            code = self.codes[k]
            sub_cols = {c: col[rows] for c, col in columns.items()}
            sub_ans = {c: a[rows] for c, a in answered.items()}
            sub_cols[code] = enc.columns[code][rows]
            if code in sub_ans:
                sub_ans[code] = enc.answered[code][rows]
            r = self.bs.score(EncodedAnswers(rows.size, sub_cols, sub_ans))
            keep = r.complete & (r.level >= target[rows]) & (changed[rows].sum(axis=1) > 1)
            drop = rows[keep]
            if drop.size:
                changed[drop, k] = False
                columns[code][drop] = enc.columns[code][drop]
                if code in answered:
                    answered[code][drop] = enc.answered[code][drop]

    def _chunk(
        self,
        crit: npt.NDArray[np.float64],
        complete: npt.NDArray[np.bool_],
        target: npt.NDArray[np.int16],
        changed: npt.NDArray[np.bool_],
    ) -> None:
        for t in np.unique(target):
            if t < 0:
                continue
            rows = np.flatnonzero((target == t) & complete)
            if rows.size:
                changed[rows] = self._greedy(crit[rows], int(t))

    def _greedy(self, s: npt.NDArray[np.float64], t: int) -> npt.NDArray[np.bool_]:
        m, n_c = s.shape
        lv = self.levels[t]
        applicable = ~np.isnan(s)
        s0 = np.where(applicable, s, 0.0)
        n_p = len(self.pweight)
        num = np.zeros((m, n_p))
        den = np.zeros((m, n_p))
        for k in range(n_c):
            p = self.pillar[k]
            num[:, p] += self.weight[k] * s0[:, k]
            den[:, p] += self.weight[k] * applicable[:, k]
        nonnull = den > 0
        wsum = (nonnull * self.pweight).sum(axis=1)
        gain = np.where(applicable, self.weight * (self.best_score - s0), 0.0)
        cand = applicable & self.movable & (self.best_score > s0)
        changed = np.zeros((m, n_c), dtype=bool)
        forced = applicable & (self.gate <= t) & (s0 < self.target)
        blocked = (forced & ~(self.movable & (self.best_score >= self.target))).any(axis=1)
        for col in np.flatnonzero(forced.any(axis=0)):
            r = forced[:, col] & ~blocked
            num[r, self.pillar[col]] += gain[r, col]
            changed[r, col] = True
            cand[r, col] = False
        active = np.flatnonzero(~blocked)
        safe_den = np.where(nonnull, den, 1.0)
        mp = lv.min_pillars or 0
        pm = nl.strict_min(lv.effective_pillar_min, lv.pillar_strict)
        lmin = nl.strict_min(lv.min, lv.strict)
        for _ in range(n_c + 1):
            if active.size == 0:
                break
            short, p_now, overall = self._shortfall(
                num[active], safe_den[active], nonnull[active], wsum[active], lmin, mp, pm
            )
            done = short <= 0
            active, short, p_now, overall = (
                active[~done],
                short[~done],
                p_now[~done],
                overall[~done],
            )
            if active.size == 0:
                break
            new_short = self._candidate_shortfall(
                num[active],
                safe_den[active],
                nonnull[active],
                wsum[active],
                gain[active],
                cand[active],
                lmin,
                mp,
                pm,
            )
            pick = np.argmin(new_short, axis=1)
            best = new_short[np.arange(active.size), pick]
            progress = best < short - 1e-12
            rows, ks = active[progress], pick[progress]
            num[rows, self.pillar[ks]] += gain[rows, ks]
            changed[rows, ks] = True
            cand[rows, ks] = False
            active = rows
        return changed

    def _shortfall(
        self,
        num: npt.NDArray[np.float64],
        den: npt.NDArray[np.float64],
        nonnull: npt.NDArray[np.bool_],
        wsum: npt.NDArray[np.float64],
        lmin: float,
        mp: int,
        pm: float,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        p = np.minimum(num / den, 100.0)
        overall = np.where(nonnull, p * self.pweight, 0.0).sum(axis=1) / np.maximum(wsum, 1e-300)
        short = np.maximum(0.0, lmin - overall)
        if mp:
            gaps = np.where(nonnull, np.maximum(0.0, pm - p), np.inf)
            gaps.sort(axis=1)
            short = short + gaps[:, :mp].sum(axis=1)
        return short, p, overall

    def _candidate_shortfall(
        self,
        num: npt.NDArray[np.float64],
        den: npt.NDArray[np.float64],
        nonnull: npt.NDArray[np.bool_],
        wsum: npt.NDArray[np.float64],
        gain: npt.NDArray[np.float64],
        cand: npt.NDArray[np.bool_],
        lmin: float,
        mp: int,
        pm: float,
    ) -> npt.NDArray[np.float64]:
        """Shortfall after each single change (rows × criteria); pillar by pillar, since the
        criteria of a pillar are contiguous in file order (slices are views, not copies)."""
        p = np.minimum(num / den, 100.0)  # (m, P)
        pw = self.pweight
        inv_w = 1.0 / np.maximum(wsum, 1e-300)
        overall = np.where(nonnull, p * pw, 0.0).sum(axis=1) * inv_w
        out = np.empty_like(gain)
        if mp:
            gaps = np.where(nonnull, np.maximum(0.0, pm - p), np.inf)  # (m, P)
            order = np.argsort(gaps, axis=1, kind="stable")
            ranked = np.take_along_axis(gaps, order, axis=1)
            base = ranked[:, :mp].sum(axis=1)[:, None]
            kth = (ranked[:, mp - 1] if mp <= gaps.shape[1] else np.full(len(gaps), np.inf))[
                :, None
            ]
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.arange(gaps.shape[1])[None, :], axis=1)
        for k, (a, b) in enumerate(self.slices):
            if a == b:
                continue
            pn = np.minimum((num[:, k : k + 1] + gain[:, a:b]) / den[:, k : k + 1], 100.0)
            on = overall[:, None] + (pw[k] * inv_w)[:, None] * (pn - p[:, k : k + 1])
            short = np.maximum(0.0, lmin - on)
            if mp:
                g_new = np.maximum(0.0, pm - pn)
                inside = (rank[:, k] < mp)[:, None]  # this pillar is among the best mp
                with np.errstate(invalid="ignore"):
                    swapped = base - kth + np.minimum(g_new, kth)
                    pillar = np.where(inside, base - gaps[:, k : k + 1] + g_new, swapped)
                pillar[np.isnan(pillar)] = np.inf
                short += pillar
            out[:, a:b] = np.where(cand[:, a:b], short, np.inf)
        return out
