"""The national roll-up: pooled post-stratification checked by hand, suppression audited with
the provincial releases, provinces without a campaign, a whole-country campaign, and the page,
API and CLI answers."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from tests.analytics import factories as f

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import national
from thuocdo.analytics.release import publish_release
from thuocdo.assessments.models import Campaign, Response, Stratum
from thuocdo.cli import main

PROVINCES = ("01", "79", "48")
Z = 1.959963984540054


def _campaigns(year: int = 2025, seed: int = 7) -> list[Campaign]:
    """Three published provincial campaigns; province 01 has a rare sector (2 tourism
    respondents) so that differencing national and provincial tables would reveal them."""
    rnd = random.Random(seed)
    out = []
    for p_i, prov in enumerate(PROVINCES):
        c = f.campaign(area=prov, year=year, status="published", name=f"Đánh giá {prov}")
        for c_i, commune in enumerate(f.communes_of(prov, 2)):
            f.stratum(c, commune, "enterprise", "small", 30 + 10 * p_i + c_i)
            f.stratum(c, commune, "enterprise", "micro", 90 + 5 * c_i)
            for i in range(7):
                size = "small" if i % 2 == 0 else "micro"
                if prov == "01":
                    sector = "tourism" if (c_i == 0 and i < 2) else "retail"
                else:
                    sector = "tourism" if i % 3 == 0 else "retail"
                f.response(
                    c,
                    commune=commune,
                    size=size,
                    sector=sector,
                    seed=rnd.randint(0, 10**9),
                    quality=0.3 + 0.2 * p_i,
                )
        publish_release(c)
        out.append(c)
    return out


def _by_hand(campaigns: list[Campaign], domain: Callable[[Response], bool]) -> dict[str, float]:
    """Post-stratified mean, population and 95 % interval of the pooled respondents in
    ``domain``: w = N_h / n_h per cell (commune × entity type × size, every cell answered),
    Taylor-linearised variance with the cells as strata."""
    ids = [c.pk for c in campaigns]
    pop = {
        (s.commune_id, s.entity_type, s.size_class): s.population
        for s in Stratum.objects.filter(campaign_id__in=ids)
    }
    rows = list(Response.objects.filter(campaign_id__in=ids, status__in=["submitted", "verified"]))
    n_h: dict[tuple[int, str, str], int] = defaultdict(int)
    for r in rows:
        n_h[(r.commune_id, r.entity_type, r.size_class)] += 1
    w = {r.pk: pop[(r.commune_id, r.entity_type, r.size_class)] / n_h[(r.commune_id, r.entity_type, r.size_class)] for r in rows}  # fmt: skip
    # the columnar copy keeps scores as 32-bit floats
    y = {r.pk: float(f"{r.overall:.7g}") for r in rows}
    inside = [r for r in rows if domain(r)]
    big_w = sum(w[r.pk] for r in inside)
    mean = sum(w[r.pk] * y[r.pk] for r in inside) / big_w
    z = {r.pk: (w[r.pk] * (y[r.pk] - mean) / big_w if domain(r) else 0.0) for r in rows}
    strata: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    for r in rows:
        strata[(r.commune_id, r.entity_type, r.size_class)].append(z[r.pk])
    var = 0.0
    for zs in strata.values():
        n = len(zs)
        zbar = sum(zs) / n
        ss = sum((v - zbar) ** 2 for v in zs)
        var += n / (n - 1) * ss if n > 1 else zs[0] ** 2
    se = math.sqrt(var)
    return {
        "n": len(inside),
        "population": big_w,
        "mean": mean,
        "ci_low": max(0.0, mean - Z * se),
        "ci_high": min(100.0, mean + Z * se),
    }


def _close(row: dict[str, Any], hand: dict[str, float]) -> None:
    assert row["n"] == hand["n"]
    assert row["population"] == pytest.approx(hand["population"], abs=0.06)
    for k in ("mean", "ci_low", "ci_high"):
        assert row[k] == pytest.approx(hand[k], abs=0.011), k


@pytest.mark.django_db
def test_rollup_equals_the_pooled_strata_computed_by_hand() -> None:
    campaigns = _campaigns()
    fv = campaigns[0].framework
    result = national.national(
        scope=Scope(role="admin"), code=fv.code, version=fv.version, year=2025, public=False
    )
    overall = result["overall"]
    _close(overall, _by_hand(campaigns, lambda r: True))
    for row in result["cells"]["sector"]:
        _close(row, _by_hand(campaigns, lambda r, s=row["sector"]: r.sector == s))
    for row in result["cells"]["province"]:
        prov = row["province"]
        _close(row, _by_hand(campaigns, lambda r, p=prov: r.unit_path.split("/")[1] == p))
    for row in result["cells"]["entity_type"]:
        _close(row, _by_hand(campaigns, lambda r, e=row["entity_type"]: r.entity_type == e))
    # a province's level shares add up to one; rankings run over the provinces covered
    assert sum(v for v in overall["levels"].values() if v is not None) == pytest.approx(1, abs=1e-3)
    assert [r["province"] for r in result["rankings"]] and len(result["rankings"]) == 3
    assert result["rankings"][0]["rank"] == 1


@pytest.mark.django_db
def test_provinces_without_a_campaign_are_listed() -> None:
    campaigns = _campaigns()
    fv = campaigns[0].framework
    result = national.national(
        scope=Scope(role="admin"), code=fv.code, version=fv.version, year=2025, public=True
    )
    covered = {p["code"] for p in result["provinces_covered"]}
    missing = {p["code"] for p in result["provinces_missing"]}
    assert covered == set(PROVINCES)
    assert len(covered) + len(missing) == 34 and not covered & missing
    on_map = {m["province"]: m for m in result["map"]}
    assert len(on_map) == 34 and on_map["01"]["covered"] and on_map["01"]["mean"] is not None
    assert all(not on_map[code]["covered"] and on_map[code]["mean"] is None for code in missing)


def _atoms_of(campaigns: list[Campaign]) -> dict[tuple[str, str, str, str, str], int]:
    out: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for r in Response.objects.filter(campaign__in=campaigns).select_related("commune"):
        prov = r.unit_path.split("/")[1]
        out[(prov, r.commune.code, r.sector, r.entity_type, r.size_class)] += 1
    return out


KEYS = ("province", "commune", "sector", "entity_type", "size")


def _cell(keys: dict[str, str], atoms: dict[tuple[str, ...], int]) -> frozenset[tuple[str, ...]]:
    return frozenset(a for a in atoms if all(a[KEYS.index(k)] == str(v) for k, v in keys.items()))


@pytest.mark.django_db
def test_suppression_holds_against_differencing_with_the_provincial_releases() -> None:
    from thuocdo.analytics.release import _tables

    campaigns = _campaigns()
    fv = campaigns[0].framework
    result = national.national(
        scope=Scope(role="anonymous"), code=fv.code, version=fv.version, year=2025, public=True
    )
    atoms = _atoms_of(campaigns)
    released: set[frozenset[tuple[str, ...]]] = set()
    hidden = 0
    for rows in result["cells"].values():
        for row in rows:
            if row["suppressed"]:
                assert row["mean"] is None and row["population"] is None
                hidden += 1
                continue
            assert row["n"] >= 5
            keys = {k: row[k] for k in KEYS if k in row}
            released.add(_cell(keys, atoms))
    # the naive national tourism cell (2 in Hà Nội + 8 elsewhere) is not all there is
    assert hidden > 0
    for c in campaigns:
        assert c.area is not None
        _w, tables = _tables(c)
        for (kind, _k), rows in tables.items():
            if kind != "cells":
                continue
            for row in rows:
                if not row.get("suppressed"):
                    keys = {k: row[k] for k in KEYS if k in row}
                    keys["province"] = c.area.code
                    released.add(_cell(keys, atoms))
    cells = [s for s in released if s]

    def small(group: frozenset[tuple[str, ...]]) -> bool:
        return 0 < sum(atoms[a] for a in group) < 5

    for a, b in itertools.permutations(cells, 2):
        if b < a:
            assert not small(a - b), sorted(a - b)
    for a, b, c2 in itertools.permutations(cells, 3):
        if b < a and c2 < a and not (b & c2):
            assert not small(a - b - c2), sorted(a - b - c2)
    # and every group of 1–4 respondents stays outside the span of the released cells
    import numpy as np

    from thuocdo.analytics.domain.disclosure import disclosed_set

    order = sorted(atoms)
    m = np.array([[1.0 if a in s else 0.0 for a in order] for s in cells])
    assert disclosed_set(m, np.array([atoms[a] for a in order]), 5) is None


@pytest.mark.django_db
def test_a_campaign_over_the_whole_country(capsys: pytest.CaptureFixture[str]) -> None:
    fv = f.framework()
    code = main(
        [
            "campaigns", "create", "--framework", f"{fv.code}@{fv.version}", "--area", "VN",
            "--year", "2026", "--name", "Khảo sát toàn quốc",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    out = json.loads(capsys.readouterr().out)
    c = Campaign.objects.get(pk=out["id"])
    assert c.whole_country and c.area is None and c.unit_path == "2025/"
    assert c.origin_unit is None
    assert out["area"]["code"] == "VN" and out["area"]["name"] == "Việt Nam"
    # strata of any province are inside its area
    from thuocdo.assessments import services

    text = "commune_code,entity_type,size_class,population\n"
    for prov in ("01", "79", "96"):
        commune = f.communes_of(prov, 1)[0]
        text += f"{commune.code},enterprise,small,10\n"
    services.campaign_strata_import(
        scope=Scope(role="admin"), actor=None, campaign=c, data=text.encode()
    )
    assert Stratum.objects.filter(campaign=c).count() == 3
    # an unknown code is still refused, naming the area
    assert main(
        ["campaigns", "create", "--framework", f"{fv.code}@{fv.version}", "--area", "XX",
         "--year", "2026", "--name", "x"]
    ) == 1  # fmt: skip
    assert "XX" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_api_and_the_campaign_page_name_the_country(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    from thuocdo.assessments import services

    fv = f.framework()
    c = services.campaign_create(
        scope=Scope(role="admin"), actor=None, framework=fv, area_code="VN", year=2026,
        name="Khảo sát toàn quốc",
    )  # fmt: skip
    ministry = make_user("ministry")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(ministry)}"}
    made = client.post(
        "/api/v1/assessments/campaigns",
        {"framework": f"{fv.code}@{fv.version}", "area": "VN", "year": 2026, "name": "Toàn quốc"},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.content
    assert made.json()["area_code"] == "VN" and made.json()["area_name"] == "Việt Nam"
    client.force_login(ministry)
    page = client.get(f"/assessments/campaigns/{c.pk}/")
    assert page.status_code == 200
    assert "Việt Nam" in page.content.decode()
    province_officer = make_user("province", unit="01")
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            scope=Scope(role="province", user_id=province_officer.pk, unit_path="2025/01/"),
            actor=province_officer, framework=fv, area_code="VN", year=2026, name="x",
        )  # fmt: skip


@pytest.mark.django_db
def test_page_api_and_cli_answer(
    client: Client,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    campaigns = _campaigns()
    fv = campaigns[0].framework
    q = f"set={fv.code}&version={fv.version}&year=2025"
    page = client.get(f"/public/national/?{q}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hà Nội" in html and 'id="national-missing"' in html
    api = client.get(f"/api/v1/analytics/national/public?{q}")
    assert api.status_code == 200
    body = api.json()
    assert body["public"] and len(body["provinces_covered"]) == 3
    released = [r for rows in body["cells"].values() for r in rows if not r["suppressed"]]
    assert all(r["n"] >= 5 for r in released)
    # the index lists what can be rolled up, and the results page leads to it
    assert fv.code in client.get("/public/national/").content.decode()
    assert 'id="national-link"' in client.get("/public/").content.decode()
    # a bad version is a 400 naming the parameter
    bad = client.get(f"/api/v1/analytics/national/public?set={fv.code}&version=9&year=2025")
    assert bad.status_code == 400 and "version" in bad.content.decode()
    # officers: ministries and admins only
    assert client.get(f"/api/v1/analytics/national?{q}").status_code == 401
    province = make_user("province", unit="01")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(province)}"}
    assert client.get(f"/api/v1/analytics/national?{q}", **auth).status_code == 403
    ministry = make_user("ministry")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(ministry)}"}
    officer = client.get(f"/api/v1/analytics/national?{q}", **auth)
    assert officer.status_code == 200
    assert not officer.json()["public"] and officer.json()["overall"]["mean"] is not None
    client.force_login(ministry)
    assert client.get(f"/analytics/national/?{q}").status_code == 200
    client.force_login(province)
    assert client.get(f"/analytics/national/?{q}").status_code == 403
    # the CLI prints the same public roll-up
    assert main(["analytics", "national", "--set", fv.code, "--version", fv.version,
                 "--year", "2025", "--public"]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["cells"] == body["cells"]
    assert {p["code"] for p in printed["provinces_missing"]} == {
        p["code"] for p in body["provinces_missing"]
    }
    assert main(["analytics", "national", "--set", fv.code, "--version", "nope",
                 "--year", "2025"]) == 1  # fmt: skip


@pytest.mark.django_db
def test_year_on_year_and_a_later_province_make_a_new_rollup() -> None:
    from thuocdo.analytics.models import NationalRollup

    before = _campaigns(year=2024, seed=3)
    campaigns = _campaigns(year=2025)
    fv = campaigns[0].framework
    result = national.national(
        scope=Scope(role="admin"), code=fv.code, version=fv.version, year=2025, public=True
    )
    years = [t["year"] for t in result["trend"]]
    assert years == [2024, 2025]
    assert result["trend"][1]["change"] is not None or result["trend"][1]["mean"] is None
    assert before and NationalRollup.objects.filter(year=2025).count() == 1
    again = national.national(
        scope=Scope(role="admin"), code=fv.code, version=fv.version, year=2025, public=True
    )
    assert again["cells"] == result["cells"]
    assert NationalRollup.objects.filter(year=2025).count() == 1


@pytest.mark.django_db
def test_a_year_without_any_provincial_campaign_lists_every_province_missing() -> None:
    fv = f.framework()
    for public in (True, False):
        result = national.national(
            scope=Scope(role="admin"), code=fv.code, version=fv.version, year=2030, public=public
        )
        assert result["overall"] is None and result["rankings"] == []
        assert not result["provinces_covered"] and len(result["provinces_missing"]) == 34


@pytest.mark.django_db
def test_the_page_draws_the_map_of_34_provinces_from_the_released_means(client: Client) -> None:
    import re

    campaigns = _campaigns()
    fv = campaigns[0].framework
    q = f"set={fv.code}&version={fv.version}&year=2025"
    body = client.get(f"/api/v1/analytics/national/public?{q}").json()
    html = client.get(f"/public/national/?{q}").content.decode()
    svg = html[html.index('<svg id="national-map"') : html.index("</svg>")]
    tiles = re.findall(r'<g class="tile ([^"]+)"><title>([^<]+)</title>', svg)
    assert len(tiles) == 34
    by_name = {name.split(":")[0]: cls for cls, name in tiles}
    for entry in body["map"]:
        cls = by_name[entry["name"]]
        if entry["mean"] is None:
            assert cls == "none"
        else:
            assert cls == f"s{min(3, int(entry['mean'] // 25))}"
    covered = [e for e in body["map"] if e["covered"]]
    assert len(covered) == 3
    assert "no data" in html or "không có dữ liệu" in html.lower()
