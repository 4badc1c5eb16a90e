"""Public portal, open data and public API: published only, small cells never leave the server."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.analytics import factories as f
from tests.pdf import pdf_image_count, pdf_text

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Organisation

ADMIN = Scope(role="admin", user_id=1)


def _setup() -> tuple[Any, dict[str, Any]]:
    """Published campaign: Hà Nội has 8 respondents, TP HCM only 3 (a small cell)."""
    c = f.campaign(status="published")
    for prov, count in (("01", 8), ("79", 3)):
        commune = f.communes_of(prov, 1)[0]
        f.stratum(c, commune, "enterprise", "small", 50)
        for i in range(count):
            f.response(
                c, commune=commune, seed=100 * int(prov) + i, quality=0.8 if prov == "79" else 0.3
            )
    secret = next(
        r
        for r in selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=Slice(by=("province",)))[
            "rows"
        ]
        if r["province"] == "79"
    )
    return c, secret


def _secret_values(secret: dict[str, Any]) -> list[float]:
    values = [secret["mean"], secret["ci_low"], secret["ci_high"], *secret["pillars"].values()]
    return [v for v in values if v is not None and v not in (0.0, 100.0)]


def _secret_strings(secret: dict[str, Any]) -> list[str]:
    texts: set[str] = set()
    for v in _secret_values(secret):
        # every way a page, a chart or a download could print it
        texts |= {f"{v:.2f}", f"{v:.1f}", str(v), f"{v:.1f}".replace(".", ",")}
    return sorted(texts)


def _assert_hidden(body: str, secret: dict[str, Any]) -> None:
    for text in _secret_strings(secret):
        # as a whole number: 59.1 is not found inside 59.12
        found = re.search(rf"(?<![\d.,]){re.escape(text)}(?![\d])", body)
        assert found is None, text


@pytest.mark.django_db
def test_public_dashboard_shows_a_dash_for_small_cells(client: Client) -> None:
    c, secret = _setup()
    page = client.get(f"/public/{c.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    _assert_hidden(body, secret)
    start = body.index(">", body.index('id="chart-data"')) + 1
    data = json.loads(body[start : body.index("</script>", start)])
    hcm = next(t for t in data["map"]["tiles"] if t["code"] == "79")
    assert hcm["mean"] is None
    assert hcm["suppressed"] is True
    # with two provinces, showing Hà Nội would give TP HCM away (nation minus Hà Nội)
    hanoi = next(t for t in data["map"]["tiles"] if t["code"] == "01")
    assert hanoi["mean"] is None
    assert hanoi["suppressed"] is True
    assert "—" in body
    # drill into the small province: its summary is suppressed too
    small = client.get(f"/public/{c.pk}/", {"province": "79"}).content.decode()
    _assert_hidden(small, secret)
    assert "—" in small


@pytest.mark.django_db
def test_no_names_or_tax_codes_in_public_pages(client: Client) -> None:
    c, _ = _setup()
    Organisation.objects.update(tax_code=None)
    org = Organisation.objects.first()
    assert org is not None
    org.tax_code = "0101234567"
    org.save()
    body = client.get(f"/public/{c.pk}/").content.decode()
    for o in Organisation.objects.all():
        assert o.name not in body
    assert "0101234567" not in body


@pytest.mark.django_db
def test_every_public_download_suppresses(client: Client) -> None:
    c, secret = _setup()
    for chart in ("map", "levels", "pillars", "unmet", "units", "trend"):
        for params in ({}, {"province": "79"}):
            resp = client.get(f"/public/{c.pk}/csv/{chart}/", params)
            assert resp.status_code == 200
            _assert_hidden(resp.content.decode("utf-8-sig"), secret)
    for dataset in (
        "province",
        "province-sector",
        "province-entity-size",
        "commune",
        "nation-sector",
    ):
        got = {}
        for fmt in ("csv", "xlsx", "parquet"):
            resp = client.get(f"/public/{c.pk}/data/{dataset}.{fmt}")
            assert resp.status_code == 200, (dataset, fmt)
            got[fmt] = resp.content
        table = list(csv.DictReader(io.StringIO(got["csv"].decode("utf-8-sig"))))
        _assert_hidden(got["csv"].decode("utf-8-sig"), secret)
        frame = pl.read_parquet(io.BytesIO(got["parquet"]))
        wb = load_workbook(io.BytesIO(got["xlsx"]))
        sheet = list(wb.active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert frame.height == len(table) == len(sheet) - 1
        for row in table:
            if dataset != "nation-sector" and row["province"] == "79":
                assert row["suppressed"] == "True"
                assert row["mean"] == row["ci_low"] == row["ci_high"] == ""
        small = frame.filter(pl.col("suppressed"))
        if dataset != "nation-sector":
            assert small.height >= 1
            assert small["mean"].null_count() == small.height
            for col in [c for c in frame.columns if c.startswith(("level_", "pillar_"))]:
                assert small[col].null_count() == small.height
        for cells in sheet[1:]:
            rec = dict(zip(sheet[0], cells, strict=True))
            if rec["suppressed"]:
                assert rec["mean"] is None
    assert client.get(f"/public/{c.pk}/data/province.json").status_code == 404
    assert client.get(f"/public/{c.pk}/data/nope.csv").status_code == 404


@pytest.mark.django_db
def test_public_api_pages_and_suppresses(client: Client) -> None:
    c, secret = _setup()
    listing = client.get("/api/v1/public/campaigns").json()
    assert [x["id"] for x in listing["items"]] == [c.pk]
    resp = client.get(f"/api/v1/public/campaigns/{c.pk}/aggregates", {"by": "province"})
    assert resp.status_code == 200
    data = resp.json()
    _assert_hidden(resp.content.decode(), secret)
    assert data["count"] == 2
    hcm = next(r for r in data["items"] if r["province"] == "79")
    assert hcm["suppressed"] is True
    for key in ("mean", "ci_low", "ci_high", "levels", "pillars"):
        assert hcm[key] is None
    page1 = client.get(
        f"/api/v1/public/campaigns/{c.pk}/aggregates", {"by": "province", "limit": 1}
    ).json()
    page2 = client.get(
        f"/api/v1/public/campaigns/{c.pk}/aggregates", {"by": "province", "limit": 1, "offset": 1}
    ).json()
    assert [r["province"] for r in page1["items"] + page2["items"]] == ["01", "79"]
    ranks = client.get(f"/api/v1/public/campaigns/{c.pk}/rankings")
    assert ranks.status_code == 200
    _assert_hidden(ranks.content.decode(), secret)
    assert ranks.json()["items"][0]["province"] == "01"
    unmet = client.get(f"/api/v1/public/campaigns/{c.pk}/unmet", {"province": "79"})
    assert unmet.status_code == 200
    assert all(u["share"] is None for u in unmet.json()["items"])
    dictionary = client.get("/api/v1/public/data-dictionary").json()
    assert {"mean", "suppressed", "n"} <= {d["column"] for d in dictionary["items"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"by": "district"},
        {"province": "99"},
        {"sector": "x y"},
        {"limit": "0"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"year": "19x"},
        {"provinces": "01"},
        {"province": "01", "commune": "25747"},
    ],
)
def test_public_api_bad_input_is_400(client: Client, params: dict[str, str]) -> None:
    c, _ = _setup()
    resp = client.get(f"/api/v1/public/campaigns/{c.pk}/aggregates", params)
    assert resp.status_code == 400
    assert resp.json()["detail"]


@pytest.mark.django_db
def test_unpublished_campaigns_are_not_public(client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=6, status="closed")
    assert client.get(f"/public/{c.pk}/").status_code == 404
    assert client.get(f"/public/{c.pk}/data/province.csv").status_code == 404
    assert client.get(f"/api/v1/public/campaigns/{c.pk}/aggregates").status_code == 404
    assert client.get("/api/v1/public/campaigns").json()["items"] == []
    index = client.get("/public/").content.decode()
    assert f'href="/public/{c.pk}/"' not in index
    assert "Đánh giá DN" not in index
    # a published campaign next to it is listed, so the page does show campaigns
    shown = f.campaign(status="published", name="Chiến dịch công bố")
    index = client.get("/public/").content.decode()
    assert f'href="/public/{shown.pk}/"' in index
    assert f'href="/public/{c.pk}/"' not in index


@pytest.mark.django_db
def test_data_dictionary_download(client: Client) -> None:
    resp = client.get("/public/data-dictionary.csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 3
    assert "suppressed" in {r[0] for r in rows[1:]}


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    return pdf_text(pdf)


def _pdf_images(pdf: bytes, tmp_path: Path) -> int:
    return pdf_image_count(pdf)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"province": "79"}])
def test_public_pdf_report_hides_small_cells(
    client: Client, tmp_path: Path, params: dict[str, str]
) -> None:
    c, secret = _setup()
    resp = client.get(f"/public/{c.pk}/report/", {"format": "pdf", **params})
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    text = _pdf_text(resp.content, tmp_path)
    _assert_hidden(text, secret)
    assert "—" in text
    assert _pdf_images(resp.content, tmp_path) >= 2  # the charts are drawn


@pytest.mark.django_db
def test_public_xlsx_report_hides_small_cells(client: Client) -> None:
    c, secret = _setup()
    for params in ({}, {"province": "79"}):
        resp = client.get(f"/public/{c.pk}/report/", {"format": "xlsx", **params})
        assert resp.status_code == 200
        book = load_workbook(io.BytesIO(resp.content))
        hidden = {round(float(v), 1) for v in _secret_values(secret)}
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    if isinstance(cell, float):
                        assert round(cell, 1) not in hidden, (sheet.title, row)
                    elif isinstance(cell, str):
                        _assert_hidden(cell, secret)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"province": "99"}, {"province": "abc"}, {"format": "docx"}, {"province": "01x"}],
)
def test_public_report_bad_input_is_400(client: Client, params: dict[str, str]) -> None:
    c, _ = _setup()
    resp = client.get(f"/public/{c.pk}/report/", params)
    assert resp.status_code == 400
    assert "pdf" not in resp.get("Content-Type", "")


@pytest.mark.django_db
def test_a_hidden_province_cannot_be_derived_from_the_total(client: Client) -> None:
    # Hà Nội 8 respondents, TP HCM 3: the nation (11) is published. Were Hà Nội shown,
    # m_HCM = (W_nation · m_nation − W_HN · m_HN) / (W_nation − W_HN).
    c, _ = _setup()
    url = f"/api/v1/public/campaigns/{c.pk}/aggregates"
    nation = client.get(url).json()["items"][0]
    assert nation["n"] == 11
    assert nation["mean"] is not None
    rows = {r["province"]: r for r in client.get(url, {"by": "province"}).json()["items"]}
    hanoi = rows["01"]
    assert hanoi["n"] == 8
    assert hanoi["suppressed"] is True  # complementary: n ≥ 5 but hidden
    for key in ("mean", "population", "levels", "pillars"):
        assert hanoi[key] is None
    # the same on the page and in every download
    _assert_hidden(client.get(f"/public/{c.pk}/").content.decode(), _admin_row(c, "01"))
    csv_text = client.get(f"/public/{c.pk}/data/province.csv").content.decode("utf-8-sig")
    _assert_hidden(csv_text, _admin_row(c, "01"))
    parquet = client.get(f"/public/{c.pk}/data/province.parquet").content
    table = pl.read_parquet(io.BytesIO(parquet))
    assert table.filter(pl.col("province") == "01")["mean"].to_list() == [None]


def _admin_row(c: Any, province: str) -> dict[str, Any]:
    rows = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=Slice(by=("province",)))
    return next(r for r in rows["rows"] if r["province"] == province)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"provinces": "01"}, "provinces"),
        ({"secter": "retail"}, "secter"),
        ({"province": "01", "commune": "25747"}, "25747"),
        ({"province": "99"}, "99"),
        ({"year": "19x"}, "19x"),
    ],
)
def test_public_pages_refuse_bad_parameters(
    client: Client, params: dict[str, str], named: str
) -> None:
    c, _ = _setup()
    for url in (f"/public/{c.pk}/", f"/public/{c.pk}/csv/levels/", f"/public/{c.pk}/csv/units/"):
        resp = client.get(url, params)
        assert resp.status_code == 400, url
        assert named in resp.content.decode(), url
