"""Agencies of the state: entity types and the electronic identifier code (no Django here).

The electronic identifier code of an agency (mã định danh điện tử, Decision 20/2020/QĐ-TTg,
structure of QCVN 102:2016/BTTTT) has four parts separated by dots, written from the lowest
level to the highest: ``M4.M3.M2.M1``, e.g. ``000.00.31.H26`` (a department of a province).

- ``M1`` (level 1): one capital letter naming the group (``G`` ministries and government
  bodies, ``H`` provinces, others for the Party, the National Assembly, courts…) and two digits
  (``01``–``99``);
- ``M2``, ``M3`` (levels 2 and 3): two digits each, ``00`` when the unit is above that level;
- ``M4`` (level 4): three digits, ``000`` when the unit is above that level.

A level can be non-zero only when every level above it is: ``000.05.00.H26`` is malformed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGENCY_DEPARTMENT = "agency_department"
AGENCY_COMMUNE = "agency_commune"
AGENCY_MINISTRY_UNIT = "agency_ministry_unit"
PUBLIC_SERVICE_UNIT = "public_service_unit"
AGENCY_TYPES: frozenset[str] = frozenset(
    {AGENCY_DEPARTMENT, AGENCY_COMMUNE, AGENCY_MINISTRY_UNIT, PUBLIC_SERVICE_UNIT}
)
# entity types whose agencies belong to a province (a parent must be in the same province)
PROVINCIAL_TYPES: frozenset[str] = frozenset({AGENCY_DEPARTMENT, AGENCY_COMMUNE})
# the level-1 group letter each type must carry (public service units may sit under either)
GROUP_OF_TYPE: dict[str, str] = {
    AGENCY_DEPARTMENT: "H",
    AGENCY_COMMUNE: "H",
    AGENCY_MINISTRY_UNIT: "G",
}

_CODE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z])(\d{2})$")


@dataclass(frozen=True)
class AgencyCode:
    """A parsed electronic identifier code."""

    level4: str
    level3: str
    level2: str
    group: str
    level1: str

    @property
    def text(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.group}{self.level1}"

    @property
    def top(self) -> str:
        """The level-1 unit (``H26``): the province or ministry the agency belongs to."""
        return self.group + self.level1

    @property
    def level(self) -> int:
        """1 for the level-1 unit itself, up to 4."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1


@dataclass(frozen=True)
class InvalidAgencyCodeError(ValueError):
    """``code`` is ``format`` (not ``DDD.DD.DD.LDD``), ``level1`` (``x00``) or ``hierarchy``
    (a lower level set under an empty higher one)."""

    code: str
    value: str

    def __str__(self) -> str:
        return f"{self.code}: {self.value}"


def parse_agency_code(raw: str) -> AgencyCode:
    """Parse and check an electronic identifier code; spaces are dropped and the group letter
    upper-cased. Raises ``InvalidAgencyCodeError``."""
    value = re.sub(r"\s", "", raw or "").upper()
    match = _CODE.match(value)
    if match is None:
        raise InvalidAgencyCodeError("format", raw)
    code = AgencyCode(*match.groups())
    if code.level1 == "00":
        raise InvalidAgencyCodeError("level1", raw)
    if (code.level3 != "00" and code.level2 == "00") or (
        code.level4 != "000" and (code.level3 == "00" or code.level2 == "00")
    ):
        raise InvalidAgencyCodeError("hierarchy", raw)
    return code


def looks_like_agency_code(raw: str) -> bool:
    """Whether an identifier typed in a lookup box is meant as an agency code (has dots and a
    letter), so it is not read as a tax code."""
    value = (raw or "").strip()
    return value.count(".") == 3 and any(ch.isalpha() for ch in value)


def province_prefix(unit_path: str) -> str:
    """The province part of a materialised unit path (``2025/01/00004/`` → ``2025/01/``)."""
    parts = [p for p in unit_path.split("/") if p]
    return "/".join(parts[:2]) + "/" if len(parts) >= 2 else unit_path
