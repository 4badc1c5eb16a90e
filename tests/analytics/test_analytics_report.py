"""Annual report: PDF rendered to PNG pages and its text read with PDFium; XLSX."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.analytics import factories as f
from tests.pdf import pdf_image_count, pdf_pages_png, pdf_text

from thuocdo.cli import main

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "analytics"


def _pixels_near(png: Path | bytes, rgb: tuple[int, int, int], box: float = 1.0) -> int:
    """Pixels within a small distance of ``rgb`` (in the top ``box`` share of the image)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("RGB")
    width, height = image.size
    crop = image.crop((0, 0, width, int(height * box)))
    distance = np.abs(np.asarray(crop, dtype=np.int32) - np.array(rgb)).sum(axis=2)
    return int((distance < 40).sum())


def test_a_hidden_year_is_not_drawn_as_zero() -> None:
    from thuocdo.analytics.report_pdf import _chart_png

    line = (0x2F, 0x6F, 0x9F)
    gap = _chart_png("line", ["2024", "2025", "2026"], [50.0, None, 50.0], "t")
    zero = _chart_png("line", ["2024", "2025", "2026"], [50.0, 0.0, 50.0], "t")
    # a zero dips to the bottom of the chart; a hidden value leaves the line broken at 50
    lower = _pixels_near(zero, line) - _pixels_near(zero, line, box=0.6)
    assert lower > 100
    assert _pixels_near(gap, line) - _pixels_near(gap, line, box=0.6) == 0


@pytest.mark.django_db
def test_pdf_report_renders_pages_with_vietnamese_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    out = tmp_path / "report.pdf"
    assert main(["report", str(c.pk), "--format", "pdf", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    pages = pdf_pages_png(out, tmp_path)
    assert len(pages) >= 2
    assert all(p.stat().st_size > 5000 for p in pages)  # charts and tables, not blank pages
    # the level distribution and pillar profile charts are images in the PDF, and pixels of
    # their bar colours reach the rendered pages
    assert pdf_image_count(out) >= 2
    assert _pixels_near(pages[0], (0x2F, 0x6F, 0x9F)) > 200  # level bars
    assert _pixels_near(pages[0], (0x2F, 0x8F, 0x5B)) > 200  # pillar bars
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-page-1.png").write_bytes(pages[0].read_bytes())
    text = pdf_text(out)
    assert "Hà Nội" in text
    assert "Hồ Chí Minh" in text
    assert c.name in text
    assert "95%" in text


@pytest.mark.django_db
def test_province_report_lists_its_communes(tmp_path: Path) -> None:
    c, responses = f.populated_campaign(per_commune=6)
    out = tmp_path / "hn.pdf"
    assert main(["report", str(c.pk), "--area", "01", "--format", "pdf", "-o", str(out)]) == 0
    text = pdf_text(out)
    names = {r.commune.short_name for r in responses if r.unit_path.startswith("2025/01/")}
    for name in names:
        assert name in text
    assert "Hồ Chí Minh" not in text


@pytest.mark.django_db
def test_xlsx_report_has_summary_rankings_and_gaps(tmp_path: Path) -> None:
    c, responses = f.populated_campaign(per_commune=6)
    out = tmp_path / "report.xlsx"
    assert main(["report", str(c.pk), "--format", "xlsx", "-o", str(out)]) == 0
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 4
    summary = list(wb.worksheets[0].iter_rows(values_only=True))
    assert any(row[1] == len(responses) for row in summary if len(row) > 1)
    ranks = list(wb.worksheets[1].iter_rows(values_only=True))
    assert {r[1] for r in ranks[1:]} == {"01", "79"}
    gaps = list(wb.worksheets[2].iter_rows(values_only=True))
    assert len(gaps) > 1


@pytest.mark.django_db
def test_report_bad_area_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c, _ = f.populated_campaign(per_commune=1, provinces=("01",), communes=1)
    assert (
        main(
            [
                "report",
                str(c.pk),
                "--area",
                "99",
                "--format",
                "xlsx",
                "-o",
                str(tmp_path / "x.xlsx"),
            ]
        )
        == 1
    )
    assert "99" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.django_db
def test_report_button_on_the_dashboard(make_user: Any, client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    client.force_login(make_user("admin"))
    page = client.get(f"/analytics/{c.pk}/", {"province": "01"}).content.decode()
    assert f"/analytics/{c.pk}/report/?format=pdf&amp;province=01" in page
    pdf = client.get(f"/analytics/{c.pk}/report/", {"format": "pdf", "province": "01"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(f"/analytics/{c.pk}/report/", {"format": "xlsx"})
    assert xlsx.status_code == 200
    load_workbook(io.BytesIO(xlsx.content))
    assert client.get(f"/analytics/{c.pk}/report/", {"format": "doc"}).status_code == 400


@pytest.mark.django_db
def test_no_report_button_while_the_campaign_has_no_responses(
    make_user: Any, client: Client
) -> None:
    c = f.campaign(area="01")
    client.force_login(make_user("admin"))
    page = client.get(f"/analytics/{c.pk}/").content.decode()
    assert f"/analytics/{c.pk}/report/" not in page
    # the report itself would only refuse: nothing to report on; the way back is the dashboard
    refused = client.get(f"/analytics/{c.pk}/report/", {"format": "pdf"})
    assert refused.status_code == 400
    assert f'href="/analytics/{c.pk}/"' in refused.content.decode()


@pytest.mark.django_db
def test_a_province_officers_report_is_titled_by_the_province(
    client: Client, make_user: Any
) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    client.force_login(make_user("province", unit="01"))
    resp = client.get(f"/analytics/{c.pk}/report/", {"format": "xlsx"})
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.content))
    cells = {
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    }
    assert "Hà Nội" in " ".join(cells)
    assert not {"Whole country", "Cả nước"} & cells
