"""Identity of respondent organisations (no Django here).

- Tax codes (mã số thuế) are checked with ``python-stdnum``'s ``vn.mst``: 10 digits, or 13
  with a branch suffix (``0100233488-001``), check digit validated; stored compact.
- Household businesses and individuals may use the owner's 12-digit citizen-ID number (the
  individual tax code since 2025): three digits of the province of birth registration
  (001–096), one digit of century and sex, two of the birth year, six serial digits.
- Duplicates are caught by tax code and by ``dedupe_key(name, commune_code)``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from thuocdo.core.text import clean, fold

IdKind = Literal["tax_code", "citizen_id"]

_CITIZEN_ID = re.compile(r"^\d{12}$")
_LEGAL_FORMS = (
    "cong ty trach nhiem huu han mot thanh vien",
    "cong ty trach nhiem huu han",
    "cong ty co phan",
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "cong ty cp",
    "cty tnhh",
    "cty cp",
    "doanh nghiep tu nhan",
    "hop tac xa",
    "ho kinh doanh",
    "cong ty",
    "cty",
    "htx",
    "dntn",
    "hkd",
)
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class InvalidIdentifierError(ValueError):
    """``code`` is one of ``format``, ``checksum``, ``citizen_id``."""

    code: str
    value: str

    def __str__(self) -> str:
        return f"{self.code}: {self.value}"


def normalise_identifier(raw: str) -> tuple[IdKind, str]:
    """Classify and normalise a tax code or citizen-ID number; raises ``InvalidIdentifierError``."""
    value = re.sub(r"[\s.\-]", "", clean(raw))
    if _CITIZEN_ID.match(value):
        province = int(value[:3])
        if not 1 <= province <= 96:
            raise InvalidIdentifierError("citizen_id", raw)
        return "citizen_id", value
    if not value.isdigit() or len(value) not in (10, 13):
        raise InvalidIdentifierError("format", raw)
    try:
        return "tax_code", mst.validate(value)
    except StdnumError:
        raise InvalidIdentifierError("checksum", raw) from None


def dedupe_key(name: str, commune_code: str) -> str:
    """Name folded (diacritics, case, punctuation, legal-form words removed) + commune code."""
    folded = " ".join(_PUNCT.sub(" ", fold(name)).split())
    for form in _LEGAL_FORMS:
        if folded.startswith(form + " "):
            folded = folded[len(form) + 1 :]
            break
    return f"{commune_code}:{folded}"


def new_registry_id() -> str:
    """A registry id for an organisation without a tax code: ``TD-`` and 10 characters."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "TD-" + "".join(secrets.choice(alphabet) for _ in range(10))
