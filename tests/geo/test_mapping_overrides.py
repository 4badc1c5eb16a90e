"""Corrections of the legacy → current commune mapping (geo/data/mapping_overrides.csv)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from thuocdo.core.text import normalise_name_for_matching
from thuocdo.geo import selectors, sources
from thuocdo.geo.models import Structure
from thuocdo.geo.sources import CommuneLink, MappingOverride

# Links the dataset's conversion gives a legacy commune although they belong to a same-named
# commune that ended up in the same current province.
DROPPED = {
    ("06079", "06184"),  # Hồng Phong (Bình Gia) -> Đồng Đăng, of Hồng Phong (Cao Lộc)
    ("10798", "11911"),  # Hòa Bình (Hải Dương) -> Nguyễn Bỉnh Khiêm, of Hòa Bình (Hải Phòng)
    ("11890", "10804"),  # Hòa Bình (Hải Phòng) -> Kim Thành, of Hòa Bình (Hải Dương)
    ("11890", "10843"),  # Hòa Bình (Hải Phòng) -> Hà Nam, of Hòa Bình (Hải Dương)
    ("25462", "27694"),  # Phường 4 (Tây Ninh) -> Phường Long An
    ("27691", "25459"),  # Phường 4 (Tân An) -> Phường Tân Ninh
    ("28252", "29869"),  # Phường 4 (Mỹ Tho) -> Phường Cao Lãnh
    ("28270", "29869"),  # Phường 6 (Mỹ Tho) -> Phường Cao Lãnh
    ("28437", "29869"),  # Phường 3 (Cai Lậy) -> Phường Cao Lãnh
    ("28439", "29869"),  # Phường 4 (Cai Lậy) -> Phường Cao Lãnh
    ("29902", "29869"),  # Phường 3 (Sa Đéc) -> Phường Cao Lãnh
    ("29908", "29869"),  # Phường 4 (Sa Đéc) -> Phường Cao Lãnh
    ("28924", "29734"),  # Hòa Lộc (Bến Tre) -> Hòa Hiệp, of Hòa Lộc (Vĩnh Long)
    ("29623", "29182"),  # Mỹ An (Vĩnh Long) -> Thạnh Phú, of Mỹ An (Bến Tre)
    ("29734", "28921"),  # Hòa Lộc (Vĩnh Long) -> Tân Thành Bình, of Hòa Lộc (Bến Tre)
    ("31246", "31726"),  # Thạnh Quới (Cần Thơ) -> Gia Hòa, of Thạnh Quới (Sóc Trăng)
    ("31268", "31666"),  # Tân Thạnh (Cần Thơ) -> Tân Thạnh, of Tân Thạnh (Sóc Trăng)
    ("31378", "31654"),  # Phú Hữu (Hậu Giang) -> Trường Khánh, of Phú Hữu (Sóc Trăng)
    ("31379", "31582"),  # Phú Tân (Hậu Giang) -> Thuận Hòa, of Phú Tân (Sóc Trăng)
    ("31438", "31741"),  # Tân Long (Hậu Giang) -> Tân Long, of Tân Long (Sóc Trăng)
    ("31474", "31741"),  # Long Bình (Hậu Giang) -> Tân Long, of Long Bình (Sóc Trăng)
    ("31480", "31639"),  # Long Phú (Hậu Giang) -> Long Phú, of Long Phú (Sóc Trăng)
    ("31483", "31591"),  # Thuận Hưng (Hậu Giang) -> Mỹ Hương, of Thuận Hưng (Sóc Trăng)
    ("31582", "31378"),  # Phú Tân (Sóc Trăng) -> Phú Hữu, of Phú Tân (Hậu Giang)
    ("31606", "31495"),  # Thuận Hưng (Sóc Trăng) -> Xà Phiên, of Thuận Hưng (Hậu Giang)
    ("31657", "31378"),  # Phú Hữu (Sóc Trăng) -> Phú Hữu, of Phú Hữu (Hậu Giang)
    ("31666", "31288"),  # Tân Thạnh (Sóc Trăng) -> Trường Thành, of Tân Thạnh (Cần Thơ)
    ("31669", "31480"),  # Long Phú (Sóc Trăng) -> Long Phú 1, of Long Phú (Hậu Giang)
    ("31714", "31246"),  # Thạnh Quới (Sóc Trăng) -> Thạnh Quới, of Thạnh Quới (Cần Thơ)
    ("31741", "31408"),  # Tân Long (Sóc Trăng) -> Thạnh Hòa, of Tân Long (Hậu Giang)
    ("31744", "31473"),  # Long Bình (Sóc Trăng) -> Long Bình, of Long Bình (Hậu Giang)
}

# Successors whose other predecessors all lie in another legacy province and which are
# nevertheless right (none known today).
KNOWN_CROSS_PROVINCE: set[tuple[str, str]] = set()


def _successors(legacy_code: str) -> list[tuple[str, bool]]:
    return [
        (x.current_code, x.is_primary)
        for x in sources.legacy_commune_mapping()
        if x.legacy_code == legacy_code
    ]


# --------------------------------------------------------------------------- packaged data


def test_the_two_wrong_primaries_are_corrected() -> None:
    # Phú Tân (Châu Thành, Hậu Giang) -> Phú Hữu; Thuận Hòa was the same-named Sóc Trăng
    # commune's successor.
    assert _successors("31379") == [("31378", True)]
    # Đặng Xá (Gia Lâm, Hà Nội) -> Phù Đổng, with part of it in Thuận An.
    assert _successors("00556") == [("00541", True), ("00562", False)]


def test_every_spurious_link_is_dropped_and_listed() -> None:
    overrides = sources.mapping_overrides()
    assert {(o.legacy_code, o.current_code) for o in overrides if o.action == "drop"} == DROPPED
    assert {(o.legacy_code, o.current_code) for o in overrides if o.action == "primary"} == {
        ("00556", "00541"),
        ("31379", "31378"),
    }
    assert all(o.reason for o in overrides)
    pairs = {(x.legacy_code, x.current_code) for x in sources.legacy_commune_mapping()}
    assert not DROPPED & pairs
    # The same-named commune keeps the successor: Phường 4 of Tân An -> Phường Long An.
    assert _successors("27691") == [("27694", True)]
    assert _successors("25462") == [("25459", True)]
    assert _successors("11890") == [("11911", True)]
    assert _successors("10798") == [("10843", True), ("10804", False)]


def test_dropped_links_were_in_the_dataset_and_pointed_to_a_same_named_commune() -> None:
    legacy = {u.code: u for u in sources.legacy_units()}
    raw = sources.legacy_commune_mapping(corrected=False)
    raw_pairs = {(x.legacy_code, x.current_code): x.is_primary for x in raw}
    assert raw_pairs.keys() >= DROPPED
    assert len(raw) == len(sources.legacy_commune_mapping()) + len(DROPPED)
    # The dataset's wrong defaults.
    assert raw_pairs["31379", "31582"] is True
    assert raw_pairs["00556", "00562"] is True
    assert raw_pairs["00556", "00541"] is False
    predecessors: dict[str, set[str]] = defaultdict(set)
    for legacy_code, current_code in raw_pairs:
        predecessors[current_code].add(legacy_code)
    for legacy_code, current_code in DROPPED:
        name = normalise_name_for_matching(legacy[legacy_code].name)
        twins = [
            other
            for other in predecessors[current_code] - {legacy_code}
            if normalise_name_for_matching(legacy[other].name) == name
        ]
        assert twins, (legacy_code, current_code)


def test_no_successor_comes_only_from_another_legacy_province() -> None:
    legacy = {u.code: u for u in sources.legacy_units()}

    def province(code: str) -> str | None:
        return legacy[legacy[code].parent_code or ""].parent_code

    links = sources.legacy_commune_mapping()
    predecessors: dict[str, set[str]] = defaultdict(set)
    for link in links:
        predecessors[link.current_code].add(link.legacy_code)
    suspicious = {
        (link.legacy_code, link.current_code)
        for link in links
        if (others := predecessors[link.current_code] - {link.legacy_code})
        and all(province(o) != province(link.legacy_code) for o in others)
    }
    assert suspicious == KNOWN_CROSS_PROVINCE


@pytest.mark.django_db
def test_loaded_mapping_is_the_corrected_one() -> None:
    phu_tan = selectors.unit_get("31379", structure=Structure.LEGACY)
    assert [u.code for u in selectors.legacy_to_current(phu_tan)] == ["31378"]
    dang_xa = selectors.unit_get("00556", structure=Structure.LEGACY)
    assert [u.code for u in selectors.legacy_to_current(dang_xa)] == ["00541", "00562"]
    phuong_4 = selectors.unit_get("25462", structure=Structure.LEGACY)
    assert [u.code for u in selectors.legacy_to_current(phuong_4)] == ["25459"]
    cao_lanh = selectors.unit_get("29869")
    # Its legacy communes are all of the former Cao Lãnh city (none of Mỹ Tho, Cai Lậy, Sa Đéc).
    assert {
        u.parent.name
        for u in selectors.current_to_legacy(cao_lanh)
        if u.level == "commune" and u.parent is not None
    } == {"Thành phố Cao Lãnh"}


@pytest.mark.django_db
def test_loading_again_corrects_a_mapping_loaded_before_the_corrections() -> None:
    from thuocdo.accounts.models import AuditEvent
    from thuocdo.geo.models import Unit, UnitMapping
    from thuocdo.geo.services import geo_load_builtins

    def unit(code: str, structure: str) -> Unit:
        return Unit.objects.get(code=code, structure=structure)

    # The mapping as the dataset alone gave it: a spurious link and two wrong defaults.
    phuong_4, dang_xa = unit("25462", Structure.LEGACY), unit("00556", Structure.LEGACY)
    UnitMapping.objects.create(
        legacy=phuong_4, current=unit("27694", Structure.CURRENT), primary=False
    )
    UnitMapping.objects.filter(legacy=dang_xa).update(primary=False)
    UnitMapping.objects.filter(legacy=dang_xa, current__code="00562").update(primary=True)
    before = AuditEvent.objects.filter(action="geo.load").count()

    result = geo_load_builtins()

    assert result == {
        "current": 0,
        "legacy": 0,
        "mappings": 0,
        "mappings_removed": 1,
        "mappings_updated": 2,
    }
    assert [u.code for u in selectors.legacy_to_current(phuong_4)] == ["25459"]
    assert [u.code for u in selectors.legacy_to_current(dang_xa)] == ["00541", "00562"]
    assert UnitMapping.objects.get(legacy=dang_xa, current__code="00541").primary
    assert AuditEvent.objects.filter(action="geo.load").count() == before + 1


# --------------------------------------------------------------------------- pure function


def _link(legacy: str, current: str, primary: bool) -> CommuneLink:
    return CommuneLink(legacy, current, primary)


def _override(legacy: str, action: str, current: str) -> MappingOverride:
    return MappingOverride(legacy, action, current, "test")


def test_apply_drops_and_moves_the_primary() -> None:
    links = [
        _link("00002", "00010", True),
        _link("00002", "00011", False),
        _link("00001", "00010", True),
        _link("00001", "00011", False),
        _link("00001", "00012", False),
    ]
    out = sources.apply_mapping_overrides(
        links,
        [_override("00001", "drop", "00011"), _override("00001", "primary", "00012")],
    )
    assert out == [
        _link("00001", "00012", True),
        _link("00001", "00010", False),
        _link("00002", "00010", True),
        _link("00002", "00011", False),
    ]


def test_apply_keeps_the_only_link_left_as_primary() -> None:
    links = [_link("00001", "00010", True), _link("00001", "00011", False)]
    out = sources.apply_mapping_overrides(links, [_override("00001", "drop", "00010")])
    assert out == [_link("00001", "00011", True)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([_override("00001", "drop", "00099")], "00001 drop 00099: the dataset has no such link"),
        ([_override("00001", "primary", "00099")], "the dataset has no such link"),
        (
            [_override("00001", "drop", c) for c in ("00010", "00011", "00012")],
            r"drop every link of legacy commune\(s\) \['00001'\]",
        ),
        ([_override("00001", "drop", "00010")], "00001 has 0 primary successors"),
        (
            [_override("00001", "primary", "00011"), _override("00001", "primary", "00012")],
            "more than one primary",
        ),
    ],
)
def test_apply_refuses_overrides_that_do_not_fit(
    overrides: list[MappingOverride], message: str
) -> None:
    links = [
        _link("00001", "00010", True),
        _link("00001", "00011", False),
        _link("00001", "00012", False),
    ]
    with pytest.raises(ValueError, match=message):
        sources.apply_mapping_overrides(links, overrides)


def test_read_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "# comment\nlegacy_code,action,current_code,reason\n"
        '00001,drop,00011,"same-named, elsewhere"\n\n# another\n00001,primary,00010,default\n',
        encoding="utf-8",
    )
    assert sources.read_mapping_overrides(path) == [
        MappingOverride("00001", "drop", "00011", "same-named, elsewhere"),
        MappingOverride("00001", "primary", "00010", "default"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("code,action\n", "the header must be"),
        ("legacy_code,action,current_code,reason\n00001,drop,00011\n", "line 2: 4 columns"),
        (
            "# c\nlegacy_code,action,current_code,reason\n00001,move,00011,x\n",
            "line 3: action must be primary or drop",
        ),
        ("legacy_code,action,current_code,reason\n1,drop,00011,x\n", "'1' is not a 5-digit"),
        ("legacy_code,action,current_code,reason\n00001,drop,00011,\n", "needs a reason"),
    ],
)
def test_read_overrides_refuses_malformed_rows(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        sources.read_mapping_overrides(path)
