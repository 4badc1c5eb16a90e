"""Vietnamese collation as a plain string, so databases can ORDER BY it.

``vi_collation_key`` encodes ``text.vi_sort_key`` with digits and lowercase ASCII letters
only, in a way that keeps its order under byte comparison and under the usual database
collations (C, C.UTF-8, en_US).
"""

from __future__ import annotations

import string

from thuocdo.core.text import vi_sort_key

_B36 = string.digits + string.ascii_lowercase
_END = "0"
_CLASS_CODE = {0: "1", 1: "2", 2: "3"}
_WIDTH = {0: 6, 1: 2, 2: 4}


def _base36(value: int, width: int) -> str:
    value = max(0, min(value, 36**width - 1))
    out = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        out.append(_B36[digit])
    return "".join(reversed(out))


def vi_collation_key(text: str) -> str:
    """A string whose byte order is Vietnamese alphabetical order of ``text``."""
    syllables, _case, _text = vi_sort_key(text)
    parts: list[str] = []
    for primary, tones in syllables:
        for cls, weight in primary:
            parts.append(_CLASS_CODE[cls] + _base36(weight, _WIDTH[cls]))
        parts.append(_END)
        parts.append("".join(str(t + 1) for t in tones))
        parts.append(_END)
    parts.append(_END)
    return "".join(parts)
