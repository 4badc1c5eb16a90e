"""Units through the API and the pages: answers, and clear errors for bad codes."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_api_lists_provinces_and_searches(client: Client) -> None:
    res = client.get("/api/v1/geo/units", {"limit": 500})
    assert res.status_code == 200
    assert len(res.json()) == 34
    res = client.get("/api/v1/geo/units", {"q": "ha noi"})
    assert res.json()[0]["code"] == "01"


def test_api_unit_detail_with_legacy_links(client: Client) -> None:
    res = client.get("/api/v1/geo/units/02", {"structure": "legacy"})
    assert res.status_code == 200
    body = res.json()
    assert body["name"] == "Tỉnh Hà Giang"
    assert [u["name"] for u in body["current"]] == ["Tỉnh Tuyên Quang"]


def test_api_unknown_code_is_404_in_vietnamese(client: Client) -> None:
    res = client.get("/api/v1/geo/units/99999")
    assert res.status_code == 404
    assert "99999" in res.json()["detail"]
    assert "Mã đơn vị hành chính" in res.json()["detail"]


def test_api_malformed_code_and_parameters_are_400_or_422(client: Client) -> None:
    assert client.get("/api/v1/geo/units/abc;drop").status_code == 400
    res = client.get("/api/v1/geo/units", {"limit": "many"})
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"].endswith("limit")
    assert client.get("/api/v1/geo/units", {"level": "planet"}).status_code == 422


def test_api_english_on_request(client: Client) -> None:
    res = client.get("/api/v1/geo/units/99999", HTTP_ACCEPT_LANGUAGE="en")
    assert res.json()["detail"].startswith("Unknown administrative unit code")


def test_pages(client: Client) -> None:
    assert client.get("/geo/").status_code == 200
    res = client.get("/geo/", {"q": "ha noi"})
    assert "Thành phố Hà Nội" in res.content.decode()
    assert client.get("/geo/2025/01/").status_code == 200
    res = client.get("/geo/2025/99999/")
    assert res.status_code == 404
    assert "99999" in res.content.decode()
