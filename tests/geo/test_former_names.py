"""A unit is found by its name before the 2025 reform, and says what it became."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from thuocdo.cli import main
from thuocdo.core.text import fold
from thuocdo.geo import selectors
from thuocdo.geo.models import Structure, Unit, UnitMapping

pytestmark = pytest.mark.django_db


def _first(query: str, **kw: Any) -> Unit:
    return selectors.unit_search(query, **kw)[0]


@pytest.mark.parametrize(
    ("query", "code", "former"),
    [
        ("thua thien hue", "46", "Tỉnh Thừa Thiên Huế"),  # renamed, then kept as a city
        ("Thừa Thiên Huế", "46", "Tỉnh Thừa Thiên Huế"),
        ("Quảng Bình", "44", "Tỉnh Quảng Bình"),  # merged into Quảng Trị
        ("kon tum", "51", "Tỉnh Kon Tum"),  # merged into Quảng Ngãi
        ("Hà Giang", "08", "Tỉnh Hà Giang"),  # merged into Tuyên Quang
        ("binh duong", "79", "Tỉnh Bình Dương"),  # merged into Hồ Chí Minh
        ("Hậu Giang", "92", "Tỉnh Hậu Giang"),  # merged into Cần Thơ
    ],
)
def test_provinces_merged_or_renamed_in_2025(query: str, code: str, former: str) -> None:
    unit = _first(query, level="province")
    assert (unit.code, unit.structure) == (code, Structure.CURRENT)
    assert unit.former is not None and unit.former.name == former


def test_every_merged_province_is_found_by_its_former_name() -> None:
    """All 63 legacy provinces: each finds its current province, with the former name when the
    province was merged away."""
    for old in Unit.objects.filter(structure=Structure.LEGACY, level="province"):
        successor = UnitMapping.objects.get(legacy=old, primary=True).current
        found = selectors.unit_search(old.short_name, level="province", limit=10)
        assert successor.pk in {u.pk for u in found}, old.name
        hit = next(u for u in found if u.pk == successor.pk)
        if fold(successor.short_name) != fold(old.short_name):
            assert hit.former is not None and hit.former.code == old.code, old.name


def test_a_province_that_kept_its_name_has_no_former() -> None:
    unit = _first("Hà Nội", level="province")
    assert unit.code == "01" and unit.former is None


def test_a_sample_of_former_communes() -> None:
    """Every 97th legacy commune whose successor carries another name is found by its name."""
    mappings = list(
        UnitMapping.objects.filter(legacy__level="commune", primary=True)
        .select_related("legacy", "current")
        .order_by("legacy__code")
    )
    renamed = [m for m in mappings if fold(m.legacy.short_name) != fold(m.current.short_name)]
    sample = renamed[::97]
    assert len(sample) >= 50
    for m in sample:
        found = selectors.unit_search(m.legacy.name, level="commune", limit=200)
        hits = [u for u in found if u.pk == m.current.pk and u.former is not None]
        assert hits, m.legacy.name
        assert any(u.former is not None and u.former.code == m.legacy.code for u in hits)


def test_the_cli_and_the_api_say_what_it_became(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["geo", "find", "thua thien hue"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert first["name"] == "Thành phố Huế"
    assert first["former"] == {"code": "46", "name": "Tỉnh Thừa Thiên Huế"}
    resp = client.get("/api/v1/geo/units", {"q": "Quảng Bình", "level": "province"})
    assert resp.status_code == 200
    assert resp.json()[0]["code"] == "44"
    assert resp.json()[0]["former"] == {"code": "44", "name": "Tỉnh Quảng Bình"}


def test_the_search_page_shows_the_former_name(client: Client) -> None:
    page = client.get("/geo/", {"q": "kon tum"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Tỉnh Quảng Ngãi" in page and "trước đây là Tỉnh Kon Tum" in page
