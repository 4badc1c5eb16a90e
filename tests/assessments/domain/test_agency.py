"""The electronic identifier code of agencies (pure)."""

from __future__ import annotations

import pytest

from thuocdo.assessments.domain.agency import (
    InvalidAgencyCodeError,
    looks_like_agency_code,
    parse_agency_code,
    province_prefix,
)


@pytest.mark.parametrize(
    ("raw", "text", "top", "level"),
    [
        ("000.00.00.H26", "000.00.00.H26", "H26", 1),
        (" 000.00.31.h26 ", "000.00.31.H26", "H26", 2),
        ("000.05.31.H26", "000.05.31.H26", "H26", 3),
        ("012.05.31.G07", "012.05.31.G07", "G07", 4),
        # codes in use on the national document and service exchanges
        ("000.00.00.G12", "000.00.00.G12", "G12", 1),  # a ministry
        ("000.00.18.G12", "000.00.18.G12", "G12", 2),  # a general department under it
        ("000.00.00.G22", "000.00.00.G22", "G22", 1),
        ("000.00.00.H41", "000.00.00.H41", "H41", 1),  # a province
    ],
)
def test_valid_codes(raw: str, text: str, top: str, level: int) -> None:
    code = parse_agency_code(raw)
    assert (code.text, code.top, code.level) == (text, top, level)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0100233488", "format"),
        ("000.00.31", "format"),
        ("00.00.31.H26", "format"),
        ("000.00.31.226", "format"),
        ("000.00.31.H2", "format"),
        ("000-00-31-H26", "format"),
        ("000.00.31.H00", "level1"),
        ("000.05.00.H26", "hierarchy"),
        ("001.00.31.H26", "hierarchy"),
    ],
)
def test_malformed_codes_name_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidAgencyCodeError) as exc:
        parse_agency_code(raw)
    assert exc.value.code == reason


def test_lookup_box_and_province_prefix() -> None:
    assert looks_like_agency_code("000.00.31.H26")
    assert not looks_like_agency_code("0100233488")
    assert province_prefix("2025/01/00004/") == "2025/01/"
