"""A CSV in a legacy encoding is decoded correctly (Windows-1258) or refused naming the
encoding it seems to be in (Windows-1252 / ISO-8859-1), never silently misread."""

from __future__ import annotations

import pytest
from tests.assessments.importing.factories import to_windows_1258

from thuocdo.assessments.importing.reader import ImportRefused, read_csv_bytes

HEADER = "ten_to_chuc;xa\r\n"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_windows_1252_file_is_refused_naming_the_encoding(encoding: str) -> None:
    data = (HEADER + "Công ty Thõa Thuận;Phường Ba Đình\r\n").encode(encoding, errors="replace")
    with pytest.raises(ImportRefused) as caught:
        read_csv_bytes(data)
    assert caught.value.problems[0].code == "file.encoding_cp1252"


def test_a_windows_1252_file_with_grave_accents_is_refused() -> None:
    data = (HEADER + "Hì hì;Xã Hòa Bình\r\n").encode("cp1252", errors="replace")
    with pytest.raises(ImportRefused) as caught:
        read_csv_bytes(data)
    assert caught.value.problems[0].code == "file.encoding_cp1252"


@pytest.mark.parametrize(
    "name",
    ["Hợp tác xã Thỏa Thuận", "Công ty Thõa", "Đà Nẵng", "Thị trấn Ơ Rê", "Hà Nội"],
)
def test_a_windows_1258_file_is_decoded(name: str) -> None:
    table = read_csv_bytes(to_windows_1258(HEADER + f"{name};Phường Ba Đình\r\n"))
    assert table.encoding == "windows-1258"
    assert table.rows[0][0] == name


def test_the_refusal_says_what_to_do() -> None:
    from thuocdo.assessments.importing.messages import render

    text = render("file.encoding_cp1252", {}, "vi")
    assert "Windows-1252" in text and "UTF-8" in text
