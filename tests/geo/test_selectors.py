"""Administrative units in the database: counts, tree walks, search and legacy mapping."""

from __future__ import annotations

import pytest

from thuocdo.core.text import vi_sorted
from thuocdo.geo import selectors
from thuocdo.geo.models import Unit, UnitMapping

pytestmark = pytest.mark.django_db


def test_current_structure_has_34_provinces_and_3321_communes() -> None:
    counts = selectors.unit_counts()
    assert counts["2025"] == {"province": 34, "commune": 3321}


def test_legacy_structure_has_63_provinces_districts_and_communes() -> None:
    counts = selectors.unit_counts()["legacy"]
    assert counts["province"] == 63
    assert counts["district"] == 696
    assert counts["commune"] == 10035


@pytest.mark.parametrize("query", ["ha noi", "HÀ NỘI", "Hà Nội", "  hà   nội "])
def test_search_ignores_diacritics_and_case(query: str) -> None:
    found = selectors.unit_search(query)
    assert found[0].name == "Thành phố Hà Nội"
    assert found[0].code == "01"


def test_search_finds_communes_and_ranks_provinces_first() -> None:
    found = selectors.unit_search("ba dinh")
    names = [u.name for u in found]
    assert "Phường Ba Đình" in names
    ba_dinh = next(u for u in found if u.name == "Phường Ba Đình")
    assert ba_dinh.parent is not None and ba_dinh.parent.code == "01"


def test_tree_walks() -> None:
    hanoi = selectors.unit_get("01")
    children = list(selectors.unit_children(hanoi))
    assert len(children) == 126
    assert all(c.level == "commune" for c in children)
    assert selectors.unit_subtree(hanoi).count() == 127
    commune = children[0]
    assert [a.code for a in selectors.unit_ancestors(commune)] == ["01"]


def test_children_are_in_vietnamese_alphabetical_order() -> None:
    names = [u.short_name for u in selectors.provinces()]
    assert names == vi_sorted(names)
    assert names.index("Đà Nẵng") > names.index("Cao Bằng")
    assert names.index("Điện Biên") > names.index("Đà Nẵng")


def test_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(selectors.UnknownUnit, match="99999"):
        selectors.unit_get("99999")


def test_legacy_province_merged_into_current_one() -> None:
    ha_giang = selectors.unit_get("02", structure="legacy")
    assert ha_giang.name == "Tỉnh Hà Giang"
    assert [u.name for u in selectors.legacy_to_current(ha_giang)] == ["Tỉnh Tuyên Quang"]
    tuyen_quang = selectors.unit_get("08")
    legacy_names = {
        u.name for u in selectors.current_to_legacy(tuyen_quang) if u.level == "province"
    }
    assert legacy_names == {"Tỉnh Hà Giang", "Tỉnh Tuyên Quang"}


def test_every_legacy_commune_maps_to_a_current_commune() -> None:
    legacy = Unit.objects.filter(structure="legacy", level="commune")
    mapped = UnitMapping.objects.filter(legacy__in=legacy, current__level="commune")
    assert mapped.values("legacy").distinct().count() == legacy.count()


def test_legacy_commune_of_ha_giang_lands_in_tuyen_quang() -> None:
    commune = Unit.objects.filter(
        structure="legacy", level="commune", path__startswith="legacy/02/"
    ).first()
    assert commune is not None
    current = selectors.legacy_to_current(commune)
    assert current and all(u.path.startswith("2025/08/") for u in current)


def test_loading_builtins_again_adds_nothing() -> None:
    from thuocdo.geo.services import geo_load_builtins

    assert geo_load_builtins() == {
        "current": 0,
        "legacy": 0,
        "mappings": 0,
        "mappings_removed": 0,
        "mappings_updated": 0,
    }
