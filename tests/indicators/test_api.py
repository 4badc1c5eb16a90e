"""The indicators API: public registry, scoped submissions, forecasts, role × endpoint checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.selectors import scope_for
from thuocdo.indicators import services

pytestmark = pytest.mark.django_db
BASE = "/api/v1/indicators"


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_registry_is_public(client: Client) -> None:
    res = client.get(f"{BASE}/")
    assert res.status_code == 200
    rows = {r["code"]: r for r in res.json()}
    assert rows["adults-smartphone"]["unit"] == "%"
    assert {t["year"] for t in rows["adults-smartphone"]["targets"]} >= {2025, 2030}
    detail = client.get(f"{BASE}/de-share-gdp").json()
    assert detail["definition_vi"].startswith("Giá trị tăng thêm")
    assert client.get(f"{BASE}/khong-co").status_code == 404
    assert client.get(f"{BASE}/de-share-gdp/targets").status_code == 200


def test_submit_list_and_history_through_the_api(
    client: Client, make_user: Any, token_for: Any
) -> None:
    hanoi = make_user("province", "01")
    token = token_for(hanoi)
    body = {
        "indicator": "households-fibre",
        "unit": "01",
        "period": "2025Q3",
        "value": 81,
        "provisional": True,
    }
    res = client.post(f"{BASE}/submissions/", body, content_type="application/json", **auth(token))
    assert res.status_code == 200, res.content
    assert res.json()["created"] and res.json()["submission"]["provisional"]
    body.update(value=82, provisional=False, source="Cục Viễn thông")
    res = client.post(f"{BASE}/submissions/", body, content_type="application/json", **auth(token))
    sub_id = res.json()["submission"]["id"]
    detail = client.get(f"{BASE}/submissions/{sub_id}", **auth(token)).json()
    assert detail["value"] == 82 and [h["value"] for h in detail["history"]] == [81]
    listed = client.get(
        f"{BASE}/submissions/?indicator=households-fibre&unit=01", **auth(token)
    ).json()
    assert listed["count"] == 1
    bad = client.post(
        f"{BASE}/submissions/",
        {**body, "value": 140},
        content_type="application/json",
        **auth(token),
    )
    assert bad.status_code == 422
    assert "100%" in bad.json()["errors"][0]["message"]
    assert bad.json()["errors"][0]["field"] == "value"


def test_scope_matrix(client: Client, make_user: Any, token_for: Any) -> None:
    hanoi, danang, ministry = (
        make_user("province", "01"),
        make_user("province", "48"),
        make_user("ministry"),
    )
    respondent = make_user("respondent")
    services.submission_submit(
        scope=scope_for(danang),
        actor=danang,
        indicator_code="households-fibre",
        unit_code="48",
        period="2025Q3",
        value=80,
    )
    body = {"indicator": "households-fibre", "unit": "48", "period": "2025Q3", "value": 81}
    post = f"{BASE}/submissions/"
    assert client.post(post, body, content_type="application/json").status_code == 401
    assert (
        client.post(
            post, body, content_type="application/json", **auth(token_for(hanoi))
        ).status_code
        == 403
    )
    assert (
        client.post(
            post, body, content_type="application/json", **auth(token_for(ministry))
        ).status_code
        == 403
    )
    assert (
        client.post(
            post, body, content_type="application/json", **auth(token_for(respondent))
        ).status_code
        == 403
    )
    assert (
        client.post(
            post, body, content_type="application/json", **auth(token_for(danang))
        ).status_code
        == 200
    )
    # reads: Hà Nội does not see Đà Nẵng's values; the ministry does
    hanoi_list = client.get(f"{BASE}/submissions/?unit=48", **auth(token_for(hanoi)))
    assert hanoi_list.status_code == 403
    all_hanoi = client.get(
        f"{BASE}/submissions/?indicator=households-fibre", **auth(token_for(hanoi))
    ).json()
    assert all(r["unit"] in {"01", "VN"} for r in all_hanoi["items"])
    ministry_list = client.get(f"{BASE}/submissions/?unit=48", **auth(token_for(ministry))).json()
    assert ministry_list["count"] == 1
    assert client.get(f"{BASE}/submissions/", **auth(token_for(respondent))).status_code == 403
    assert (
        client.get(
            f"{BASE}/households-fibre/forecast?unit=48", **auth(token_for(hanoi))
        ).status_code
        == 403
    )
    target = {"unit": "01", "year": 2025, "value": 90}
    assert (
        client.post(
            f"{BASE}/households-fibre/targets",
            target,
            content_type="application/json",
            **auth(token_for(danang)),
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{BASE}/households-fibre/targets",
            target,
            content_type="application/json",
            **auth(token_for(hanoi)),
        ).status_code
        == 200
    )


def test_forecast_endpoint(client: Client, make_user: Any, token_for: Any) -> None:
    ministry = make_user("ministry")
    res = client.get(f"{BASE}/de-share-gdp/forecast?year=2025", **auth(token_for(ministry)))
    assert res.status_code == 200
    data = res.json()
    assert data["verdict"] == "on_track" and data["method"] == "linear" and data["target"] == 20
    res = client.get(f"{BASE}/adults-telehealth/forecast", **auth(token_for(ministry)))
    assert res.status_code == 422
    overdue = client.get(f"{BASE}/reporting/overdue?period=2025Q3", **auth(token_for(ministry)))
    assert overdue.status_code == 200 and overdue.json()


def test_digital_economy_endpoints(client: Client, make_user: Any, token_for: Any) -> None:
    hanoi, danang = make_user("province", "01"), make_user("province", "48")
    body = {
        "unit": "01",
        "period": "2025Q3",
        "grdp": 400000,
        "grdp_source": "Cục Thống kê TP Hà Nội",
        "core": [{"label": "Viễn thông", "value": 20000, "source": "Sở", "vsic_codes": ["61"]}],
    }
    res = client.post(
        f"{BASE}/digital-economy/", body, content_type="application/json", **auth(token_for(hanoi))
    )
    assert res.status_code == 200, res.content
    data = res.json()
    assert data["ict_share_pct"] == 5.0 and data["de_share_pct"] is None
    assert data["inputs"]["core"][0]["vsic_codes"] == ["61"]
    res = client.post(
        f"{BASE}/digital-economy/", body, content_type="application/json", **auth(token_for(danang))
    )
    assert res.status_code == 403
    assert client.get(f"{BASE}/digital-economy/", **auth(token_for(danang))).json() == []
    assert len(client.get(f"{BASE}/digital-economy/", **auth(token_for(hanoi))).json()) == 1


def test_warnings_endpoint(client: Client, make_user: Any, token_for: Any) -> None:
    ministry = make_user("ministry")
    res = client.get(f"{BASE}/reporting/warnings?unit=VN", **auth(token_for(ministry)))
    assert res.status_code == 200
    assert all(r["unit"] == "VN" and r["verdict"] != "on_track" for r in res.json())
    assert client.get(f"{BASE}/reporting/warnings").status_code == 401


def test_openapi_schema_lists_the_indicator_operations(client: Client) -> None:
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    paths = res.json()["paths"]
    for path in (
        "/api/v1/indicators/",
        "/api/v1/indicators/{code}/forecast",
        "/api/v1/indicators/submissions/",
        "/api/v1/indicators/digital-economy/",
        "/api/v1/indicators/reporting/warnings",
    ):
        assert path in paths, path


def test_sector_values_and_consolidation_through_the_api(
    client: Client, make_user: Any, token_for: Any
) -> None:
    vu = make_user("ministry", department="Vụ KTS và XHS")
    trade = make_user("ministry", department="Bộ Công Thương")
    headers = auth(token_for(vu))
    body = {"indicator": "de-share-sector", "period": "2025Q3", "value": 7, "sector": "retail"}
    res = client.post(f"{BASE}/submissions/", body, content_type="application/json", **headers)
    assert res.status_code == 200 and res.json()["submission"]["sector"] == "retail"
    lock = {"indicator": "de-share-sector", "period": "2025Q3"}
    refused = client.post(
        f"{BASE}/reporting/consolidation",
        lock,
        content_type="application/json",
        **auth(token_for(trade)),
    )
    assert refused.status_code == 403
    res = client.post(
        f"{BASE}/reporting/consolidation", lock, content_type="application/json", **headers
    )
    assert res.status_code == 200 and res.json()["values"] == {"retail": 7}
    again = client.post(f"{BASE}/submissions/", body, content_type="application/json", **headers)
    assert again.status_code == 422 and "chốt số liệu" in str(again.json())
    status = client.get(f"{BASE}/reporting/consolidation?period=2025Q3", **headers).json()
    assert next(r for r in status if r["indicator"] == "de-share-sector")["locked"]
    res = client.post(
        f"{BASE}/reporting/consolidation/unlock",
        {**lock, "reason": "Sửa số liệu ngành bán lẻ"},
        content_type="application/json",
        **headers,
    )
    assert res.status_code == 200 and res.json()["locked"] is False
