"""User-entered text that looks like a formula is text in every export."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.analytics import factories as af

from thuocdo.accounts.selectors import scope_for
from thuocdo.cli import main
from thuocdo.core.spreadsheet import neutralise_row

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/r","x")'


def _cells(data: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_the_annual_report_xlsx_holds_a_formula_like_campaign_name_as_text(
    tmp_path: Path,
) -> None:
    campaign, _ = af.populated_campaign(per_commune=3)
    campaign.name = EVIL
    campaign.save(update_fields=["name"])
    out = tmp_path / "report.xlsx"
    assert main(["report", str(campaign.pk), "--format", "xlsx", "-o", str(out)]) == 0
    cells = _cells(out.read_bytes())
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + EVIL in [c.value for c in cells]


def test_the_annex_export_holds_a_formula_like_source_as_text(
    make_user: Callable[..., Any],
) -> None:
    from thuocdo.indicators import services
    from thuocdo.indicators.annex import annex_export

    user = make_user("province", "01")
    scope = scope_for(user)
    services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q1",
        value=70.5,
        source=EVIL,
        proposals="@SUM(A1:A9)",
    )
    cells = _cells(annex_export(scope=scope, period="2025Q1", unit_code_="01"))
    assert not [c for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells if c.value is not None]
    assert not [v for v in values if v.startswith("=")]
    assert any(EVIL in v for v in values)


def test_csv_rows_are_neutralised() -> None:
    assert neutralise_row(["=1+1", "-2+3", "Hà Nội", -2, None]) == [
        "'=1+1",
        "'-2+3",
        "Hà Nội",
        -2,
        None,
    ]
