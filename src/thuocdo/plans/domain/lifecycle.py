"""The life cycle of a plan: draft → approved → sent to the ministry → evaluated.

Pure Python. A plan is approved by a decision (number and date), sent to the ministry once
approved (seed 003: "gửi bản Kế hoạch sau khi phê duyệt về Bộ"), and evaluated at the end of
its year against its targets; each step only from the one before it.
"""

from __future__ import annotations

from datetime import date
from typing import Final

__all__ = ["STAGES", "TRANSITIONS", "achieved", "evaluation_opens", "next_stage"]

STAGES: Final = ("draft", "approved", "sent", "evaluated")

#: The one stage each stage may move to.
TRANSITIONS: Final = {"draft": "approved", "approved": "sent", "sent": "evaluated"}


def next_stage(stage: str) -> str | None:
    """The stage after ``stage`` (None once evaluated)."""
    return TRANSITIONS.get(stage)


def evaluation_opens(year: int) -> date:
    """The first day a plan of ``year`` may be evaluated: the year-end report is made from
    1 December (the last month's figures are estimates, as in seed 001's yearly report)."""
    return date(year, 12, 1)


def achieved(result: float, *, target: float, comparator: str) -> bool:
    """Whether ``result`` meets ``target`` under ``comparator`` (>=, >, <=, <, ~ within 1%)."""
    if comparator == ">":
        return result > target
    if comparator == "<=":
        return result <= target
    if comparator == "<":
        return result < target
    if comparator == "~":
        return abs(result - target) <= abs(target) * 0.01
    return result >= target
