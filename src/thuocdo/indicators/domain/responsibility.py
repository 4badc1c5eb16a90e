"""Who reports an indicator's national value: the reporting and responsible units (Annex 01
columns "Đơn vị tổng hợp báo cáo" and "Đơn vị đo lường") matched against an officer's
department. Pure functions, no Django.

Unit names are compared folded (no diacritics, case or extra spaces, so the seed's
"Truyền thòng" matches "Truyền thông") and through a short list of the abbreviations the seeds
use ("Bộ TTTT", "TCTK"). A text naming several units ("Bộ Giáo dục và Đào tạo, Bộ Lao động,
Thương binh và Xã hội"; "Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)") matches each of them. A
collective text ("Các bộ, ngành, lĩnh vực") means every ministry for its own sector.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_STROKE = str.maketrans({"đ": "d", "Đ": "D"})

# folded abbreviation → folded full name
ALIASES: dict[str, str] = {
    "bo tttt": "bo thong tin va truyen thong",
    "btttt": "bo thong tin va truyen thong",
    "tttt": "bo thong tin va truyen thong",
    "bo khdt": "bo ke hoach va dau tu",
    "bo kh&dt": "bo ke hoach va dau tu",
    "tctk": "tong cuc thong ke",
    "gso": "tong cuc thong ke",
    "byt": "bo y te",
    "bct": "bo cong thuong",
    "nhnn": "ngan hang nha nuoc viet nam",
    "ngan hang nha nuoc": "ngan hang nha nuoc viet nam",
    "bo gddt": "bo giao duc va dao tao",
    "bo gd&dt": "bo giao duc va dao tao",
    "bo ldtbxh": "bo lao dong, thuong binh va xa hoi",
    "bo ld-tb&xh": "bo lao dong, thuong binh va xa hoi",
    "neac": "trung tam neac",
    "cuc cdsqg": "cuc chuyen doi so quoc gia",
    "cuc attt": "cuc an toan thong tin",
    "vu kts va xhs": "vu kinh te so va xa hoi so",
}
COLLECTIVE_PREFIXES = ("cac bo", "cac nganh", "bo, nganh")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def canonical(name: str) -> str:
    key = fold(name).strip(" .-")
    return ALIASES.get(key, key)


def named_units(text: str) -> set[str]:
    """The canonical names a unit text stands for: the whole text and each part between
    commas, semicolons and parentheses."""
    names = {canonical(text)} if text and text.strip() else set()
    names |= {canonical(p) for p in re.split(r"[,;()]", text or "") if p.strip()}
    names.discard("")
    return names


def is_collective(text: str) -> bool:
    return fold(text).startswith(COLLECTIVE_PREFIXES)


def matches(department: str | None, text: str) -> bool:
    """Whether a department is (one of) the unit(s) a text names."""
    dept = canonical(department or "")
    if not dept or not text:
        return False
    if dept in named_units(text):
        return True
    # a department whose own name holds a comma ("Bộ Lao động, Thương binh và Xã hội")
    return re.search(rf"(^|[,;(]\s*){re.escape(dept)}(\s*[,;)]|$)", canonical(text)) is not None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    as_unit: str = ""  # "reporting", "responsible", "sector", "unassigned"
    reason: str = ""  # "no-department", "other-unit", "other-sector", "headline"


def may_report_national(
    *,
    department: str | None,
    sectors: frozenset[str] | None,
    reporting_unit: str,
    responsible_unit: str,
    by_sector: bool,
    sector: str,
) -> Decision:
    """May a ministry officer of ``department`` (limited to ``sectors``, None: all) submit the
    national value of an indicator, or its value for one ``sector`` ("" for the headline)?

    - the reporting unit's officers submit every value; the responsible unit's too (they
      approve the figure);
    - a collective responsible unit ("Các bộ, ngành") lets each ministry submit the value of
      its own sector (an indicator broken down by sector), or the value itself otherwise;
      the headline of a by-sector indicator stays with the reporting unit;
    - an indicator naming no unit may be submitted by any ministry officer.
    """
    if not (reporting_unit or "").strip() and not (responsible_unit or "").strip():
        return Decision(True, "unassigned")
    if matches(department, reporting_unit):
        return Decision(True, "reporting")
    if matches(department, responsible_unit):
        return Decision(True, "responsible")
    if is_collective(responsible_unit):
        if not by_sector:
            return Decision(True, "sector")
        if not sector:
            return Decision(False, reason="headline")
        if sectors is not None and sector in sectors:
            return Decision(True, "sector")
        return Decision(False, reason="other-sector")
    if not (department or "").strip():
        return Decision(False, reason="no-department")
    return Decision(False, reason="other-unit")


def may_lock_national(
    *, department: str | None, responsible_unit: str, reporting_unit: str
) -> bool:
    """The consolidation lock of a national figure is the responsible unit's; where the
    responsible unit is collective or unnamed, the reporting unit consolidates; an indicator
    naming no unit is consolidated by any ministry officer."""
    if not (reporting_unit or "").strip() and not (responsible_unit or "").strip():
        return True
    if (responsible_unit or "").strip() and not is_collective(responsible_unit):
        return matches(department, responsible_unit)
    return matches(department, reporting_unit)
