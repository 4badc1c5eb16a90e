"""Vietnamese text helpers: normalisation, diacritic-insensitive search keys and collation.

Pure Python (standard library only), no Django. All functions accept any Unicode string;
precomposed (NFC) and decomposed (NFD) spellings of the same text give the same results.

Collation (:func:`vi_sort_key`) follows the order used by Vietnamese dictionaries:

* Text is compared **syllable by syllable** (a syllable is a run of letters or a run of
  digits; spaces and punctuation only separate syllables). So ``"ba" < "ba ba" < "bà" <
  "bà con"`` and ``"Hà Nội" < "Hạ Long" < "Hải Dương"``.
* Within a syllable the **primary** key is the sequence of letters in the Vietnamese
  alphabet ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y``, case-insensitive.
  The Latin letters that are not part of the Vietnamese alphabet sit where the Latin
  alphabet puts them (``f`` after ``ê``, ``j`` after ``i``, ``w`` after ``v``, ``z`` after
  ``y``).
* The **secondary** key is the tone of the syllable, in the conventional dictionary order:
  no tone (ngang) < huyền < hỏi < ngã < sắc < nặng.
* A run of digits is one element that sorts before every letter, by numeric value
  ("Phường 2" < "Phường 10"). Any other character (symbols, letters of other scripts)
  sorts after the letters, by the code point of its lower-case form. Whitespace and punctuation are not compared,
  they only separate syllables.
* Ties are broken by case (lower case first) and finally by the NFC string itself, so the
  order is total and deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar, overload

__all__ = [
    "ViSortKey",
    "clean",
    "fold",
    "nfc",
    "normalise_name_for_matching",
    "vi_sort_key",
    "vi_sorted",
]

T = TypeVar("T")

# --------------------------------------------------------------------------- normalisation


def nfc(s: str) -> str:
    """Return ``s`` in Unicode normalisation form C (precomposed characters)."""
    return unicodedata.normalize("NFC", s)


def clean(s: str) -> str:
    """NFC, strip, and collapse every run of whitespace to a single space."""
    return " ".join(nfc(s).split())


# --------------------------------------------------------------------------- folding

# Letters with a stroke do not decompose under NFD; map them explicitly. U+00D0/U+00F0
# (eth) and U+0189/U+0256 are common look-alikes typed instead of Đ/đ.
_STROKE_MAP = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ɖ": "d",
        "Ɖ": "D",
    }
)


def _strip_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s.translate(_STROKE_MAP))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(s: str) -> str:
    """Search key ignoring Vietnamese diacritics, case and extra whitespace.

    ``fold("Hà Nội") == fold("HÀ NỘI") == fold("ha  noi") == "ha noi"``; ``đ`` becomes
    ``d``, ``ư``/``ơ`` become ``u``/``o``. Punctuation is kept (see
    :func:`normalise_name_for_matching` for a key that also drops it).
    """
    return " ".join(_strip_marks(nfc(s)).casefold().split())


# --------------------------------------------------------------------------- collation

_ALPHABET = (
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
)

# Combining marks that change the letter itself (ă â ê ô ơ ư) ...
_QUALITY_MARKS = frozenset({"\u0306", "\u0302", "\u031b"})
# ... and the five tone marks, in dictionary order (no tone = 0).
_TONE_WEIGHT = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}

# NFD spelling of a letter without tone (base + quality marks, marks sorted) -> rank.
_LETTER_RANK: dict[str, int] = {}
for _rank, _letter in enumerate(_ALPHABET):
    _nfd = unicodedata.normalize("NFD", _letter)
    _LETTER_RANK[_nfd[0] + "".join(sorted(_nfd[1:]))] = _rank
del _rank, _letter, _nfd

_DIGIT, _LETTER, _OTHER = 0, 1, 2

# One collation element: (class, weight). Digits runs: (0, value); letters: (1, rank);
# anything else: (2, code point).
Element = tuple[int, int]
SyllableKey = tuple[tuple[Element, ...], tuple[int, ...]]
ViSortKey = tuple[tuple[SyllableKey, ...], tuple[int, ...], str]


def _clusters(s: str) -> list[tuple[str, str]]:
    """Split NFD text into (base character, combining marks) clusters."""
    out: list[tuple[str, str]] = []
    for ch in s:
        if unicodedata.combining(ch) and out:
            base, marks = out[-1]
            out[-1] = (base, marks + ch)
        else:
            out.append((ch, ""))
    return out


def vi_sort_key(s: str) -> ViSortKey:
    """Collation key for Vietnamese alphabetical order (see the module docstring)."""
    text = nfc(s)
    syllables: list[SyllableKey] = []
    case: list[int] = []
    primary: list[Element] = []
    tones: list[int] = []
    digits = ""

    def end_digits() -> None:
        nonlocal digits
        if digits:
            primary.append((_DIGIT, int(digits)))
            tones.append(0)
            digits = ""

    def end_syllable() -> None:
        end_digits()
        if primary:
            syllables.append((tuple(primary), tuple(tones)))
            primary.clear()
            tones.clear()

    for base, marks in _clusters(unicodedata.normalize("NFD", text)):
        lower = base.lower()
        if base.isdigit() and base.isascii():
            if primary and primary[-1][0] != _DIGIT and not digits:
                end_syllable()
            digits += base
            continue
        if digits:
            # A letter right after digits starts a new syllable ("12a" -> 12, a).
            end_syllable()
        if base.isspace() or unicodedata.category(base)[0] in "PZ":
            end_syllable()
            continue
        quality = "".join(sorted(m for m in marks if m in _QUALITY_MARKS))
        tone = max((_TONE_WEIGHT.get(m, 0) for m in marks), default=0)
        rank = _LETTER_RANK.get(lower + quality)
        if rank is None:
            rank = _LETTER_RANK.get(lower)
        if rank is not None:
            primary.append((_LETTER, rank))
        else:
            primary.append((_OTHER, ord(lower)))
        tones.append(tone)
        case.append(1 if base != lower else 0)
    end_syllable()
    return tuple(syllables), tuple(case), text


@overload
def vi_sorted(iterable: Iterable[str], key: None = None, *, reverse: bool = False) -> list[str]: ...
@overload
def vi_sorted(
    iterable: Iterable[T], key: Callable[[T], str], *, reverse: bool = False
) -> list[T]: ...
def vi_sorted(
    iterable: Iterable[T], key: Callable[[T], str] | None = None, *, reverse: bool = False
) -> list[T]:
    """``sorted`` in Vietnamese alphabetical order; ``key`` extracts the text to compare."""
    if key is None:
        return sorted(iterable, key=lambda item: vi_sort_key(str(item)), reverse=reverse)
    extract = key
    return sorted(iterable, key=lambda item: vi_sort_key(extract(item)), reverse=reverse)


# --------------------------------------------------------------------------- matching

_PREFIXES = ("thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "xã", "phường", "quận", "huyện")
# Prefixes matched with their diacritics, so that "Tĩnh Gia", "Quan Hóa" or "Phương Liệt"
# keep their first syllable.
_PREFIX_RE = re.compile(r"^(?:(?:" + "|".join(_PREFIXES) + r")\s+|tp\s*\.\s*|tp\s+)")
# For input typed without any diacritics the prefixes can only be recognised folded.
_PREFIX_FOLDED_RE = re.compile(
    r"^(?:(?:" + "|".join(fold(p) for p in _PREFIXES) + r")\s+|tp\s*\.\s*|tp\s+)"
)
_NON_WORD_RE = re.compile(r"[\W_]+")
_LEADING_ZEROS_RE = re.compile(r"\b0+(?=\d)")


def normalise_name_for_matching(s: str) -> str:
    """Key for duplicate detection and search of administrative-unit names.

    Folds diacritics and case, removes one leading administrative prefix ("Thành phố",
    "Tỉnh", "Xã", "Phường", "Đặc khu", "Quận", "Huyện", "Thị xã", "Thị trấn", "TP.", "TP"),
    turns punctuation into spaces and drops leading zeros of numbers:
    ``"Thành phố Hà Nội"``, ``"TP. Hà Nội"`` and ``"ha noi"`` all give ``"ha noi"``;
    ``"Phường 01"`` and ``"phuong 1"`` give ``"1"``.

    A prefix is recognised with its diacritics when the input has any, so a name that
    merely starts with the same letters ("Phương Liệt", "Tĩnh Gia") is left alone. Input
    without any diacritics is matched against the folded prefixes.
    """
    text = clean(s).casefold()
    if fold(text) == text:
        text = _PREFIX_FOLDED_RE.sub("", text, count=1)
    else:
        text = _PREFIX_RE.sub("", text, count=1)
    text = _NON_WORD_RE.sub(" ", fold(text))
    text = _LEADING_ZEROS_RE.sub("", text)
    return " ".join(text.split())
