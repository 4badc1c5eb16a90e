"""Plain language in public results: every chart, table, report and export names criteria in
words (their codes only in a column of their own); numbers are written the reader's way
(47,99 in Vietnamese, 47.99 in English); the title does not repeat the year; one year of
results says there is not enough history for a trend."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.analytics import factories as f
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).parents[2] / "src/thuocdo/analytics/static/thuocdo/analytics/dashboard.js"


def _published() -> tuple[Any, dict[str, str]]:
    c = f.campaign(status="published")
    commune = f.communes_of("01", 1)[0]
    f.stratum(c, commune, "enterprise", "small", 50)
    for i in range(8):
        f.response(c, commune=commune, seed=300 + i, quality=0.3)
    names = {k.code: k.name.vi for k in c.framework.engine().criteria()}
    return c, names


def _chart_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the dashboard carries its chart data"
    return dict(json.loads(match.group(1)))


def test_public_charts_and_exports_name_criteria_in_words(client: Client, tmp_path: Path) -> None:
    c, names = _published()
    html = client.get(f"/public/{c.pk}/").content.decode()
    data = _chart_data(html)
    assert data["unmet"], "some criteria are unmet"
    for u in data["unmet"]:
        assert u["name"] == names[u["criterion"]] and u["name"] != u["criterion"]
        assert u["pillar"]
    # the chart's axis is drawn from the names, never from the codes alone
    script = STATIC.read_text(encoding="utf-8")
    unmet_block = script[script.index('mount("unmet"') :]
    unmet_block = unmet_block[: unmet_block.index("});")]
    assert "return u.name;" in unmet_block and "return u.criterion;" not in unmet_block
    # the table on the page and the CSV: the name first, the code in its own column
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/public/{c.pk}/csv/unmet/").content.decode("utf-8-sig"))
        )
    )
    assert rows[0][:3] == ["Tiêu chí", "Trụ cột", "Mã"]
    for row in rows[1:]:
        assert row[0] == names[row[2]]
    for code in names:
        assert f"<td>{code}</td>" not in html or f"<td>{names[code]}</td>" in html
    # the XLSX and PDF reports
    book = load_workbook(
        io.BytesIO(client.get(f"/public/{c.pk}/report/", {"format": "xlsx"}).content)
    )
    gaps = [
        s
        for s in book.worksheets
        if "unmet" in s.title.lower()
        or "chưa đạt" in s.title.lower()
        or "gap" in s.title.lower()
        or "khoảng" in s.title.lower()
    ]
    sheet = gaps[0] if gaps else book.worksheets[2]
    lines = list(sheet.iter_rows(values_only=True))
    for line in lines[1:]:
        assert line[0] == names[str(line[1])]
    shares = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.number_format == "0.0%" for cell in shares)
    pdf = client.get(f"/public/{c.pk}/report/", {"format": "pdf"}).content
    text = " ".join(pdf_text(pdf).split())
    for u in data["unmet"]:
        assert names[u["criterion"]][:30] in text


def test_numbers_in_the_readers_notation(client: Client) -> None:
    c, _names = _published()
    pdf = client.get(f"/public/{c.pk}/report/", {"format": "pdf"}).content
    text = pdf_text(pdf)
    assert re.search(r"\b\d{1,3},\d{2}\b", text), "Vietnamese decimals (47,99)"
    assert not re.search(r"\b\d{1,3}\.\d{2}\b", text), "no 47.99 in the Vietnamese report"
    assert re.search(r"\d,\d%", text), "shares as 12,5%"
    client.post("/i18n/setlang/", {"language": "en"})
    english = pdf_text(client.get(f"/public/{c.pk}/report/", {"format": "pdf"}).content)
    assert re.search(r"\b\d{1,3}\.\d{2}\b", english)


def test_title_says_the_year_once_and_one_year_has_no_trend(client: Client) -> None:
    c = f.campaign(status="published", name="Khảo sát chuyển đổi số Hà Nội 2025", year=2025)
    commune = f.communes_of("01", 1)[0]
    for i in range(6):
        f.response(c, commune=commune, seed=400 + i)
    html = client.get(f"/public/{c.pk}/").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert h1 is not None
    assert h1.group(1).count("2025") == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and title.group(1).count("2025") == 1
    assert 'id="trend-short"' in html
    assert "Chưa đủ dữ liệu nhiều năm" in html
    assert 'data-chart="trend"' not in html
    # an index of the sections, and the map's colour scale with its numbers
    assert 'id="dash-index"' in html and 'href="#chart-units"' in html
    legend = re.search(r'<p class="map-legend".*?</p>', html, re.S)
    assert legend is not None and "0–25" in legend.group(0) and "75–100" in legend.group(0)
