"""Verdict of a quantified target against the achieved value (no Django)."""

from __future__ import annotations

MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"


def target_verdict(achieved: float | None, target: float, comparator: str) -> str:
    """``met`` when the achieved value satisfies ``comparator target``, ``no_data`` without a
    value. Comparators: ``>=``, ``>``, ``<=``, ``<``, ``=``."""
    if achieved is None:
        return NO_DATA
    ok = {
        ">=": achieved >= target,
        ">": achieved > target,
        "<=": achieved <= target,
        "<": achieved < target,
        "=": abs(achieved - target) < 1e-9,
        "==": abs(achieved - target) < 1e-9,
    }.get(comparator, achieved >= target)
    return MET if ok else NOT_MET
