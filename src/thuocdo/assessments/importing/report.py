"""The downloadable error report of an import (CSV or XLSX), every value neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from .messages import ImportProblem, Lang
from .safe import neutralise, xlsx_cell

HEADERS = {
    "vi": ("Dòng", "Cột", "Giá trị", "Lỗi"),
    "en": ("Row", "Column", "Value", "Problem"),
}


def report_rows(problems: Sequence[ImportProblem], lang: Lang) -> list[list[object]]:
    return [[p.row, p.column, p.value, p.message(lang)] for p in problems]


def report_csv(problems: Sequence[ImportProblem], lang: Lang = "vi") -> bytes:
    """UTF-8 with BOM (Excel opens it with the right encoding)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS[lang])
    for row in report_rows(problems, lang):
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(problems: Sequence[ImportProblem], lang: Lang = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Lỗi" if lang == "vi" else "Errors"
    for j, h in enumerate(HEADERS[lang], start=1):
        xlsx_cell(ws, 1, j, h).font = Font(bold=True)
    for i, row in enumerate(report_rows(problems, lang), start=2):
        for j, v in enumerate(row, start=1):
            xlsx_cell(ws, i, j, v)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCD", (8, 20, 30, 90), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_report(problems: Sequence[ImportProblem], path: Path, *, lang: Lang = "vi") -> None:
    data = (
        report_xlsx(problems, lang)
        if path.suffix.lower() == ".xlsx"
        else report_csv(problems, lang)
    )
    path.write_bytes(data)
