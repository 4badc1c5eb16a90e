"""Tests for thuocdo.core.text (no Django needed)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from thuocdo.core.text import (
    clean,
    fold,
    nfc,
    normalise_name_for_matching,
    vi_sort_key,
    vi_sorted,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --------------------------------------------------------------------------- nfc / clean


def test_nfc_composes_decomposed_input() -> None:
    assert nfc(nfd("Hà Nội")) == "Hà Nội"
    assert len(nfc(nfd("Nguyễn"))) == len("Nguyễn") == 6


def test_clean_strips_and_collapses_whitespace() -> None:
    assert clean("  Phường \t Ba   Đình\n") == "Phường Ba Đình"
    assert clean(nfd(" Xã  Đàm Thủy ")) == "Xã Đàm Thủy"
    assert clean("") == ""


# --------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", "ha noi"),
        ("HÀ NỘI", "ha noi"),
        ("ha noi", "ha noi"),
        ("  Hà   Nội ", "ha noi"),
        ("Đà Nẵng", "da nang"),
        ("đường", "duong"),
        ("ĐƯỜNG", "duong"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("ư ơ Ư Ơ", "u o u o"),
        ("Ăn Âm Ê Ô", "an am e o"),
        ("Bà Rịa - Vũng Tàu", "ba ria - vung tau"),
        ("Ðà Lạt", "da lat"),  # eth typed instead of Đ
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_decomposed_equals_composed() -> None:
    for word in ["Hà Nội", "Nguyễn Thị Minh Khai", "Quảng Ngãi", "Ưu Đàm", "Đắk Lắk"]:
        assert fold(nfd(word)) == fold(word)


def test_fold_all_vowels_with_tones() -> None:
    vowels = {
        "a": "aàảãáạăằẳẵắặâầẩẫấậ",
        "e": "eèẻẽéẹêềểễếệ",
        "i": "iìỉĩíị",
        "o": "oòỏõóọôồổỗốộơờởỡớợ",
        "u": "uùủũúụưừửữứự",
        "y": "yỳỷỹýỵ",
    }
    for base, variants in vowels.items():
        for ch in variants:
            assert fold(ch) == base
            assert fold(ch.upper()) == base
            assert fold(nfd(ch)) == base


# --------------------------------------------------------------------------- collation


def test_sort_province_names() -> None:
    expected = [
        "An Giang",
        "Bắc Ninh",
        "Cà Mau",
        "Cao Bằng",
        "Dak Lak",
        "Đà Nẵng",
        "Điện Biên",
        "Gia Lai",
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert vi_sorted(shuffled) == expected


def test_letters_with_marks_follow_their_base_letter() -> None:
    # ă and â are letters after a; all a-words come first.
    assert vi_sorted(["Âu", "Ăn", "Az", "An"]) == ["An", "Az", "Ăn", "Âu"]
    # đ comes after every d-word.
    assert vi_sorted(["Đa", "Dz", "Dy", "Da"]) == ["Da", "Dy", "Dz", "Đa"]
    # ê after e, ô and ơ after o, ư after u.
    assert vi_sorted(["ê", "e", "ơ", "ô", "o", "ư", "u"]) == ["e", "ê", "o", "ô", "ơ", "u", "ư"]


def test_full_alphabet_order() -> None:
    alphabet = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    shuffled = alphabet[:]
    random.Random(3).shuffle(shuffled)
    assert vi_sorted(shuffled) == alphabet


def test_tone_order() -> None:
    # no tone < huyền < hỏi < ngã < sắc < nặng
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vi_sorted(reversed(tones)) == tones
    # Letters decide before tones.
    assert vi_sorted(["mạ", "mai"]) == ["mạ", "mai"]


def test_syllable_by_syllable_like_a_dictionary() -> None:
    assert vi_sorted(["bà con", "bà", "ba ba", "ba"]) == ["ba", "ba ba", "bà", "bà con"]
    assert vi_sorted(["Hải Dương", "Hạ Long", "Hà Nội", "Hà Nam"]) == [
        "Hà Nam",
        "Hà Nội",
        "Hạ Long",
        "Hải Dương",
    ]


def test_sort_is_case_insensitive_with_lower_case_first_on_ties() -> None:
    assert vi_sorted(["b", "A", "a", "B"]) == ["a", "A", "b", "B"]
    assert vi_sorted(["HÀ NỘI", "Hà Nam"]) == ["Hà Nam", "HÀ NỘI"]


def test_numbers_sort_numerically_before_letters() -> None:
    assert vi_sorted(["Phường 10", "Phường 2", "Phường An Lạc", "Phường 1"]) == [
        "Phường 1",
        "Phường 2",
        "Phường 10",
        "Phường An Lạc",
    ]


def test_unknown_characters_sort_after_letters_by_code_point() -> None:
    # Compared by the code point of the lower-case form: ω U+03C9 < ж U+0436 < 日 U+65E5.
    assert vi_sorted(["Ω", "z", "日本", "ж", "y"]) == ["y", "z", "Ω", "ж", "日本"]


def test_punctuation_only_separates_syllables() -> None:
    assert vi_sort_key("Bà Rịa - Vũng Tàu")[0] == vi_sort_key("Bà Rịa Vũng Tàu")[0]
    assert vi_sorted(["Văn Miếu - Quốc Tử Giám", "Văn Miếu"]) == [
        "Văn Miếu",
        "Văn Miếu - Quốc Tử Giám",
    ]


def test_nfd_input_sorts_equal_to_nfc() -> None:
    words = ["Đắk Lắk", "Hà Nội", "Quảng Ngãi", "Ưu", "Thừa Thiên Huế"]
    for word in words:
        assert vi_sort_key(nfd(word)) == vi_sort_key(word)
    assert vi_sorted([nfd(w) for w in words]) == [nfd(w) for w in vi_sorted(words)]


def test_any_unicode_string_has_a_key() -> None:
    for text in ["", " ", "-", "\u0301", "a\u0301\u0301", "🙂", "x" * 500, "123abc"]:
        vi_sort_key(text)
    assert vi_sorted(["", "a"]) == ["", "a"]


def test_order_is_total_and_deterministic() -> None:
    words = ["a", "A", "à", "À", "a ", "a-", "a b", "ab"]
    once = vi_sorted(words)
    for seed in range(5):
        shuffled = words[:]
        random.Random(seed).shuffle(shuffled)
        assert vi_sorted(shuffled) == once


def test_vi_sorted_with_key_and_reverse() -> None:
    rows = [("x", "Đà Nẵng"), ("y", "An Giang"), ("z", "Dak Lak")]
    assert vi_sorted(rows, key=lambda r: r[1]) == [rows[1], rows[2], rows[0]]
    assert vi_sorted(rows, key=lambda r: r[1], reverse=True) == [rows[0], rows[2], rows[1]]


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thành phố Hà Nội", "ha noi"),
        ("THÀNH PHỐ HÀ NỘI", "ha noi"),
        ("TP. Hà Nội", "ha noi"),
        ("TP Hà Nội", "ha noi"),
        ("Tp.Hồ Chí Minh", "ho chi minh"),
        ("thanh pho ho chi minh", "ho chi minh"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "ba ria vung tau"),
        ("Xã Ea H’Leo", "ea h leo"),
        ("xa Ea H'leo", "ea h leo"),
        ("Phường Ba Đình", "ba dinh"),
        ("Đặc khu Côn Đảo", "con dao"),
        ("Quận Ba Đình", "ba dinh"),
        ("Huyện Quan Hóa", "quan hoa"),
        ("Thị xã Sơn Tây", "son tay"),
        ("Thị trấn Yên Mỹ", "yen my"),
        ("Phường 01", "1"),
        ("phuong 1", "1"),
        ("  Hà   Nội  ", "ha noi"),
    ],
)
def test_normalise_name_for_matching(text: str, expected: str) -> None:
    assert normalise_name_for_matching(text) == expected


def test_matching_keeps_names_that_only_look_like_prefixes() -> None:
    # With diacritics, "Phương", "Tĩnh" and "Quan" are not the prefixes "Phường", "Tỉnh", "Quận".
    assert normalise_name_for_matching("Phương Liệt") == "phuong liet"
    assert normalise_name_for_matching("Phường Phương Liệt") == "phuong liet"
    assert normalise_name_for_matching("Tĩnh Gia") == "tinh gia"
    assert normalise_name_for_matching("Quan Hóa") == "quan hoa"


def test_matching_removes_only_one_prefix() -> None:
    assert normalise_name_for_matching("Xã Xá Lượng") == "xa luong"


def test_matching_nfd_equals_nfc() -> None:
    for text in ["Thành phố Hà Nội", "Đặc khu Phú Quốc", "Thị trấn Đông Anh"]:
        assert normalise_name_for_matching(nfd(text)) == normalise_name_for_matching(text)
