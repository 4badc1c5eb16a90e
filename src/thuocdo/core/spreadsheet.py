"""Spreadsheet-safe text for every CSV and XLSX the product writes (no Django here).

Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``-2+3``,
``@SUM(...)``, or any of these after a tab or carriage return) is written with a leading
apostrophe, so that Excel, LibreOffice and Google Sheets show it as text instead of
evaluating it. Numbers stay numbers; the product writes no formulas of its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """``'`` + text for formula-like text; other values unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def xlsx_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write a value to an openpyxl sheet; text is always a text cell, neutralised."""
    cell = ws.cell(row=row, column=column)
    value = neutralise(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def workbook_bytes(wb: Any) -> bytes:
    """The workbook as XLSX bytes, with no live formula: openpyxl stores text that starts with
    ``=`` as a formula; such cells are neutralised and stored as text (other text is stored
    as a text cell, which no spreadsheet evaluates)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
