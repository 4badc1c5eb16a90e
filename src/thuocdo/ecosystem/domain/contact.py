"""How a respondent without an account may be contacted: a Vietnamese phone number or an
e-mail address (pure; no Django).

Phone numbers are accepted with spaces, dots, dashes or brackets and with the country code
(``+84``, ``84``) or the leading ``0``; they are kept in the national form ``0…``: a mobile
number has ten digits, ``0`` then 3, 5, 7, 8 or 9 (``09x``, ``03x`` …), a fixed line eleven,
``02`` then the area code and the subscriber number.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]+")
_MOBILE = re.compile(r"0[35789]\d{8}")
_FIXED = re.compile(r"02\d{9}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")


def normalise_phone(raw: str) -> str | None:
    """The national form of a Vietnamese phone number, or None when ``raw`` is not one."""
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if _MOBILE.fullmatch(text) or _FIXED.fullmatch(text):
        return text
    return None


def looks_like_email(raw: str) -> bool:
    """A light shape check (the service also runs Django's validator)."""
    return len(raw) <= 254 and _EMAIL.fullmatch(raw.strip()) is not None
