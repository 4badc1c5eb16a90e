from __future__ import annotations

import pytest

from thuocdo.assessments.domain import size, vsic


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("0111", "agriculture"),  # growing rice
        ("A", "agriculture"),
        ("1010", "manufacturing"),  # processing meat
        ("3320", "manufacturing"),
        ("4711", "retail"),  # retail in supermarkets
        ("46", "retail"),
        ("4933", "logistics"),  # road freight
        ("53200", "logistics"),  # courier
        ("5510", "tourism"),  # short-term accommodation
        ("5610", "tourism"),  # restaurants
        ("7911", "tourism"),  # travel agencies
        ("9321", "tourism"),  # amusement parks
        ("6201", "general"),  # software
        ("7810", "general"),  # employment agencies: section N but not 79
        ("F", "general"),
        (" 47.11 ", "retail"),
    ],
)
def test_sector_of(code: str, sector: str) -> None:
    assert vsic.sector_of(code) == sector


@pytest.mark.parametrize("bad", ["", "4", "04", "V", "123456", "ab", "34", "9a"])
def test_unknown_codes_rejected(bad: str) -> None:
    with pytest.raises(vsic.InvalidVsicError):
        vsic.parse(bad)


def test_every_division_maps_to_a_product_sector() -> None:
    for division in vsic.DIVISION_SECTION:
        assert vsic.sector_of(division) in vsic.SECTORS


def test_size_groups() -> None:
    assert vsic.size_group("0111") == "agri_industry"
    assert vsic.size_group("4100") == "agri_industry"  # construction
    assert vsic.size_group("4711") == "trade_services"


BN = size.BN


@pytest.mark.parametrize(
    ("employees", "revenue", "capital", "group", "expected"),
    [
        (10, 3 * BN, None, "agri_industry", "micro"),
        (10, 3 * BN + 1, None, "agri_industry", "small"),
        (10, 3 * BN + 1, 3 * BN, "agri_industry", "micro"),  # revenue OR capital
        (11, 1 * BN, 1 * BN, "agri_industry", "small"),  # employees always count
        (100, 50 * BN, None, "agri_industry", "small"),
        (101, 10 * BN, None, "agri_industry", "medium"),
        (200, 200 * BN, None, "agri_industry", "medium"),
        (201, 1 * BN, None, "agri_industry", "large"),
        (150, 500 * BN, 500 * BN, "agri_industry", "large"),
        (10, 10 * BN, None, "trade_services", "micro"),  # services: 10 bn for micro
        (10, 10 * BN + 1, 3 * BN + 1, "trade_services", "small"),
        (50, 100 * BN, None, "trade_services", "small"),
        (51, 100 * BN, None, "trade_services", "medium"),
        (100, 300 * BN, None, "trade_services", "medium"),
        (101, 0, 0, "trade_services", "large"),
        (5, None, None, "trade_services", "micro"),  # employees only
        (60, None, None, "agri_industry", "small"),
    ],
)
def test_size_class(
    employees: int, revenue: int | None, capital: int | None, group: str, expected: str
) -> None:
    assert (
        size.size_class(employees=employees, revenue=revenue, capital=capital, group=group)
        == expected
    )


def test_size_class_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        size.size_class(employees=-1)
    with pytest.raises(ValueError, match="unknown group"):
        size.size_class(employees=1, group="mining")
