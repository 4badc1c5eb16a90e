"""VSIC 2018 codes (Decision 27/2018/QĐ-TTg) and the product's sectors (no Django here).

A VSIC code is a section letter (``A``–``U``) or 2 to 5 digits (division, group, class,
sub-class); the first two digits are the division. The product's sectors are the focus
sectors of the criteria sets: ``agriculture``, ``manufacturing``, ``retail`` (trade),
``tourism``, ``logistics`` and ``general`` for everything else.

Mapping (by section, with division exceptions):
- A (agriculture, forestry, fishing; divisions 01–03) → agriculture;
- C (manufacturing; 10–33) → manufacturing;
- G (wholesale and retail trade, repair of vehicles; 45–47) → retail;
- H (transport and storage, postal and courier; 49–53) → logistics;
- I 55 (accommodation) and 56 (food and beverage service), N 79 (travel agencies, tour
  operators), R 91 (libraries, museums, historical sites, nature reserves) and R 93 (sports,
  amusement and recreation) → tourism;
- every other section or division → general.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTORS = ("agriculture", "manufacturing", "retail", "tourism", "logistics", "general")

# division (2 digits) → section letter, VSIC 2018
_SECTION_DIVISIONS: dict[str, tuple[int, ...]] = {
    "A": (1, 2, 3),
    "B": (5, 6, 7, 8, 9),
    "C": tuple(range(10, 34)),
    "D": (35,),
    "E": (36, 37, 38, 39),
    "F": (41, 42, 43),
    "G": (45, 46, 47),
    "H": (49, 50, 51, 52, 53),
    "I": (55, 56),
    "J": (58, 59, 60, 61, 62, 63),
    "K": (64, 65, 66),
    "L": (68,),
    "M": (69, 70, 71, 72, 73, 74, 75),
    "N": (77, 78, 79, 80, 81, 82),
    "O": (84,),
    "P": (85,),
    "Q": (86, 87, 88),
    "R": (90, 91, 92, 93),
    "S": (94, 95, 96),
    "T": (97, 98),
    "U": (99,),
}
DIVISION_SECTION: dict[str, str] = {
    f"{d:02d}": section for section, divisions in _SECTION_DIVISIONS.items() for d in divisions
}
_SECTION_SECTOR = {
    "A": "agriculture",
    "C": "manufacturing",
    "G": "retail",
    "H": "logistics",
    "I": "tourism",
}
_DIVISION_SECTOR = {"79": "tourism", "91": "tourism", "93": "tourism"}
# Decree 80/2021/NĐ-CP groups enterprises by field for the size thresholds.
_AGRI_INDUSTRY_SECTIONS = frozenset("ABCDEF")

_CODE = re.compile(r"^(?:[A-U]|\d{2,5})$")


class InvalidVsicError(ValueError):
    """A value that is not a VSIC 2018 section or code."""


@dataclass(frozen=True)
class Vsic:
    code: str  # as given, normalised (upper-case letter or digits)
    section: str
    division: str | None


def parse(raw: str) -> Vsic:
    """Normalise a VSIC 2018 code; raises ``InvalidVsicError`` for an unknown one."""
    value = re.sub(r"[\s.]", "", raw or "").upper()
    if not _CODE.match(value):
        raise InvalidVsicError(raw)
    if value.isalpha():
        return Vsic(value, value, None)
    section = DIVISION_SECTION.get(value[:2])
    if section is None:
        raise InvalidVsicError(raw)
    return Vsic(value, section, value[:2])


def sector_of(raw: str) -> str:
    """The product's sector of a VSIC code (see the module docstring)."""
    vsic = parse(raw)
    if vsic.division is not None and vsic.division in _DIVISION_SECTOR:
        return _DIVISION_SECTOR[vsic.division]
    return _SECTION_SECTOR.get(vsic.section, "general")


def size_group(raw: str) -> str:
    """``agri_industry`` (agriculture, forestry, fishing; industry and construction) or
    ``trade_services``: the field groups of Decree 80/2021/NĐ-CP, Article 5."""
    return "agri_industry" if parse(raw).section in _AGRI_INDUSTRY_SECTIONS else "trade_services"
