"""The register of information systems: inspection cycle, 3-2-1 backups, drills, and the
shares that measure the 2025 targets. Pure Python.

Seed 003 §II.9: a system is inspected "tối thiểu 01 lần/02 năm đối với hệ thống cấp độ 1, cấp
độ 2; 01 lần/năm đối với hệ thống thông tin cấp độ 3, cấp độ 4; 01 lần/06 tháng đối với hệ
thống thông tin cấp độ 5". The next inspection is due the same day of the month that many
months after the last one, on the month's last day when that month is shorter (an inspection
on 29/2/2024 of a level-3 system is next due on 28/2/2025; one on 31/8 of a level-5 system on
28/2 or 29/2). It is overdue from the day after; a system never inspected is overdue.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

__all__ = [
    "CYCLE_MONTHS",
    "LEVELS",
    "SystemFacts",
    "add_months",
    "backup_321",
    "cycle_months",
    "inspection_overdue",
    "next_inspection",
    "register_shares",
]

LEVELS: Final = (1, 2, 3, 4, 5)

#: Months between two inspections, by security level (seed 003 §II.9).
CYCLE_MONTHS: Final = {1: 24, 2: 24, 3: 12, 4: 12, 5: 6}


def cycle_months(level: int) -> int:
    if level not in CYCLE_MONTHS:
        raise ValueError(f"security level must be 1–5, not {level!r}")
    return CYCLE_MONTHS[level]


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` months on, kept within the month (31/8 + 6 → 28/2 or 29/2)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_inspection(level: int, last: date | None) -> date | None:
    """The day the next inspection is due (None: never inspected, due at once)."""
    months = cycle_months(level)
    return None if last is None else add_months(last, months)


def inspection_overdue(level: int, last: date | None, on: date) -> bool:
    """Whether the inspection is overdue on ``on`` (from the day after it falls due)."""
    due = next_inspection(level, last)
    return due is None or on > due


def backup_321(copies: int, media: int, offline: bool) -> bool:
    """At least 3 copies, on 2 different media, 1 of them offline (seed 003 §II.6)."""
    return copies >= 3 and media >= 2 and offline


@dataclass(frozen=True, slots=True)
class SystemFacts:
    level: int
    approved: bool
    last_inspection: date | None
    last_drill: date | None
    copies: int = 0
    media: int = 0
    offline: bool = False


def _share(hits: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * hits / total, 1)


def register_shares(systems: Iterable[SystemFacts], *, on: date) -> dict[str, float | None]:
    """Shares (0–100; None without any system concerned) that measure the targets:
    ``approved_level`` (approved dossier), ``drilled`` (level 3+ drilled in ``on``'s year),
    ``backup_321``, ``inspected`` (not overdue on ``on``)."""
    items = list(systems)
    high = [s for s in items if s.level >= 3]
    return {
        "approved_level": _share(sum(s.approved for s in items), len(items)),
        "drilled": _share(
            sum(
                1
                for s in high
                if s.last_drill and s.last_drill.year == on.year and s.last_drill <= on
            ),
            len(high),
        ),
        "backup_321": _share(
            sum(backup_321(s.copies, s.media, s.offline) for s in items), len(items)
        ),
        "inspected": _share(
            sum(not inspection_overdue(s.level, s.last_inspection, on) for s in items), len(items)
        ),
    }
