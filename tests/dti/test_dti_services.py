"""DTI in the database: entered values all or nothing, a province's scorecard year on year,
rankings on the legacy 63 and the current 34 structures, a ministry's file, CLI, API, pages."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.cli import main
from thuocdo.dti import selectors, services
from thuocdo.dti.domain import files
from thuocdo.dti.models import DtiStructure, DtiValue
from thuocdo.geo.models import UnitMapping

pytestmark = pytest.mark.django_db

ADMIN = Scope(role="admin")
P405 = "dti-province@405-2025"
EV = "https://stttt.example.gov.vn/bao-cao/dti.pdf"


def whole(points: dict[str, Any]) -> dict[str, Any]:
    return {k: {"points": v, "evidence": EV} for k, v in points.items()}


def test_builtins_and_history_are_loaded() -> None:
    labels = {s["label"]: s for s in selectors.structures_list()}
    assert set(labels) == {"dti-province@922-2022", P405, "dti-ministry@405-2025"}
    assert labels["dti-province@922-2022"]["components"] == 98
    hist = selectors.history()
    nation = {h["year"]: h["value"] for h in hist if h["kind"] == "nation"}
    assert nation == {2023: "0.7326", 2024: "0.7955"}
    top_2024 = [h["name"] for h in hist if h["year"] == 2024 and h["structure"] == "2025"]
    assert top_2024 == ["Hà Nội", "Huế", "Hải Phòng", "TP. Hồ Chí Minh", "Thanh Hóa"]
    assert services.load() == {"structures": 0, "history": 0}  # idempotent


def test_province_scorecard_year_on_year(make_user: Callable[..., Any]) -> None:
    officer = make_user("province", unit="01")
    scope = scope_for(officer)
    base = {
        "awareness": 80,
        "institutions": 70,
        "infrastructure": 90,
        "workforce": 60,
        "cybersecurity": 75,
        "gov_activity": 150,
        "economy_activity": 100,
        "society_activity": 120,
    }
    services.dti_values_enter(
        scope=scope,
        actor=officer,
        structure=P405,
        kind="province",
        code="01",
        year=2024,
        values=whole(base),
    )
    better = dict(base, gov_activity="172.5", workforce=55)
    services.dti_values_enter(
        scope=scope,
        actor=officer,
        structure=P405,
        kind="province",
        code="01",
        year=2025,
        values=whole(better),
    )
    card = selectors.scorecard(scope=scope, structure=P405, kind="province", code="01", year=2025)
    # 80+70+90+55+75+172.5+100+120 = 762.5 → 0.7625; 2024: 745 → 0.7450
    assert card["value"] == "0.7625" and card["points"] == "762.50"
    assert card["previous"] == {
        "year": 2024,
        "structure": P405,
        "value": "0.7450",
        "change": "0.0175",
    }
    assert [(m["index"], m["delta"]) for m in card["moved"]] == [
        ("gov_activity", "22.50"),
        ("workforce", "-5.00"),
    ]
    assert card["rank"] == 1 and card["ranked"] == 1
    assert AuditEvent.objects.filter(action="dti.values_enter").count() == 2
    # another province's officer cannot enter or read Hà Nội's
    other = make_user("province", unit="79")
    with pytest.raises(PermissionDenied):
        selectors.scorecard(
            scope=scope_for(other), structure=P405, kind="province", code="01", year=2025
        )
    with pytest.raises(PermissionDenied):
        services.dti_values_enter(
            scope=scope_for(other),
            actor=other,
            structure=P405,
            kind="province",
            code="01",
            year=2025,
            values=whole({"awareness": 1}),
        )
    page = Client()
    page.force_login(officer)
    html = page.get("/dti/province/01/2025/?structure=" + P405).content.decode()
    assert "0.7625" in html and "Hoạt động chính quyền số" in html
    assert "Hà Nội" in Client().get("/dti/").content.decode()


def test_bad_values_write_nothing(make_user: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        services.dti_values_enter(
            scope=ADMIN,
            actor=None,
            structure=P405,
            kind="province",
            code="01",
            year=2024,
            values={
                "awareness": {"points": 50, "evidence": EV},
                "gov_activity": {"points": 250, "evidence": EV},
                "workforce": 30,
            },
        )
    errors = exc.value.message_dict
    assert set(errors) == {"gov_activity", "workforce"}
    assert "0–200" in errors["gov_activity"][0]
    assert not DtiValue.objects.exists()
    for kwargs, field in (
        ({"code": "99"}, "province"),
        ({"structure": "dti-province@1726-2020"}, "structure"),
        ({"structure": "dti-ministry@405-2025"}, "structure"),
        ({"year": 1990}, "year"),
    ):
        call: dict[str, Any] = {
            "scope": ADMIN,
            "actor": None,
            "structure": P405,
            "kind": "province",
            "code": "01",
            "year": 2024,
            "values": whole({"awareness": 5}),
        }
        call.update(kwargs)
        with pytest.raises(ValidationError) as exc:
            services.dti_values_enter(**call)
        assert field in exc.value.message_dict
    assert not DtiValue.objects.exists()
    # a ministry: a ministry officer only, code and name
    ministry = make_user("ministry")
    services.dti_values_enter(
        scope=scope_for(ministry),
        actor=ministry,
        structure="dti-ministry@405-2025",
        kind="ministry",
        code="BKHCN",
        name="Bộ Khoa học và Công nghệ",
        year=2024,
        values=whole({"gov_activity": 400, "awareness": 90}),
    )
    card = selectors.scorecard(
        scope=scope_for(ministry),
        structure="dti-ministry@405-2025",
        kind="ministry",
        code="BKHCN",
        year=2024,
    )
    assert card["value"] == "0.4900"
    with pytest.raises(PermissionDenied):
        services.dti_values_enter(
            scope=scope_for(make_user("province", unit="01")),
            actor=None,
            structure="dti-ministry@405-2025",
            kind="ministry",
            code="BKHCN",
            name="Bộ",
            year=2024,
            values=whole({"awareness": 1}),
        )


def test_legacy_ranking_matches_mapped_current_where_one_to_one() -> None:
    pairs = list(
        UnitMapping.objects.filter(legacy__level="province", current__level="province").values_list(
            "legacy__code", "current__code"
        )
    )
    assert len({legacy for legacy, _c in pairs}) == 63
    # distinct values for the 63 legacy provinces, entered on the legacy structure
    for n, (legacy, _current) in enumerate(sorted(pairs)):
        points = Decimal(300 + (n * 37) % 500)
        services.dti_values_enter(
            scope=ADMIN,
            actor=None,
            structure=P405,
            kind="province",
            code=legacy,
            geo_structure="legacy",
            year=2024,
            values=whole(
                {
                    "gov_activity": min(points, 200),
                    "awareness": 100,
                    "economy_activity": min(max(points - 200, 0), 150),
                    "society_activity": min(max(points - 350, 0), 150),
                }
            ),
        )
    legacy_rank = selectors.ranking(structure=P405, year=2024, geo_structure="legacy")
    current_rank = selectors.ranking(structure=P405, year=2024, geo_structure="2025")
    assert len(legacy_rank) == 63 and len(current_rank) == 34
    assert all(r["derived"] for r in current_rank)
    members = Counter(current for _l, current in pairs)
    one_to_one = {current: legacy for legacy, current in pairs if members[current] == 1}
    assert len(one_to_one) >= 10
    legacy_value = {r["code"]: r["value"] for r in legacy_rank}
    current_value = {r["code"]: r["value"] for r in current_rank}
    for current, legacy in one_to_one.items():
        assert current_value[current] == legacy_value[legacy]
    legacy_order = [r["code"] for r in legacy_rank if r["code"] in set(one_to_one.values())]
    current_order = [one_to_one[r["code"]] for r in current_rank if r["code"] in one_to_one]
    assert legacy_order == current_order
    ranks = [r["rank"] for r in legacy_rank]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_ministry_file_completes_a_known_version(tmp_path: Path) -> None:
    data = next(d for d, s in files.builtin_structures() if s.label == P405)
    data = dict(data, components_published=True)
    sizes = {"gov_activity": 10, "economy_activity": 6, "society_activity": 6}
    indices = []
    for idx in data["indices"]:
        k = sizes.get(idx["code"], 5)
        mx = Decimal(idx["max"]) / k
        indices.append(
            dict(
                idx,
                components=[
                    {"code": f"{idx['code']}.{n}", "max": str(mx), "method": "entered"}
                    for n in range(1, k + 1)
                ],
            )
        )
    data["indices"] = indices
    bad = dict(data, indices=[dict(indices[0], max=90), *indices[1:]], total=990)
    path = tmp_path / "405.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        services.dti_structure_load(scope=ADMIN, actor=None, path=path)
    assert "indices[0].components" in exc.value.message_dict  # 5 × 20 ≠ 90
    with pytest.raises(PermissionDenied):
        services.dti_structure_load(scope=Scope(role="province"), actor=None, path=path)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    row = services.dti_structure_load(scope=ADMIN, actor=None, path=path)
    assert row.origin == "file"
    entry = {s["label"]: s for s in selectors.structures_list()}[P405]
    assert entry["entry_components"] == 47 and entry["components_published"]
    assert services.load()["structures"] == 0
    assert DtiStructure.objects.get(code="dti-province", version="405-2025").origin == "file"


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_enter_show_ranking_history(capsys: Any, tmp_path: Path) -> None:
    values = tmp_path / "v.json"
    values.write_text(json.dumps(whole({"awareness": 60, "gov_activity": "120.5"})), "utf-8")
    code, out, err = run(
        capsys, "dti", "enter", str(values), "--structure", P405, "--code", "46", "--year", "2024"
    )
    assert code == 0, err
    assert json.loads(out)["entered"] == 2
    code, out, _ = run(capsys, "dti", "show", "--structure", P405, "--code", "46", "--year", "2024")
    card = json.loads(out)
    assert code == 0 and card["value"] == "0.1805" and card["subject"]["name"] == "Thành phố Huế"
    code, out, _ = run(capsys, "dti", "ranking", "--structure", P405, "--year", "2024")
    assert [r["code"] for r in json.loads(out)] == ["46"]
    values.write_text(json.dumps({"awareness": 500}), "utf-8")
    code, _out, err = run(
        capsys, "dti", "enter", str(values), "--structure", P405, "--code", "46", "--year", "2024"
    )
    assert code == 1 and "awareness" in err and "0–100" in err
    code, out, _ = run(capsys, "dti", "history")
    assert code == 0 and any(h["value"] == "0.8002" for h in json.loads(out))
    code, out, _ = run(capsys, "dti", "structures")
    assert code == 0 and len(json.loads(out)) == 3


def test_api_values_scorecard_ranking(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    officer = make_user("province", unit="79")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(officer)}"}
    client = Client()
    body = {
        "structure": P405,
        "code": "79",
        "year": 2024,
        "values": whole({"awareness": 70, "cybersecurity": 88}),
    }
    res = client.post("/api/v1/dti/values", body, content_type="application/json", **headers)
    assert res.status_code == 200, res.content
    bad = dict(body, values={"awareness": {"points": 170, "evidence": EV}})
    res = client.post("/api/v1/dti/values", bad, content_type="application/json", **headers)
    assert res.status_code in (400, 422) and "awareness" in res.content.decode()
    res = client.get(f"/api/v1/dti/scorecard?structure={P405}&code=79&year=2024", **headers)
    assert res.status_code == 200 and res.json()["value"] == "0.1580"
    res = client.get(f"/api/v1/dti/ranking?structure={P405}&year=2024", **headers)
    assert res.json()[0]["code"] == "79"
    assert client.get(f"/api/v1/dti/ranking?structure={P405}&year=2024").status_code == 401
    assert client.get("/api/v1/dti/structures").status_code == 200
    res = client.get(f"/api/v1/dti/structures/{P405}")
    assert len(res.json()["indices"]) == 8
