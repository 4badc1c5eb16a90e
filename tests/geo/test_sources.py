"""Tests for thuocdo.geo.sources (no Django needed)."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict

import pytest

from thuocdo.geo import sources
from thuocdo.geo.sources import UnitRecord


def by_level(units: list[UnitRecord], level: str) -> list[UnitRecord]:
    return [u for u in units if u.level == level]


def province_code(units: list[UnitRecord], name: str) -> str:
    [unit] = [u for u in units if u.level == "province" and u.name == name]
    return unit.code


@pytest.fixture(scope="module")
def current() -> list[UnitRecord]:
    return sources.current_units()


@pytest.fixture(scope="module")
def legacy() -> list[UnitRecord]:
    return sources.legacy_units()


# --------------------------------------------------------------------------- loading


def test_datasets_are_read_once_per_process() -> None:
    caches = (
        sources._vau_rows,
        sources._current,
        sources._legacy,
        sources._raw_links,
        sources._links,
        sources._overrides,
        sources._district_pairs,
        sources._province_pairs,
        sources._cross_check,
    )
    for cached in caches:
        cached.cache_clear()
    for _ in range(3):
        sources.current_units()
        sources.legacy_units()
        sources.legacy_commune_mapping()
        sources.legacy_province_mapping()
        sources.dataset_info()
    for cached in caches:
        assert cached.cache_info().misses <= 1, cached


# --------------------------------------------------------------------------- current


def test_current_counts(current: list[UnitRecord]) -> None:
    assert len(by_level(current, "province")) == 34
    assert len(by_level(current, "commune")) == 3321
    assert len(current) == 34 + 3321
    assert all(u.level == "province" for u in current[:34])
    assert Counter(u.kind for u in current) == {
        "thanh-pho-tw": 6,
        "tinh": 28,
        "xa": 2621,
        "phuong": 687,
        "dac-khu": 13,
    }


def test_current_codes_are_unique_and_zero_padded(current: list[UnitRecord]) -> None:
    assert len({u.code for u in current}) == len(current)
    for unit in current:
        width = 2 if unit.level == "province" else 5
        assert len(unit.code) == width
        assert unit.code.isdigit()


def test_every_current_commune_has_a_current_province_parent(current: list[UnitRecord]) -> None:
    provinces = {u.code for u in by_level(current, "province")}
    for unit in by_level(current, "commune"):
        assert unit.parent_code in provinces
    for unit in by_level(current, "province"):
        assert unit.parent_code is None
    # Every province has communes.
    assert {u.parent_code for u in by_level(current, "commune")} == provinces


def test_current_examples(current: list[UnitRecord]) -> None:
    units = {u.code: u for u in current}
    assert units["01"] == UnitRecord(
        "01", "Thành phố Hà Nội", "Hà Nội", "province", "thanh-pho-tw", None, 21.0001, 105.698
    )
    assert units["08"].name == "Tỉnh Tuyên Quang"
    assert units["08"].kind == "tinh"
    ba_dinh = units["00004"]
    assert (ba_dinh.name, ba_dinh.short_name, ba_dinh.kind, ba_dinh.parent_code) == (
        "Phường Ba Đình",
        "Ba Đình",
        "phuong",
        "01",
    )
    # Published code of Phường Cửa Nam (the draft list had 00073).
    assert units["00082"].name == "Phường Cửa Nam"
    assert "00073" not in units


def test_names_are_clean_nfc_with_prefix(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    numbered = 0
    for unit in current + legacy:
        assert unicodedata.normalize("NFC", unit.name) == unit.name
        assert " ".join(unit.name.split()) == unit.name
        if unit.short_name == unit.name:
            numbered += 1
            assert unit.name.split()[-1].isdigit()
        else:
            assert unit.name.endswith(" " + unit.short_name)
    # Legacy "Phường 1", "Quận 12" ... keep their type in the short name.
    assert numbered == 251


def test_kind_and_prefix_come_from_the_name(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    # The package's type column says "Xã"/"Phường" the other way round for these.
    current_by_code = {u.code: u for u in current}
    assert current_by_code["10543"].name == "Phường Việt Hòa"
    assert current_by_code["10543"].kind == "phuong"
    assert current_by_code["31299"].name == "Xã Phong Điền"
    assert current_by_code["31299"].kind == "xa"
    legacy_by_code = {(u.level, u.code): u for u in legacy}
    assert legacy_by_code["commune", "15061"].kind == "thi-tran"
    # "Thị Trấn Ái Tử" and "Thành Phố Bắc Kạn" in the data; written canonically here.
    assert legacy_by_code["commune", "19624"].name == "Thị trấn Ái Tử"
    assert legacy_by_code["district", "058"].name == "Thành phố Bắc Kạn"


def test_short_names(legacy: list[UnitRecord]) -> None:
    districts = {u.code: u for u in by_level(legacy, "district")}
    assert districts["447"].short_name == "Kỳ Anh"  # Huyện Kỳ Anh
    assert districts["449"].short_name == "Kỳ Anh"  # Thị xã Kỳ Anh
    assert districts["760"].short_name == "Quận 1"


def test_current_centroids_are_in_vietnam(current: list[UnitRecord]) -> None:
    for unit in current:
        assert unit.lat is not None
        assert unit.lon is not None
        assert 8.0 < unit.lat < 23.5, unit
        assert 102.0 < unit.lon < 117.5, unit  # Trường Sa is far east


# --------------------------------------------------------------------------- legacy


def test_legacy_counts(legacy: list[UnitRecord]) -> None:
    assert len(by_level(legacy, "province")) == 63
    assert len(by_level(legacy, "district")) == 696
    assert len(by_level(legacy, "commune")) == 10035
    assert Counter(u.kind for u in by_level(legacy, "district")) == {
        "huyen": 508,
        "thanh-pho": 87,
        "thi-xa": 52,
        "quan": 49,
    }
    assert Counter(u.kind for u in by_level(legacy, "commune")) == {
        "xa": 7692,
        "phuong": 1726,
        "thi-tran": 617,
    }


def test_legacy_hierarchy(legacy: list[UnitRecord]) -> None:
    provinces = {u.code for u in by_level(legacy, "province")}
    districts = {u.code: u for u in by_level(legacy, "district")}
    assert all(d.parent_code in provinces for d in districts.values())
    assert all(len(code) == 3 for code in districts)
    communes = by_level(legacy, "commune")
    assert all(c.parent_code in districts for c in communes)
    assert len({c.code for c in communes}) == len(communes)
    # Five island districts had no communes.
    with_communes = {c.parent_code for c in communes}
    empty = sorted(d.short_name for code, d in districts.items() if code not in with_communes)
    assert empty == ["Bạch Long Vĩ", "Côn Đảo", "Cồn Cỏ", "Hoàng Sa", "Lý Sơn"]


def test_legacy_examples(legacy: list[UnitRecord]) -> None:
    units = {(u.level, u.code): u for u in legacy}
    assert units["province", "02"].name == "Tỉnh Hà Giang"
    assert units["province", "46"].name == "Thành phố Huế"
    assert units["province", "46"].kind == "thanh-pho-tw"
    assert units["district", "001"].name == "Quận Ba Đình"
    phuc_xa = units["commune", "00001"]
    assert (phuc_xa.name, phuc_xa.parent_code, phuc_xa.kind) == ("Phường Phúc Xá", "001", "phuong")


# --------------------------------------------------------------------------- mapping


def test_every_legacy_commune_maps_to_a_current_commune(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    links = sources.legacy_commune_mapping()
    current_communes = {u.code for u in by_level(current, "commune")}
    legacy_communes = {u.code for u in by_level(legacy, "commune")}
    assert {link.legacy_code for link in links} == legacy_communes
    assert {link.current_code for link in links} <= current_communes
    # 10,597 links in the dataset's conversion, less the 31 spurious links dropped by
    # data/mapping_overrides.csv (tests/geo/test_mapping_overrides.py pins them).
    assert len(links) == 10597 - 31
    assert len(set(links)) == len(links)


def test_every_current_commune_receives_something(current: list[UnitRecord]) -> None:
    received = {link.current_code for link in sources.legacy_commune_mapping()}
    received |= {code for _, code in sources.legacy_district_mapping()}
    assert received == {u.code for u in by_level(current, "commune")}


def test_split_communes_have_exactly_one_primary() -> None:
    links = sources.legacy_commune_mapping()
    per_legacy: dict[str, list[bool]] = defaultdict(list)
    for link in links:
        per_legacy[link.legacy_code].append(link.is_primary)
    assert all(flags.count(True) == 1 for flags in per_legacy.values())
    split = [code for code, flags in per_legacy.items() if len(flags) > 1]
    # 471 in the dataset; 29 of them were split only by links to a same-named commune's
    # successor, which data/mapping_overrides.csv drops.
    assert len(split) == 471 - 29


def test_island_districts_map_to_special_zones(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    current_by_code = {u.code: u for u in current}
    legacy_by_code = {u.code: u for u in by_level(legacy, "district")}
    pairs = {
        legacy_by_code[d].short_name: current_by_code[c].name
        for d, c in sources.legacy_district_mapping()
        if legacy_by_code[d].short_name in {"Côn Đảo", "Hoàng Sa", "Lý Sơn"}
    }
    assert pairs == {
        "Côn Đảo": "Đặc khu Côn Đảo",
        "Hoàng Sa": "Đặc khu Hoàng Sa",
        "Lý Sơn": "Đặc khu Lý Sơn",
    }


@pytest.mark.parametrize(
    ("legacy_name", "current_name"),
    [
        ("Tỉnh Hà Giang", "Tỉnh Tuyên Quang"),
        ("Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"),
        ("Thành phố Hà Nội", "Thành phố Hà Nội"),
        ("Tỉnh Bình Dương", "Thành phố Hồ Chí Minh"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh"),
        ("Tỉnh Quảng Nam", "Thành phố Đà Nẵng"),
        ("Tỉnh Hải Dương", "Thành phố Hải Phòng"),
        ("Tỉnh Kon Tum", "Tỉnh Quảng Ngãi"),
        ("Tỉnh Cao Bằng", "Tỉnh Cao Bằng"),
    ],
)
def test_province_mapping_examples(
    current: list[UnitRecord], legacy: list[UnitRecord], legacy_name: str, current_name: str
) -> None:
    mapping = sources.legacy_province_mapping()
    old, new = province_code(legacy, legacy_name), province_code(current, current_name)
    assert [c for lp, c in mapping if lp == old] == [new]


def test_province_mapping_covers_both_sides(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    mapping = sources.legacy_province_mapping()
    assert {lp for lp, _ in mapping} == {u.code for u in by_level(legacy, "province")}
    assert {cp for _, cp in mapping} == {u.code for u in by_level(current, "province")}
    # In this data every legacy province lies within a single current province.
    assert len(mapping) == 63
    targets = Counter(cp for _, cp in mapping)
    assert targets[province_code(current, "Thành phố Hồ Chí Minh")] == 3
    assert targets[province_code(current, "Tỉnh Cao Bằng")] == 1


def test_a_ha_giang_commune_maps_into_tuyen_quang(
    current: list[UnitRecord], legacy: list[UnitRecord]
) -> None:
    ha_giang = province_code(legacy, "Tỉnh Hà Giang")
    tuyen_quang = province_code(current, "Tỉnh Tuyên Quang")
    district_province = {u.code: u.parent_code for u in by_level(legacy, "district")}
    ha_giang_communes = {
        u.code
        for u in by_level(legacy, "commune")
        if district_province[u.parent_code or ""] == ha_giang
    }
    assert len(ha_giang_communes) > 100
    current_by_code = {u.code: u for u in current}
    targets = {
        current_by_code[link.current_code].parent_code
        for link in sources.legacy_commune_mapping()
        if link.legacy_code in ha_giang_communes
    }
    assert targets == {tuyen_quang}
    links = sources.legacy_commune_mapping()
    # Phường Trần Phú (00691) of the former Hà Giang city is wholly in Phường Hà Giang 2,
    # which kept its code.
    assert [(x.current_code, x.is_primary) for x in links if x.legacy_code == "00691"] == [
        ("00691", True)
    ]
    assert current_by_code["00691"].name == "Phường Hà Giang 2"
    assert current_by_code["00691"].parent_code == tuyen_quang
    # Phường Quang Trung (00688) was split between Hà Giang 2 (primary) and Hà Giang 1.
    split = [
        (current_by_code[x.current_code].name, x.is_primary)
        for x in links
        if x.legacy_code == "00688"
    ]
    assert split == [("Phường Hà Giang 2", True), ("Phường Hà Giang 1", False)]


# --------------------------------------------------------------------------- provenance


def test_cross_check_with_vietnam_provinces() -> None:
    issues = Counter(m.issue for m in sources.current_cross_check())
    assert issues == {
        "missing-in-primary": 114,
        "missing-in-reference": 114,
        "name": 9,
        "spelling": 29,
    }
    # No parent mismatches: both packages agree on which province each shared code is in.
    assert "parent" not in issues


def test_dataset_info() -> None:
    info = sources.dataset_info()
    packages = {s["package"]: s for s in info["sources"]}
    assert packages["vietnamadminunits"]["version"] == "1.0.4"
    assert packages["vietnamadminunits"]["licence"] == "MIT"
    assert packages["vietnam-provinces"]["version"] == "2025.10.1"
    assert info["current"] == {"effective_from": "2025-07-01", "provinces": 34, "communes": 3321}
    assert info["legacy"]["communes"] == 10035
    # 10,597 in the dataset, less the 31 spurious links the packaged overrides drop.
    assert info["mapping"]["commune_links"] == 10566
