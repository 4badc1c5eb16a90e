"""Reporting periods for strategy indicators.

The quarters are the ones Decision 466/QĐ-BTTTT (§II.2 and Annex 01) defines, which are not
calendar quarters:

======  =========================================  ===========  ===================
period  months covered                             data due     consolidation due
======  =========================================  ===========  ===================
Q1      December of the previous year + Jan–Mar    5 April      10 April
Q2      April–June (+ six-month trend assessment)  5 July       10 July
Q3      July–September                             5 October    10 October
Q4      October–November                           5 December   10 December
======  =========================================  ===========  ===================

A reporting year Y therefore runs from 1 December Y-1 to 30 November Y. The annual period
``"2025"`` is that reporting year (the union of its four quarters); it is due with the Q4
report (5 December) and consolidated with it (10 December).

The deadline day (default 5) and consolidation day (default 10) are configurable. Labels
accepted by :func:`parse_period`: ``2025Q3``, ``2025-Q3``, ``2025 Q3``, ``Q3/2025``,
``Q3-2025``, ``Quý III/2025``, ``Quý 3/2025`` and ``2025`` (annual); case-insensitive.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DEFAULT_DEADLINE_DAY = 5
DEFAULT_CONSOLIDATION_DAY = 10
MIN_YEAR = 1900
MAX_YEAR = 2200

# (start month, start-year offset, end month, due month) for each quarter of reporting year Y
_QUARTER_LAYOUT: dict[int, tuple[int, int, int, int]] = {
    1: (12, -1, 3, 4),
    2: (4, 0, 6, 7),
    3: (7, 0, 9, 10),
    4: (10, 0, 11, 12),
}

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    ANNUAL = "annual"


class PeriodError(ValueError):
    """A period label or configuration is invalid; carries Vietnamese and English messages."""

    def __init__(self, message_vi: str, message_en: str, *, label: str | None = None) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en
        self.label = label


@dataclass(frozen=True)
class Period:
    """One reporting period with its window and deadlines (all dates inclusive)."""

    year: int
    quarter: int | None
    kind: PeriodKind
    label: str
    start: date
    end: date
    due: date
    consolidation_due: date
    trend_assessment: bool = False

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def is_overdue(self, today: date) -> bool:
        """True when the data deadline has passed (the due day itself is still on time)."""
        return today > self.due

    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs covered by the period, in order."""
        out: list[tuple[int, int]] = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def label_vi(self) -> str:
        if self.quarter is None:
            return f"Năm {self.year}"
        roman = {v: k for k, v in _ROMAN.items()}[self.quarter]
        return f"Quý {roman}/{self.year}"


def _check_day(day: int, name_vi: str, name_en: str) -> None:
    if not 1 <= day <= 28:
        raise PeriodError(
            f"{name_vi} phải nằm trong khoảng 1–28, nhận được {day}",
            f"{name_en} must be between 1 and 28, got {day}",
        )


def _check_year(year: int, label: str | None = None) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            f"Năm {year} nằm ngoài khoảng cho phép {MIN_YEAR}–{MAX_YEAR}",
            f"Year {year} is outside the allowed range {MIN_YEAR}–{MAX_YEAR}",
            label=label,
        )


def quarter_period(
    year: int,
    quarter: int,
    *,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    consolidation_day: int = DEFAULT_CONSOLIDATION_DAY,
) -> Period:
    """Quarter ``quarter`` (1–4) of reporting year ``year``."""
    _check_year(year)
    if quarter not in _QUARTER_LAYOUT:
        raise PeriodError(
            f"Quý phải là 1, 2, 3 hoặc 4, nhận được {quarter}",
            f"Quarter must be 1, 2, 3 or 4, got {quarter}",
        )
    _check_day(deadline_day, "Ngày hạn nộp số liệu", "Deadline day")
    _check_day(consolidation_day, "Ngày hạn tổng hợp", "Consolidation day")
    start_month, year_offset, end_month, due_month = _QUARTER_LAYOUT[quarter]
    start = date(year + year_offset, start_month, 1)
    end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    return Period(
        year=year,
        quarter=quarter,
        kind=PeriodKind.QUARTER,
        label=f"{year}Q{quarter}",
        start=start,
        end=end,
        due=date(year, due_month, deadline_day),
        consolidation_due=date(year, due_month, consolidation_day),
        trend_assessment=quarter == 2,
    )


def annual_period(
    year: int,
    *,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    consolidation_day: int = DEFAULT_CONSOLIDATION_DAY,
) -> Period:
    """Reporting year ``year``: 1 December of the previous year to 30 November, due with Q4."""
    q1 = quarter_period(year, 1, deadline_day=deadline_day, consolidation_day=consolidation_day)
    q4 = quarter_period(year, 4, deadline_day=deadline_day, consolidation_day=consolidation_day)
    return Period(
        year=year,
        quarter=None,
        kind=PeriodKind.ANNUAL,
        label=str(year),
        start=q1.start,
        end=q4.end,
        due=q4.due,
        consolidation_due=q4.consolidation_due,
        trend_assessment=True,
    )


def quarters_of(
    year: int,
    *,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    consolidation_day: int = DEFAULT_CONSOLIDATION_DAY,
) -> list[Period]:
    return [
        quarter_period(year, q, deadline_day=deadline_day, consolidation_day=consolidation_day)
        for q in (1, 2, 3, 4)
    ]


def period_for(
    day: date,
    kind: PeriodKind | str = PeriodKind.QUARTER,
    *,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    consolidation_day: int = DEFAULT_CONSOLIDATION_DAY,
) -> Period:
    """The reporting period that covers ``day``. December belongs to next year's Q1."""
    kind = PeriodKind(kind)
    year = day.year + 1 if day.month == 12 else day.year
    if kind is PeriodKind.ANNUAL:
        return annual_period(year, deadline_day=deadline_day, consolidation_day=consolidation_day)
    month = day.month
    if month == 12 or month <= 3:
        quarter = 1
    elif month <= 6:
        quarter = 2
    elif month <= 9:
        quarter = 3
    else:
        quarter = 4
    return quarter_period(
        year, quarter, deadline_day=deadline_day, consolidation_day=consolidation_day
    )


_ANNUAL_RE = re.compile(r"^(?:năm\s*)?(\d{4})$")
_YEAR_FIRST_RE = re.compile(r"^(\d{4})\s*[-/ ]?\s*q\s*([0-9]+)$")
_QUARTER_FIRST_RE = re.compile(r"^(?:q|quý)\s*([0-9]+|[ivx]+)\s*[-/ ]\s*(\d{4})$")


def _quarter_number(token: str, label: str) -> int:
    upper = token.upper()
    if upper in _ROMAN:
        return _ROMAN[upper]
    if token.isdigit() and int(token) in _QUARTER_LAYOUT:
        return int(token)
    raise PeriodError(
        f"Kỳ báo cáo '{label}': quý phải là 1–4 (hoặc I–IV), nhận được '{token}'",
        f"Period '{label}': the quarter must be 1–4 (or I–IV), got '{token}'",
        label=label,
    )


def parse_period(
    label: str,
    *,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    consolidation_day: int = DEFAULT_CONSOLIDATION_DAY,
) -> Period:
    """Parse a period label such as ``2025Q3``, ``2025-Q3``, ``Quý III/2025`` or ``2025``."""
    if not isinstance(label, str):
        raise PeriodError(
            f"Kỳ báo cáo phải là chuỗi ký tự, nhận được {type(label).__name__}",
            f"A period label must be a string, got {type(label).__name__}",
        )
    text = label.strip().lower()
    if not text:
        raise PeriodError(
            "Kỳ báo cáo trống; ví dụ hợp lệ: 2025Q3, 2025-Q3, 2025",
            "Empty period label; valid examples: 2025Q3, 2025-Q3, 2025",
            label=label,
        )
    kwargs = {"deadline_day": deadline_day, "consolidation_day": consolidation_day}
    if m := _ANNUAL_RE.match(text):
        year = int(m.group(1))
        _check_year(year, label)
        return annual_period(year, **kwargs)
    m = _YEAR_FIRST_RE.match(text)
    if m:
        year, token = int(m.group(1)), m.group(2)
    elif m2 := _QUARTER_FIRST_RE.match(text):
        token, year = m2.group(1), int(m2.group(2))
    else:
        raise PeriodError(
            f"Không hiểu kỳ báo cáo '{label}'; dùng dạng 2025Q3, 2025-Q3, Quý III/2025 hoặc 2025",
            f"Cannot read period '{label}'; use 2025Q3, 2025-Q3, Quý III/2025 or 2025",
            label=label,
        )
    quarter = _quarter_number(token, label)
    _check_year(year, label)
    return quarter_period(year, quarter, **kwargs)
