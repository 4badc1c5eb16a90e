"""Deadline specifications of action-plan tasks: grammar, parser and due-date logic.

Pure Python (standard library plus :mod:`thuocdo.core.text`), no Django. Plans copy
deadlines from government documents, which write them as Vietnamese phrases ("Quý III/2025",
"trước 30/6", "Hằng năm", "Thường xuyên"). This module turns such a phrase into a
:data:`DeadlineSpec` and answers: when is it due, when are the occurrences of a recurring
task, what is due next, and is a task overdue on a given day.

Grammar
=======

The text is NFC-normalised and matched without regard to case or diacritics ("Quý",
"QUÝ", "quy" are the same). Quarters and months may be written in Roman or Arabic
numerals. Leading words such as "Thời hạn hoàn thành:", "Hoàn thành", "trước", "trước
ngày", "trong", "đến hết", "cuối", "chậm nhất", "vào", "định kỳ", "theo" are ignored, as are
surrounding punctuation and parentheses (every period is due on its last day anyway).

One-off deadlines (:class:`FixedDeadline`; a missing year is supplied by the plan):

=====================================  ======================================================
``2025-06-30``                          that day (ISO 8601)
``30/6/2025``, ``30-6-2025``,           that day; ``trước 30/6`` is due on 30/6, not the day
``ngày 30 tháng 6 năm 2025``,           before
``trước 30/6``
``Quý III/2025``, ``Quý 3``,            last day of the quarter (Quý IV → 31/12)
``Q3/2025``, ``Quý III năm 2025``
``Tháng 6/2025``, ``tháng 6``           last day of the month (Tháng 2 → 28 or 29 Feb)
``6 tháng đầu năm`` (``nửa đầu năm``)   30/6; ``6 tháng cuối năm`` → 31/12
``Năm 2025``, ``2025``, ``Cả năm``      31/12 of the year (``Cả năm``: of the plan year)
``2024 - 2025``, ``Giai đoạn            31/12 of the last year; the first year is kept as
2022-2025``                             ``start_year``
=====================================  ======================================================

Recurring deadlines (:class:`Recurrence`):

=====================================  ======================================================
``Hằng năm`` / ``Hàng năm`` /           every year on 31/12, or on an anchor written with it:
``Mỗi năm``                             ``trước 30/11 hằng năm`` (30/11),
                                        ``Quý IV hằng năm`` (31/12), ``tháng 3 hằng năm``
                                        (31/3); the default day can be changed with
                                        ``parse(..., yearly_default=(month, day))``
``Hằng quý`` / ``theo quý``             last day of every quarter
``6 tháng một lần`` / ``định kỳ 6       30/6 and 31/12
tháng`` / ``hằng nửa năm``
``Hằng tháng``                          last day of every month; ``ngày 25 hằng tháng`` →
                                        the 25th (clamped to the month's length)
``Hằng tuần``                           every Sunday (end of the ISO week);
                                        ``thứ Sáu hằng tuần`` → every Friday
=====================================  ======================================================

Continuous work (:class:`Continuous`): ``Thường xuyên`` / ``liên tục``. It has no completion
deadline (:func:`resolve` returns ``None``), but the task must report progress every
quarter: its checkpoints are the quarter ends (:data:`CONTINUOUS_REPORTING`), and
:func:`occurrences`, :func:`next_due` and :func:`is_overdue` treat it like ``Hằng quý``.
A continuous task is therefore never late against a deadline, only for a missing
quarterly report.

Anything else raises :class:`DeadlineSpecError`, whose message (Vietnamese, then English)
names the text.

Overdue rule
============

``is_overdue`` counts a due date as met until the end of that day: a one-off task is
overdue from the day after its due date while its status is not closed (``done`` or
``cancelled``). A recurring (or continuous) task is overdue when the most recent
occurrence that has passed (the latest occurrence strictly before ``on``) has no progress
report dated after the occurrence before it, i.e. no report within the period that the
missed occurrence closes or later. A late report clears the flag. Occurrences before the
task's ``start`` do not count, and the first period after ``start`` opens on ``start``.
"""

from __future__ import annotations

import calendar
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Literal, TypeAlias

from thuocdo.core.text import fold, nfc

__all__ = [
    "CLOSED_STATUSES",
    "CONTINUOUS_REPORTING",
    "Continuous",
    "DeadlineSpec",
    "DeadlineSpecError",
    "FixedDeadline",
    "Frequency",
    "Recurrence",
    "Unit",
    "as_spec",
    "format_spec",
    "is_overdue",
    "month_end",
    "next_due",
    "occurrences",
    "parse",
    "quarter_end",
    "quarter_label",
    "quarter_of",
    "quarter_start",
    "resolve",
]

Unit: TypeAlias = Literal["day", "month", "quarter", "half", "year"]
Frequency: TypeAlias = Literal["weekly", "monthly", "quarterly", "semiannual", "yearly"]

#: Task statuses that are never overdue.
CLOSED_STATUSES: Final = frozenset({"done", "cancelled"})

_ROMAN: Final = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN_VALUE: Final = {r.lower(): i for i, r in enumerate(_ROMAN) if r}
_WEEKDAY_VI: Final = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_SUNDAY: Final = 6
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2999
# Wide enough to hold the previous occurrence of any recurrence (a year and a bit).
_LOOKBACK: Final = timedelta(days=400)


class DeadlineSpecError(ValueError):
    """A deadline text that the grammar does not accept (message in Vietnamese, then English)."""

    def __init__(self, text: str, vi: str, en: str) -> None:
        self.text = text
        self.message_vi = vi
        self.message_en = en
        super().__init__(f"{vi} / {en}")


# --------------------------------------------------------------------------- specifications


@dataclass(frozen=True, slots=True)
class FixedDeadline:
    """A one-off due date: the last day of a day, month, quarter, half-year or year.

    ``month`` is the month in which the period ends, ``day`` the day of that month
    (``None``: its last day). ``year`` is ``None`` when the text left it to the plan.
    ``start_year`` is set for a period such as "2024 - 2025".
    """

    unit: Unit
    month: int
    day: int | None = None
    year: int | None = None
    start_year: int | None = None
    text: str = field(default="", compare=False)

    @property
    def needs_year(self) -> bool:
        return self.year is None

    def due(self, year: int | None = None) -> date:
        """The due date; the spec's own year wins over ``year``."""
        y = self.year if self.year is not None else year
        if y is None:
            raise DeadlineSpecError(
                self.text,
                f'Thời hạn "{self.text or format_spec(self)}" không có năm; cần cho biết năm '
                "của kế hoạch.",
                f'Deadline "{self.text or format_spec(self)}" has no year; the plan year is '
                "needed.",
            )
        return _day_in_month(y, self.month, self.day)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A deadline that repeats: weekly, monthly, quarterly, every six months or yearly.

    Yearly: on ``day``/``month`` (``day`` ``None``: last day of the month). Monthly: on
    ``day`` (``None``: last day), clamped to the month's length. Weekly: on ``weekday``
    (0 = Monday … 6 = Sunday). Quarterly and six-monthly: last day of the period.
    """

    frequency: Frequency
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Continuous:
    """Continuous work ("Thường xuyên"): no completion deadline, a report every quarter."""

    text: str = field(default="", compare=False)


DeadlineSpec: TypeAlias = FixedDeadline | Recurrence | Continuous

#: The reporting schedule of continuous tasks: every quarter end.
CONTINUOUS_REPORTING: Final = Recurrence("quarterly", text="Hằng quý")


# --------------------------------------------------------------------------- calendar helpers


def month_end(year: int, month: int) -> date:
    """Last day of ``month`` in ``year`` (28 or 29 for February)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    # 29/2 in a year-less or recurring spec falls on 28/2 in a common year.
    return date(year, month, last if day is None else min(day, last))


def _check_quarter(q: int) -> None:
    if not 1 <= q <= 4:
        raise ValueError(f"Quý phải từ 1 đến 4, nhận {q}. / Quarter must be 1 to 4, got {q}.")


def quarter_of(d: date) -> int:
    """The quarter (1–4) that contains ``d``."""
    return (d.month - 1) // 3 + 1


def quarter_start(year: int, q: int) -> date:
    """First day of quarter ``q`` (1–4) of ``year``."""
    _check_quarter(q)
    return date(year, 3 * q - 2, 1)


def quarter_end(year: int, q: int) -> date:
    """Last day of quarter ``q`` (1–4) of ``year``: 31/3, 30/6, 30/9 or 31/12."""
    _check_quarter(q)
    return month_end(year, 3 * q)


def quarter_label(d: date) -> str:
    """Vietnamese label of the quarter that contains ``d``, e.g. ``"Quý III/2025"``."""
    return f"Quý {_ROMAN[quarter_of(d)]}/{d.year}"


# --------------------------------------------------------------------------- parser

_RE_SPACE = re.compile(r"\s+")
# Dashes become hyphens; parentheses and markdown emphasis are dropped.
_PUNCTUATION: Final = str.maketrans("–—‒()*", "---   ")
_RE_FILLER = re.compile(
    r"^(?:thoi han(?: hoan thanh)?\s*:?|hoan thanh|cham nhat|truoc|den|het|cuoi|vao|trong"
    r"|dinh ky|theo)"
    r"(?:\s+|$)"
)
_NUM = r"(?:[ivx]+|\d{1,2})"
_SEP_YEAR = r"(?:\s*(?:/|-|nam)\s*(?P<y>\d{4}))?"
_RE_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_RE_DMY = re.compile(
    r"^(?:ngay\s*)?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}))?$"
)
_RE_DMY_WORDS = re.compile(
    r"^(?:ngay\s*)?(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?$"
)
_RE_QUARTER = re.compile(rf"^(?:quy|q)\s*(?P<q>{_NUM}){_SEP_YEAR}$")
_RE_MONTH = re.compile(rf"^thang\s*(?P<m>{_NUM}){_SEP_YEAR}$")
_RE_HALF = re.compile(
    r"^(?:(?:6|sau) thang|nua)\s+(?P<h>dau|cuoi)\s+nam(?:\s*(?:/|-)?\s*(?P<y>\d{4}))?$"
)
_RE_YEAR = re.compile(r"^(?:nam\s*)?(?P<y>\d{4})$")
_RE_PLAN_YEAR = re.compile(r"^(?:ca\s+)?nam$")
_RE_RANGE = re.compile(
    r"^(?:giai doan\s*)?(?:nam\s*)?(?P<a>\d{4})\s*(?:-|den)\s*(?:nam\s*)?(?P<b>\d{4})$"
)
_RE_CONTINUOUS = re.compile(
    r"^(?:thuong xuyen|lien tuc)(?:\s*,?\s*(?:va\s+)?(?:thuong xuyen|lien tuc))?$"
)
_RECURRENCE_KEYWORDS: Final[tuple[tuple[Frequency, re.Pattern[str]], ...]] = (
    (
        "semiannual",
        re.compile(
            r"\b(?:(?:hang|moi)\s+(?:6|sau)\s+thang|(?:6|sau)\s+thang\s+(?:mot|1)\s+lan"
            r"|dinh ky\s+(?:6|sau)\s+thang|(?:hang|moi)\s+nua\s+nam|nua\s+nam\s+(?:mot|1)\s+lan)\b"
        ),
    ),
    ("yearly", re.compile(r"\b(?:hang|moi|tung)\s+nam\b")),
    ("quarterly", re.compile(r"\b(?:(?:hang|moi|tung)\s+quy|theo\s+quy)\b")),
    ("monthly", re.compile(r"\b(?:hang|moi|tung)\s+thang\b")),
    ("weekly", re.compile(r"\b(?:hang|moi|tung)\s+tuan\b")),
)
_RE_WEEKDAY = re.compile(r"^(?:thu\s*(?P<n>[2-7]|hai|ba|tu|nam|sau|bay)|(?P<sun>chu nhat|cn))$")
_WEEKDAY_WORDS: Final = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_RE_MONTH_DAY = re.compile(r"^(?:ngay\s*)?(?P<d>\d{1,2})$")

_ACCEPTED_VI: Final = (
    '"30/6/2025", "2025-06-30", "trước 30/6", "Quý III/2025", "Quý 3", "Tháng 6/2025", '
    '"6 tháng đầu năm", "Năm 2025", "2024 - 2025", "Hằng năm", "trước 30/11 hằng năm", '
    '"Quý IV hằng năm", "Hằng quý", "6 tháng một lần", "Hằng tháng", "Hằng tuần", '
    '"Thường xuyên"'
)


def _unknown(text: str) -> DeadlineSpecError:
    return DeadlineSpecError(
        text,
        f'Không hiểu thời hạn "{text}". Các dạng hợp lệ: {_ACCEPTED_VI}.',
        f'Unrecognised deadline "{text}". Accepted forms: {_ACCEPTED_VI}.',
    )


def _normalise(text: str) -> str:
    s = fold(text).translate(_PUNCTUATION)
    return _RE_SPACE.sub(" ", s).strip(" .,;:")


def _strip_fillers(s: str) -> str:
    while True:
        stripped = _RE_FILLER.sub("", s, count=1).strip(" .,;:")
        if stripped == s:
            return s
        s = stripped


def _number(token: str, text: str, what_vi: str, what_en: str, high: int) -> int:
    value = _ROMAN_VALUE.get(token) if not token.isdigit() else int(token)
    if value is None or not 1 <= value <= high:
        raise DeadlineSpecError(
            text,
            f'Thời hạn "{text}": {what_vi} phải từ 1 đến {high}.',
            f'Deadline "{text}": the {what_en} must be 1 to {high}.',
        )
    return value


def _year(token: str | None, text: str) -> int | None:
    return None if token is None else _full_year(token, text)


def _full_year(token: str, text: str) -> int:
    y = int(token)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        raise DeadlineSpecError(
            text,
            f'Thời hạn "{text}": năm {y} nằm ngoài khoảng {_MIN_YEAR}–{_MAX_YEAR}.',
            f'Deadline "{text}": year {y} is outside {_MIN_YEAR}–{_MAX_YEAR}.',
        )
    return y


def _checked_day(d: int, m: int, y: int | None, text: str) -> FixedDeadline:
    if not 1 <= m <= 12:
        raise DeadlineSpecError(
            text,
            f'Thời hạn "{text}": tháng {m} không hợp lệ.',
            f'Deadline "{text}": month {m} is not valid.',
        )
    # Without a year, 29/2 is accepted (it falls on 28/2 in common years).
    longest = calendar.monthrange(y if y is not None else 2000, m)[1]
    if not 1 <= d <= longest:
        raise DeadlineSpecError(
            text,
            f'Thời hạn "{text}": ngày {d}/{m} không tồn tại'
            + (f" trong năm {y}." if y is not None else "."),
            f'Deadline "{text}": day {d}/{m} does not exist'
            + (f" in {y}." if y is not None else "."),
        )
    return FixedDeadline("day", m, d, y, text=text)


def _parse_fixed(s: str, text: str) -> FixedDeadline | None:
    """A one-off deadline from the normalised text ``s``, or ``None`` if it is not one."""
    if m := _RE_ISO.match(s):
        return _checked_day(int(m["d"]), int(m["m"]), _year(m["y"], text), text)
    if m := _RE_DMY.match(s) or _RE_DMY_WORDS.match(s):
        return _checked_day(int(m["d"]), int(m["m"]), _year(m["y"], text), text)
    if m := _RE_QUARTER.match(s):
        q = _number(m["q"], text, "số quý", "quarter", 4)
        return FixedDeadline("quarter", 3 * q, None, _year(m["y"], text), text=text)
    if m := _RE_MONTH.match(s):
        month = _number(m["m"], text, "tháng", "month", 12)
        return FixedDeadline("month", month, None, _year(m["y"], text), text=text)
    if m := _RE_HALF.match(s):
        return FixedDeadline(
            "half", 6 if m["h"] == "dau" else 12, None, _year(m["y"], text), text=text
        )
    if m := _RE_YEAR.match(s):
        return FixedDeadline("year", 12, None, _year(m["y"], text), text=text)
    if _RE_PLAN_YEAR.match(s):
        return FixedDeadline("year", 12, None, None, text=text)
    if m := _RE_RANGE.match(s):
        first, last = _full_year(m["a"], text), _full_year(m["b"], text)
        if first > last:
            raise DeadlineSpecError(
                text,
                f'Thời hạn "{text}": năm bắt đầu {first} sau năm kết thúc {last}.',
                f'Deadline "{text}": start year {first} is after end year {last}.',
            )
        return FixedDeadline("year", 12, None, last, start_year=first, text=text)
    return None


def _parse_recurrence(
    frequency: Frequency, rest: str, text: str, yearly_default: tuple[int, int | None]
) -> Recurrence:
    rest = _strip_fillers(rest)
    if frequency == "yearly":
        if not rest:
            return Recurrence("yearly", yearly_default[0], yearly_default[1], text=text)
        anchor = _parse_fixed(rest, text)
        if anchor is None:
            raise _unknown(text)
        if anchor.year is not None or anchor.start_year is not None:
            raise DeadlineSpecError(
                text,
                f'Thời hạn "{text}": thời hạn hằng năm không ghi kèm năm cụ thể.',
                f'Deadline "{text}": a yearly deadline cannot name a specific year.',
            )
        return Recurrence("yearly", anchor.month, anchor.day, text=text)
    if frequency == "monthly":
        if not rest:
            return Recurrence("monthly", text=text)
        m = _RE_MONTH_DAY.match(rest)
        if m is None or not 1 <= int(m["d"]) <= 31:
            raise _unknown(text)
        return Recurrence("monthly", day=int(m["d"]), text=text)
    if frequency == "weekly":
        if not rest:
            return Recurrence("weekly", weekday=_SUNDAY, text=text)
        m = _RE_WEEKDAY.match(rest)
        if m is None:
            raise _unknown(text)
        if m["sun"]:
            return Recurrence("weekly", weekday=_SUNDAY, text=text)
        n = m["n"]
        weekday = int(n) - 2 if n.isdigit() else _WEEKDAY_WORDS[n]
        return Recurrence("weekly", weekday=weekday, text=text)
    if rest:
        raise _unknown(text)
    return Recurrence(frequency, text=text)


def parse(text: str, *, yearly_default: tuple[int, int | None] = (12, None)) -> DeadlineSpec:
    """Parse a deadline text (see the module documentation for the grammar).

    ``yearly_default`` is the (month, day) of a bare "Hằng năm"; day ``None`` means the
    last day of the month. Raises :class:`DeadlineSpecError` for text outside the grammar.
    """
    original = nfc(text).strip()
    if not original:
        raise DeadlineSpecError(text, "Thời hạn trống.", "Empty deadline.")
    s = _normalise(original)

    found = [(freq, rx) for freq, rx in _RECURRENCE_KEYWORDS if rx.search(s)]
    if len(found) > 1:
        raise DeadlineSpecError(
            original,
            f'Thời hạn "{original}" ghi nhiều chu kỳ lặp lại cùng lúc.',
            f'Deadline "{original}" names more than one recurrence.',
        )
    if found:
        frequency, rx = found[0]
        rest = _RE_SPACE.sub(" ", rx.sub(" ", s, count=1)).strip(" .,;:")
        return _parse_recurrence(frequency, rest, original, yearly_default)

    s = _strip_fillers(s)
    if _RE_CONTINUOUS.match(s):
        return Continuous(text=original)
    fixed = _parse_fixed(s, original)
    if fixed is None:
        raise _unknown(original)
    return fixed


def as_spec(spec: str | DeadlineSpec) -> DeadlineSpec:
    """``spec`` itself if already parsed, else :func:`parse` of it."""
    return parse(spec) if isinstance(spec, str) else spec


def format_spec(spec: DeadlineSpec) -> str:
    """Canonical Vietnamese text of a spec; ``parse(format_spec(s)) == s``."""
    if isinstance(spec, Continuous):
        return "Thường xuyên"
    if isinstance(spec, Recurrence):
        if spec.frequency == "yearly":
            month = spec.month or 12
            if spec.day is not None:
                return f"{spec.day}/{month} hằng năm"
            return "Hằng năm" if month == 12 else f"Tháng {month} hằng năm"
        if spec.frequency == "monthly":
            return "Hằng tháng" if spec.day is None else f"Ngày {spec.day} hằng tháng"
        if spec.frequency == "weekly":
            wd = _SUNDAY if spec.weekday is None else spec.weekday
            return "Hằng tuần" if wd == _SUNDAY else f"{_WEEKDAY_VI[wd]} hằng tuần"
        return {"quarterly": "Hằng quý", "semiannual": "6 tháng một lần"}[spec.frequency]
    suffix = "" if spec.year is None else f"/{spec.year}"
    if spec.unit == "day":
        return f"{spec.day}/{spec.month}{suffix}"
    if spec.unit == "month":
        return f"Tháng {spec.month}{suffix}"
    if spec.unit == "quarter":
        return f"Quý {_ROMAN[spec.month // 3]}{suffix}"
    if spec.unit == "half":
        half = "đầu" if spec.month == 6 else "cuối"
        return f"6 tháng {half} năm" + ("" if spec.year is None else f" {spec.year}")
    if spec.start_year is not None:
        return f"{spec.start_year} - {spec.year}"
    return "Cả năm" if spec.year is None else f"Năm {spec.year}"


# --------------------------------------------------------------------------- occurrences

_MONTHS: Final[dict[Frequency, frozenset[int]]] = {
    "monthly": frozenset(range(1, 13)),
    "quarterly": frozenset({3, 6, 9, 12}),
    "semiannual": frozenset({6, 12}),
}


def _recurrence_dates(rec: Recurrence, start: date, end: date) -> Iterator[date]:
    """Occurrences of ``rec`` in ``[start, end]``, in order."""
    if start > end:
        return
    if rec.frequency == "weekly":
        weekday = _SUNDAY if rec.weekday is None else rec.weekday
        d = start + timedelta(days=(weekday - start.weekday()) % 7)
        while d <= end:
            yield d
            d += timedelta(days=7)
        return
    months = _MONTHS.get(rec.frequency) or frozenset({rec.month or 12})
    day = rec.day
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        if m in months:
            d = _day_in_month(y, m, day)
            if start <= d <= end:
                yield d
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _last(dates: Iterator[date]) -> date | None:
    tail = deque(dates, maxlen=1)
    return tail[0] if tail else None


def _schedule(spec: Recurrence | Continuous) -> Recurrence:
    return spec if isinstance(spec, Recurrence) else CONTINUOUS_REPORTING


def _last_before(rec: Recurrence, before: date, not_before: date | None = None) -> date | None:
    """The latest occurrence strictly before ``before`` (and not before ``not_before``)."""
    low = before - _LOOKBACK
    if not_before is not None:
        low = max(low, not_before)
    return _last(_recurrence_dates(rec, low, before - timedelta(days=1)))


def resolve(spec: str | DeadlineSpec, year: int) -> date | None:
    """The due date that applies in ``year``.

    One-off: its date, with ``year`` filling a missing year (a year written in the spec
    wins, so "30/3/2024" stays 30/3/2024 in a 2025 plan). Recurring: the last occurrence
    in ``year``. Continuous: ``None`` (no completion deadline).
    """
    s = as_spec(spec)
    if isinstance(s, FixedDeadline):
        return s.due(year)
    if isinstance(s, Continuous):
        return None
    return _last(_recurrence_dates(s, date(year, 1, 1), date(year, 12, 31)))


def occurrences(spec: str | DeadlineSpec, start: date, end: date) -> list[date]:
    """Due dates of ``spec`` in ``[start, end]``, in order.

    A one-off deadline has at most one (a missing year is taken from ``start``); a
    continuous task yields its quarterly reporting checkpoints.
    """
    if start > end:
        return []
    s = as_spec(spec)
    if isinstance(s, FixedDeadline):
        due = s.due(start.year)
        return [due] if start <= due <= end else []
    return list(_recurrence_dates(_schedule(s), start, end))


def next_due(spec: str | DeadlineSpec, on: date, start: date | None = None) -> date | None:
    """The first due date on or after ``on`` (and on or after ``start``), or ``None``.

    A one-off deadline that has passed has no next due date. A missing year is taken from
    ``start``, else from ``on``. A continuous task's next due date is its next quarterly
    reporting checkpoint.
    """
    s = as_spec(spec)
    if isinstance(s, FixedDeadline):
        due = s.due(start.year if start is not None else on.year)
        return due if due >= on else None
    begin = on if start is None else max(on, start)
    return next(_recurrence_dates(_schedule(s), begin, begin + _LOOKBACK), None)


def is_overdue(
    deadline: str | DeadlineSpec | date | None,
    status: str,
    on: date,
    last_report: date | None = None,
    *,
    year: int | None = None,
    start: date | None = None,
) -> bool:
    """Whether a task with this deadline and status is overdue on ``on``.

    Closed tasks (:data:`CLOSED_STATUSES`) and tasks without a deadline are never
    overdue. One-off: overdue from the day after the due date (a missing year comes from
    ``year``, else ``start``, else ``on``). Recurring and continuous: overdue when the
    latest occurrence before ``on`` (not before ``start``) has no report dated after the
    occurrence before it; ``last_report`` is the date of the most recent progress report.
    """
    if status.strip().lower() in CLOSED_STATUSES or deadline is None:
        return False
    if isinstance(deadline, date):
        return on > deadline
    s = as_spec(deadline)
    if isinstance(s, FixedDeadline):
        plan_year = year if year is not None else (start.year if start is not None else on.year)
        return on > s.due(plan_year)
    rec = _schedule(s)
    missed = _last_before(rec, on, start)
    if missed is None:
        return False
    previous = _last_before(rec, missed, start)
    if previous is None:
        # The missed occurrence is the first one after the start: its period opens on start.
        previous = start - timedelta(days=1) if start is not None else missed - _LOOKBACK
    return last_report is None or last_report <= previous
