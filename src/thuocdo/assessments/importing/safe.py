"""Spreadsheet-safe text (no Django here).

Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``-2+3``,
``@SUM(...)``, or any of these after a tab or carriage return) is stored as it came, as
text, and written to every export with a leading apostrophe so that Excel, LibreOffice and
Google Sheets show it as text instead of evaluating it.
"""

from __future__ import annotations

from thuocdo.core.spreadsheet import FORMULA_PREFIXES, is_formula_like, neutralise, xlsx_cell

__all__ = ["FORMULA_PREFIXES", "is_formula_like", "neutralise", "xlsx_cell"]
