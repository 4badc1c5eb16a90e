"""The Annex 01 XLSX: layout of seed 001, round trip, row-level errors, LibreOffice rendering."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.pdf import pdf_pages_png, pdf_text

from thuocdo.indicators import services
from thuocdo.indicators.annex import (
    COL_CODE,
    COL_PROVISIONAL,
    AnnexImportError,
    annex_export,
    annex_import,
)
from thuocdo.indicators.models import Submission

pytestmark = pytest.mark.django_db

TABLE_HEADERS = (
    "Chỉ tiêu Chiến lược Kinh tế số, Xã hội số",
    "Đơn vị đo lường",
    "Đơn vị tổng hợp báo cáo",
    "So sánh quốc tế (có thể gần tương đương)",
)
HEADINGS = (
    "PHỤ LỤC 01",
    "Đơn vị nhận số liệu",
    "Cung cấp số liệu theo bảng sau",
    "Đánh giá xu hướng",
    "So sánh quốc tế",
    "Khó khăn, vướng mắc",
    "Đề xuất",
    "nguyên tắc quản lý thực thi",
)


@pytest.fixture
def hanoi(officer: Any) -> tuple[Any, Any]:
    user, scope = officer("province", "01")
    for period, value in (("2025Q1", 70.5), ("2025Q2", 72.0)):
        services.submission_submit(
            scope=scope,
            actor=user,
            indicator_code="adults-online-public-services",
            unit_code="01",
            period=period,
            value=value,
            international_value=60,
        )
    services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q3",
        value=74.25,
        provisional=True,
        source="Sở KH&CN Hà Nội",
        trend_assessment="Tăng đều qua ba quý",
        difficulties="Thiếu dữ liệu dân cư cập nhật",
        proposals="Kết nối dữ liệu VNeID",
        international_comparison="Gần mức trung bình OECD",
    )
    return user, scope


def _rows(ws: Any) -> dict[str, int]:
    return {
        str(ws.cell(row=r, column=COL_CODE).value): r
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=COL_CODE).value
    }


def test_export_has_the_annex_layout(hanoi: tuple[Any, Any], tmp_path: Path) -> None:
    _, scope = hanoi
    path = tmp_path / "annex.xlsx"
    annex_export(scope=scope, period="2025Q3", unit_code_="01", path=path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "PHỤ LỤC 01"
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for heading in HEADINGS:
        assert any(heading in t for t in texts), heading
    assert ws["E11"].value == "Năm 2025"
    assert [ws.cell(row=12, column=c).value for c in (5, 7, 9, 11, 12)] == [
        "Quý I",
        "Quý II",
        "Quý III",
        "Quý IV",
        "Mục tiêu 2025",
    ]
    assert ws["N11"].value == "Mục tiêu 2025"
    rows = _rows(ws)
    r = rows["adults-online-public-services"]
    assert ws.cell(row=r, column=1).value == "2.7"
    assert [ws.cell(row=r, column=c).value for c in (5, 6, 7, 9)] == [70.5, 60, 72, 74.25]
    assert ws.cell(row=r, column=COL_PROVISIONAL).value == "x"
    assert ws.cell(row=r, column=14).value == "Trên 50%"
    # the seventeen numbered rows of seed 001 §II.1 are all there, in order
    stts = [ws.cell(row=rr, column=1).value for rr in sorted(rows.values())]
    numbered = [s for s in stts if s and s.count(".") == 1 and s[0] in "12"]
    assert numbered[:6] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert "2.11" in numbered
    assert any("Tăng đều qua ba quý" in t for t in texts)
    assert any("Kết nối dữ liệu VNeID" in t for t in texts)
    assert wb["_meta"].sheet_state == "hidden"


def test_export_follows_the_seed_rows_targets_and_principles(
    hanoi: tuple[Any, Any], tmp_path: Path
) -> None:
    _, scope = hanoi
    path = tmp_path / "annex-2023.xlsx"
    annex_export(scope=scope, period="2023Q3", unit_code_="01", path=path)
    ws = load_workbook(path).worksheets[0]
    rows = _rows(ws)
    assert ws.cell(row=12, column=12).value == "Mục tiêu 2023"
    # the Annex's own 2023 targets, not the §II.1 plans (none for 1.6; 74.63% vs 70% for 2.2)
    assert ws.cell(row=rows["de-workforce-share"], column=12).value == "3%"
    assert ws.cell(row=rows["account-ownership-15plus"], column=12).value == "70%"
    assert ws.cell(row=rows["de-share-gdp"], column=12).value == "15,5%"
    # under 1.2: "- Ngành TTTT" (an indicator) and "- Các ngành, lĩnh vực khác" (no indicator)
    ict = rows["de-share-sector-ict"]
    assert ws.cell(row=ict + 1, column=2).value == "- Các ngành, lĩnh vực khác"
    assert ws.cell(row=ict + 1, column=3).value == "Các bộ, ngành tương ứng"
    assert ws.cell(row=ict + 1, column=COL_CODE).value is None
    assert ws.cell(row=ict + 2, column=1).value == "1.3"
    note = _find_row(ws, "Ghi chú về các nguyên tắc")
    principles = [str(ws.cell(row=note + k, column=1).value) for k in (1, 2, 3, 4)]
    assert principles[0] == (
        "1. Lấy dữ liệu làm trung tâm: Quản lý thực thi chiến lược dựa trên dữ liệu, lấy dữ "
        "liệu làm trung tâm, ưu tiên dữ liệu có thể giám sát tự động. Hạn chế tối đa các báo "
        "cáo không dựa trên dữ liệu."
    )
    assert principles[2].startswith("3. Động, kịp thời: Nếu phát hiện dữ liệu")
    assert not any(c in " ".join(principles) for c in ("Data-centred", "Dynamic and timely"))


def test_import_round_trip_and_row_level_errors(hanoi: tuple[Any, Any], tmp_path: Path) -> None:
    user, scope = hanoi
    path = tmp_path / "annex.xlsx"
    annex_export(scope=scope, period="2025Q3", unit_code_="01", path=path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rows = _rows(ws)
    r_fibre, r_online = rows["households-fibre"], rows["adults-online-public-services"]
    ws.cell(row=r_fibre, column=9, value=82)  # Q3 households-fibre
    ws.cell(row=r_online, column=9, value=75)  # official value replaces the provisional one
    ws.cell(row=r_online, column=COL_PROVISIONAL).value = None
    good = tmp_path / "good.xlsx"
    wb.save(good)
    ws.cell(row=rows["adults-smartphone"], column=9, value=130)  # > 100 %
    ws.cell(row=rows["schools-digital-model"], column=COL_CODE, value="ma-khong-co")
    ws.cell(row=rows["schools-digital-model"], column=9, value=40)
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(AnnexImportError) as err:
        annex_import(scope=scope, actor=user, source=bad)
    messages = [e["message"] for e in err.value.report.errors]
    assert any(
        f"dòng {rows['schools-digital-model']}, cột P" in m and "ma-khong-co" in m for m in messages
    ), messages
    assert not Submission.objects.filter(
        indicator__code="households-fibre", unit__code="01"
    ).exists()
    # fix the unknown code: the share above 100 % is still refused, with its row and column
    ws.cell(row=rows["schools-digital-model"], column=COL_CODE, value="schools-digital-model")
    wb.save(bad)
    with pytest.raises(AnnexImportError) as err:
        annex_import(scope=scope, actor=user, source=bad)
    messages = [e["message"] for e in err.value.report.errors]
    assert any(f"dòng {rows['adults-smartphone']}, cột I" in m and "100%" in m for m in messages), (
        messages
    )
    assert not Submission.objects.filter(
        indicator__code="households-fibre", unit__code="01"
    ).exists()
    assert Submission.objects.get(
        indicator__code="adults-online-public-services", unit__code="01", period="2025Q3"
    ).provisional
    report = annex_import(scope=scope, actor=user, source=good)
    assert (report.created, report.replaced) == (1, 1)
    online = Submission.objects.get(
        indicator__code="adults-online-public-services", unit__code="01", period="2025Q3"
    )
    assert (online.value, online.status) == (75, "official")
    assert online.revisions.get().value == 74.25
    again = annex_import(scope=scope, actor=user, source=good)
    assert (again.created, again.replaced) == (0, 0)


def test_import_refuses_other_files_and_other_provinces(
    hanoi: tuple[Any, Any], tmp_path: Path, officer: Any
) -> None:
    user, scope = hanoi
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(AnnexImportError) as err:
        annex_import(scope=scope, actor=user, source=junk)
    assert "XLSX" in err.value.report.errors[0]["message"]
    danang, danang_scope = officer("province", "48")
    path = tmp_path / "hanoi.xlsx"
    annex_export(scope=scope, period="2025Q3", unit_code_="01", path=path)
    with pytest.raises(AnnexImportError) as err:
        annex_import(scope=danang_scope, actor=danang, source=path)
    assert "phạm vi" in err.value.report.errors[0]["message"]


@pytest.mark.slow
def test_annex_opens_in_libreoffice(hanoi: tuple[Any, Any], tmp_path: Path) -> None:
    _, scope = hanoi
    xlsx = tmp_path / "phu-luc-01.xlsx"
    annex_export(scope=scope, period="2025Q3", unit_code_="01", path=xlsx)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "phu-luc-01.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000
    pages = pdf_pages_png(pdf, tmp_path)
    assert pages and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pages)
    text = pdf_text(pdf)
    (tmp_path / "annex.txt").write_text(text, encoding="utf-8")
    for heading in HEADINGS:
        assert heading in text, heading
    assert "Tỷ trọng kinh tế số trên GDP" in text and "74.25" in text
    words = " ".join(text.split())
    # the table headers of seed 001 Annex 01 (wrapped cells: checked word by word)
    for header in (*TABLE_HEADERS, "Năm 2025", "Mục tiêu 2025"):
        assert all(w in words for w in header.split()), header
    assert "STT" in text and all(f"Quý {q}" in text for q in ("I", "II", "III", "IV"))
    assert "Các ngành, lĩnh vực khác" in words
    assert "Quản lý thực thi chiến lược dựa trên dữ liệu" in words


def _find_row(ws: Any, prefix: str) -> int:
    return next(
        r
        for r in range(1, ws.max_row + 1)
        if isinstance(ws.cell(row=r, column=1).value, str)
        and ws.cell(row=r, column=1).value.startswith(prefix)
    )


def test_narrative_sections_round_trip(hanoi: tuple[Any, Any], tmp_path: Path) -> None:
    user, scope = hanoi
    path = tmp_path / "annex.xlsx"
    annex_export(scope=scope, period="2025Q3", unit_code_="01", path=path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    proposals = _find_row(ws, "VI.") + 1
    assert ws.cell(row=proposals, column=1).value.endswith("Kết nối dữ liệu VNeID")
    name = "Tỷ lệ dân số trưởng thành có sử dụng dịch vụ công trực tuyến"
    ws.cell(row=proposals, column=1).value = f"1. {name}: Tích hợp thêm 20 dịch vụ công toàn trình"
    difficulties = _find_row(ws, "V. ") + 1
    ws.cell(row=difficulties, column=1).value = "1. ..."
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    report = annex_import(scope=scope, actor=user, source=edited)
    assert report.replaced == 1
    sub = Submission.objects.get(
        indicator__code="adults-online-public-services", unit__code="01", period="2025Q3"
    )
    assert sub.proposals == "Tích hợp thêm 20 dịch vụ công toàn trình"
    assert sub.difficulties == "" and sub.trend_assessment == "Tăng đều qua ba quý"
    assert sub.value == 74.25 and sub.provisional  # the value itself did not change
    q1 = Submission.objects.get(
        indicator__code="adults-online-public-services", unit__code="01", period="2025Q1"
    )
    assert q1.international_value == 60
    # a line that names no indicator, and a narrative for an indicator without a value
    ws.cell(row=proposals, column=1).value = "1. Đề xuất chung không rõ chỉ tiêu"
    ws.cell(
        row=difficulties, column=1
    ).value = "1. Tỷ lệ hộ gia đình được phủ mạng Internet băng rộng cáp quang: Thiếu số liệu"
    wb.save(edited)
    with pytest.raises(AnnexImportError) as err:
        annex_import(scope=scope, actor=user, source=edited)
    messages = " | ".join(e["message"] for e in err.value.report.errors)
    assert f"dòng {proposals}, cột A" in messages and f"dòng {difficulties}, cột A" in messages
    sub.refresh_from_db()
    assert sub.proposals == "Tích hợp thêm 20 dịch vụ công toàn trình"
