"""The Annex 01 export read back as filed: one target per row and year, the note saying which
table a target follows, the seeds' misspellings corrected, the international comparison
value, and the consolidation status of the period's figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from thuocdo.indicators import services
from thuocdo.indicators.annex import (
    COL_CODE,
    COL_COMPARE_2025,
    COL_LOCK,
    COL_NOTE,
    COL_TARGET_2025,
    COL_TARGET_YEAR,
    annex_export,
)
from thuocdo.indicators.consolidation import consolidation_lock
from thuocdo.indicators.models import Indicator

pytestmark = pytest.mark.django_db

DISAGREEING = {  # seed 001 rows 2.8–2.11: §II.1 2025 target vs Annex 01's "> 50%"
    "adults-telehealth": "Trên 30%",
    "people-e-health-record": "90%",
    "tertiary-vet-digital-model": "80%",
    "schools-digital-model": "70%",
}


def _export(scope: Any, period: str, unit: str | None, tmp_path: Path, **kw: Any) -> Any:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"annex-{period}-{unit}.xlsx"
    annex_export(scope=scope, period=period, unit_code_=unit, path=path, **kw)
    return load_workbook(path).worksheets[0]


def _rows(ws: Any) -> dict[str, int]:
    return {
        str(ws.cell(row=r, column=COL_CODE).value): r
        for r in range(13, ws.max_row + 1)
        if ws.cell(row=r, column=COL_CODE).value
    }


def _texts(ws: Any) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_one_target_per_row_and_year_with_the_source_noted(officer: Any, tmp_path: Path) -> None:
    _, scope = officer("ministry")
    ws = _export(scope, "2025Q3", None, tmp_path)
    assert ws.cell(row=12, column=COL_TARGET_YEAR).value == "Mục tiêu 2025"
    rows = _rows(ws)
    for code, row in rows.items():
        year_cell = ws.cell(row=row, column=COL_TARGET_YEAR).value
        cell_2025 = ws.cell(row=row, column=COL_TARGET_2025).value
        # the year column and the 2025 column are the same year: one target, not two
        assert year_cell == cell_2025, code
    for code, target in DISAGREEING.items():
        row = rows[code]
        assert ws.cell(row=row, column=COL_TARGET_2025).value == target
        note = str(ws.cell(row=row, column=COL_NOTE).value or "")
        assert "theo mục II.1" in note and '"> 50%"' in note, (code, note)
        assert "mục II.2.d" in note
    # no disagreement, no note
    assert ws.cell(row=rows["adults-digital-signature"], column=COL_NOTE).value is None
    assert ws.cell(row=11, column=COL_NOTE).value == "Ghi chú (nguồn mục tiêu)"


def test_2023_rows_keep_one_target_per_year_and_name_the_annex_source(
    officer: Any, tmp_path: Path
) -> None:
    _, scope = officer("ministry")
    ws = _export(scope, "2023Q2", None, tmp_path)
    rows = _rows(ws)
    telehealth = rows["adults-telehealth"]
    # §II.1 gives no 2023 figure ("Theo Kế hoạch của Bộ Y tế"): the Annex's 10% is shown, once
    assert ws.cell(row=telehealth, column=COL_TARGET_YEAR).value == "10%"
    assert ws.cell(row=telehealth, column=COL_TARGET_2025).value == "Trên 30%"
    note = str(ws.cell(row=telehealth, column=COL_NOTE).value)
    assert "Mục tiêu 2023: theo Phụ lục 01 (10%)" in note
    assert "Mục tiêu 2025: theo mục II.1 (Trên 30%)" in note
    # every row and year: a single target text, and never the Annex's 2025 figure where
    # §II.1 sets another
    for code, target in DISAGREEING.items():
        assert ws.cell(row=rows[code], column=COL_TARGET_2025).value == target
        assert ws.cell(row=rows[code], column=COL_NOTE).value


def test_corrected_spellings_are_printed_and_the_typos_are_not(
    officer: Any, tmp_path: Path
) -> None:
    _, scope = officer("ministry")
    # the data keeps the seed's wording as written; the output corrects it
    assert Indicator.objects.get(code="adults-digital-signature").responsible_unit.endswith(
        "Truyền thòng"
    )
    ws = _export(scope, "2025Q3", None, tmp_path)
    texts = _texts(ws)
    joined = "\n".join(texts)
    for typo in ("Truyền thòng", "VNNeID", "thêm, bót,"):
        assert typo not in joined, typo
    row = _rows(ws)["adults-digital-signature"]
    assert ws.cell(row=row, column=3).value == "Bộ Thông tin và Truyền thông"
    assert any("thêm, bớt, tăng, giảm" in t for t in texts)
    vneid = _rows(ws)["adults-vneid-account"]
    assert "VNeID" in str(ws.cell(row=vneid, column=2).value)
    assert "VNeID" in str(ws.cell(row=vneid, column=COL_TARGET_2025).value)


def test_the_international_comparison_value_is_shown_when_set(officer: Any, tmp_path: Path) -> None:
    user, scope = officer("ministry")
    ws = _export(scope, "2025Q3", None, tmp_path / "before")
    row = _rows(ws)["adults-online-public-services"]
    hint = str(ws.cell(row=row, column=COL_COMPARE_2025).value)
    assert hint.startswith("Gợi ý nguồn: UN E-Government Survey")
    services.indicator_set_international_value(
        scope=scope,
        actor=user,
        code="adults-online-public-services",
        value="64,5",
        source="Eurostat, EU-27",
        year=2024,
    )
    ws = _export(scope, "2025Q3", None, tmp_path)
    assert ws.cell(row=row, column=COL_COMPARE_2025).value == "64.5% (Eurostat, EU-27, 2024)"
    # cleared: the hint comes back
    services.indicator_set_international_value(
        scope=scope, actor=user, code="adults-online-public-services", value=None, source=""
    )
    ws = _export(scope, "2025Q3", None, tmp_path / "cleared")
    assert str(ws.cell(row=row, column=COL_COMPARE_2025).value).startswith("Gợi ý nguồn:")


def test_the_international_value_is_refused_without_source_or_rights(officer: Any) -> None:
    user, scope = officer("ministry")
    with pytest.raises(ValidationError) as err:
        services.indicator_set_international_value(
            scope=scope, actor=user, code="adults-telehealth", value=40, source=" "
        )
    assert "adults-telehealth" in str(err.value)
    with pytest.raises(ValidationError):
        services.indicator_set_international_value(
            scope=scope, actor=user, code="adults-telehealth", value="nhiều", source="WHO"
        )
    province_user, province = officer("province", "01")
    with pytest.raises(PermissionDenied):
        services.indicator_set_international_value(
            scope=province, actor=province_user, code="adults-telehealth", value=40, source="WHO"
        )
    ind = Indicator.objects.get(code="adults-telehealth")
    assert ind.international_value is None


def test_the_consolidation_lock_and_overdue_status_are_shown(officer: Any, tmp_path: Path) -> None:
    user, scope = officer("province", "01")
    for code in ("adults-online-public-services", "adults-digital-signature"):
        services.submission_submit(
            scope=scope, actor=user, indicator_code=code, unit_code="01", period="2025Q3", value=40
        )
    consolidation_lock(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code_="01",
        period="2025Q3",
        on_day=date(2025, 10, 12),
    )
    ws = _export(scope, "2025Q3", "01", tmp_path, on_day=date(2025, 10, 20))
    rows = _rows(ws)
    assert str(
        ws.cell(row=rows["adults-online-public-services"], column=COL_LOCK).value
    ).startswith("Đã chốt")
    assert "chốt trễ hạn" in str(
        ws.cell(row=rows["adults-online-public-services"], column=COL_LOCK).value
    )
    assert (
        ws.cell(row=rows["adults-digital-signature"], column=COL_LOCK).value
        == "Chưa chốt — quá hạn 10/10/2025"
    )
    summary = str(ws["A4"].value)
    assert "Chốt số liệu: 1/" in summary and "hạn 10/10/2025" in summary
    assert "quá hạn chốt" in summary
    # before the 10th nothing is overdue
    ws = _export(scope, "2025Q3", "01", tmp_path / "early", on_day=date(2025, 10, 8))
    assert (
        ws.cell(row=rows["adults-digital-signature"], column=COL_LOCK).value
        == "Chưa chốt (hạn 10/10/2025)"
    )
    assert "quá hạn" not in str(ws["A4"].value)


def test_the_comparison_value_through_the_cli_and_the_api(
    capsys: Any, client: Any, tmp_path: Path
) -> None:
    from thuocdo.cli import main

    code = main(["indicators", "compare", "adults-telehealth", "--value", "40"])
    assert code != 0  # no source
    capsys.readouterr()
    code = main(
        [
            "indicators",
            "compare",
            "adults-telehealth",
            "--value",
            "41.2",
            "--source",
            "WHO Global Observatory for eHealth",
            "--year",
            "2023",
        ]
    )
    out, _err = capsys.readouterr()
    assert code == 0
    assert json.loads(out) == {
        "indicator": "adults-telehealth",
        "international_value": 41.2,
        "international_value_source": "WHO Global Observatory for eHealth",
        "international_value_year": 2023,
    }
    detail = client.get("/api/v1/indicators/adults-telehealth").json()
    assert detail["international_value"] == 41.2
    assert detail["international_value_year"] == 2023
    code = main(["indicators", "compare", "adults-telehealth", "--clear"])
    capsys.readouterr()
    assert code == 0
    assert client.get("/api/v1/indicators/adults-telehealth").json()["international_value"] is None


def test_the_indicator_page_shows_the_comparison_value_or_the_hint(
    officer: Any, client: Any
) -> None:
    from django.urls import reverse

    user, scope = officer("ministry")
    client.force_login(user)
    url = reverse("indicators:detail", args=["adults-online-public-services"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Gợi ý nguồn: UN E-Government Survey" in page
    services.indicator_set_international_value(
        scope=scope,
        actor=user,
        code="adults-online-public-services",
        value=64.5,
        source="Eurostat, EU-27",
        year=2024,
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "64.5%" in page or "64,5%" in page
    assert "(Eurostat, EU-27, 2024)" in page
