"""Spreadsheet-safe text (no Django here).

Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``-2+3``,
``@SUM(...)``, or any of these after a tab or carriage return) is stored as it came, as
text, and written to every export with a leading apostrophe so that Excel, LibreOffice and
Google Sheets show it as text instead of evaluating it.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """``'`` + text for formula-like text; other values unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def xlsx_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write a value to an openpyxl sheet; text is always a text cell, neutralised."""
    cell = ws.cell(row=row, column=column)
    value = neutralise(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
