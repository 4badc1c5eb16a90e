"""The Annex 01 reporting form of Decision 466/QĐ-BTTTT as XLSX: export and import.

The sheet follows the layout of the Annex: title, the receiving unit and deadlines (I), the
table (II: STT, indicator, measuring unit, reporting unit, the year's four quarters each with
an international comparison, the year's target and comparison, the 2025 target and
comparison), then the trend assessment (III), international comparison (IV), difficulties (V),
proposals (VI) and the note on the four management principles. Three columns after the
Annex's own carry what an import needs: the indicator code, a provisional mark and the source.
A hidden sheet ``_meta`` records the unit and period.

Import is all-or-nothing: every cell is checked through ``submission_submit`` inside one
transaction, every problem is reported with its row and column, and nothing is kept if there
is any.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.core.spreadsheet import workbook_bytes
from thuocdo.indicators.domain.catalog import Catalog, load_builtin
from thuocdo.indicators.models import Indicator, IndicatorKind, Status, Submission, Target
from thuocdo.indicators.reporting import (
    default_plan,
    plan_of,
    plan_period,
    resolve_unit,
    unit_code,
    unit_label,
)
from thuocdo.indicators.selectors import require_read_unit, target_for

FORMAT = "thuocdo-annex01/1"
TITLE = "PHỤ LỤC 01"
SUBTITLE = (
    "BỘ CHỈ TIÊU CHIẾN LƯỢC QUỐC GIA PHÁT TRIỂN KINH TẾ SỐ VÀ XÃ HỘI SỐ THEO QUYẾT ĐỊNH SỐ "
    "411/QĐ-TTG NGÀY 31/3/2022"
)
NOTE = (
    "(kèm theo Kế hoạch hành động năm 2023 ban hành tại Quyết định số 466/QĐ-BTTTT ngày "
    "28/3/2023 của Bộ trưởng Bộ Thông tin và Truyền thông)"
)
COMPARE = "So sánh quốc tế (có thể gần tương đương)"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
QUARTER_COLUMNS = {1: 5, 2: 7, 3: 9, 4: 11}  # E, G, I, K; the comparison is the next column
COL_TARGET_YEAR, COL_COMPARE_YEAR, COL_TARGET_2025, COL_COMPARE_2025 = 12, 13, 14, 15
COL_CODE, COL_PROVISIONAL, COL_SOURCE = 16, 17, 18
COL_LOCK, COL_NOTE = 19, 20  # read only: consolidation status, which source the targets follow
HEADER_ROWS = (11, 12)
SECTIONS = (
    ("trend_assessment", "III. Đánh giá xu hướng:"),
    (
        "international_comparison",
        "IV. So sánh quốc tế (chỉ tiêu chiến lược, nhiệm vụ/sáng kiến, giải pháp đột phá, "
        "kinh nghiệm thực tế tốt...)",
    ),
    ("difficulties", "V. Khó khăn, vướng mắc"),
    ("proposals", "VI. Đề xuất:"),
)
GROUPS = (
    ("digital-economy", "1", "Phát triển kinh tế số"),
    ("digital-society", "2", "Phát triển xã hội số"),
)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _fmt(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


@dataclass(frozen=True)
class SubRow:
    """A row of the Annex that is no indicator of its own (e.g. "- Các ngành, lĩnh vực khác"
    under 1.2): label and units only, nothing to fill."""

    label: str
    responsible_unit: str = ""
    reporting_unit: str = ""


def _annex01(catalog: Catalog) -> dict[str, dict[str, Any]]:
    return {spec.code: dict(spec.raw.get("annex01") or {}) for spec in catalog.indicators}


def _ordered_indicators(
    annex01: dict[str, dict[str, Any]] | None = None,
) -> list[tuple[str, str, Indicator | SubRow | None]]:
    """(STT, label, indicator) rows: group headings (``None``), then indicators in the Annex
    order with their children and the Annex's own sub-rows (:class:`SubRow`)."""
    annex01 = annex01 if annex01 is not None else _annex01(load_builtin())
    indicators = list(Indicator.objects.order_by("position", "code"))
    rows: list[tuple[str, str, Indicator | SubRow | None]] = []
    used: set[int] = set()
    for group, number, label in GROUPS:
        rows.append((number, label, None))
        for ind in indicators:
            if ind.group == group and ind.seed001_row and ind.parent_id is None:
                rows.append((ind.seed001_row, ind.name_vi, ind))
                used.add(ind.pk)
                for child in indicators:
                    if child.parent_id == ind.pk:
                        rows.append(("", f"- {child.name_vi}", child))
                        used.add(child.pk)
                for extra in annex01.get(ind.code, {}).get("extra_rows", []):
                    sub = SubRow(
                        label=str(extra["label"]),
                        responsible_unit=str(extra.get("responsible_unit", "")),
                        reporting_unit=str(extra.get("reporting_unit", "")),
                    )
                    rows.append(("", sub.label, sub))
    rest = [i for i in indicators if i.pk not in used]
    if rest:
        rows.append(("3", "Chỉ tiêu bổ sung (Công văn 5473/BTTTT-KTS&XHS và chỉ tiêu khác)", None))
        for k, ind in enumerate(rest, start=1):
            rows.append((f"3.{k}", ind.name_vi, ind))
    return rows


RULE_NOTE = (
    "QĐ 466: mục II.1 đặt chỉ tiêu theo năm; Phụ lục 01 là biểu mẫu cung cấp số liệu (mục II.2.d)"
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")


def _number_in(text: str) -> float | None:
    m = _NUMBER_RE.search(text or "")
    return None if m is None else float(m.group(0).replace(",", "."))


@dataclass(frozen=True)
class RowTarget:
    """One target of a row for one year, the source it follows and what the other table says."""

    text: str | None
    source: str  # "unit", "II.1", "annex01" or ""
    other: str = ""  # the other table's differing text, when the two disagree


def row_target(
    ind: Indicator, unit: Any, year: int, annex01: Mapping[str, Mapping[str, Any]]
) -> RowTarget:
    """The single target a row shows for ``year``.

    The seed's own rule: Decision 466 sets the yearly targets in §II.1 ("Chỉ tiêu chiến lược
    theo năm") and makes Annex 01 the form to report on (§II.2.d), so a §II.1 value wins over
    the Annex's; the Annex's figure fills a year §II.1 gives no value for ("-", "Theo Kế hoạch
    của Bộ Y tế"). A unit's own target comes first.
    """
    if unit is not None:
        own = Target.objects.filter(indicator=ind, unit=unit, year=year).first()
        if own is not None:
            return RowTarget(own.text or f"{own.value:g}", "unit")
    annex_text = str(annex01.get(ind.code, {}).get(f"target_{year}") or "")
    kinds = ("target", "plan")
    chosen = target_for(ind, unit, year, kinds=kinds)  # the unit's plan, else the national
    if chosen is not None and chosen.value is not None:
        text = chosen.text or f"{chosen.value:g}"
        annex_value = _number_in(annex_text)
        differs = annex_value is not None and abs(annex_value - chosen.value) > 1e-9
        return RowTarget(text, "II.1", annex_text if differs else "")
    if annex_text:
        other = chosen.text if chosen is not None else ""
        return RowTarget(annex_text, "annex01", other)
    if chosen is not None:
        return RowTarget(chosen.text or None, "II.1")
    return RowTarget(None, "")


def row_note(targets: Iterable[tuple[int, RowTarget]]) -> str:
    """The note column: which table each target of the row follows where the two differ."""
    parts: list[str] = []
    for year, t in targets:
        if t.source == "II.1" and t.other:
            parts.append(
                f'Mục tiêu {year}: theo mục II.1 ({t.text}); Phụ lục 01 ghi "{t.other}", không dùng'
            )
        elif t.source == "annex01":
            said = f' ("{t.other}")' if t.other else ""
            parts.append(
                f"Mục tiêu {year}: theo Phụ lục 01 ({t.text}); mục II.1 không nêu số{said}"
            )
    return "; ".join(parts) + (f". {RULE_NOTE}." if parts else "")


def corrector(catalog: Catalog) -> Callable[[str], str]:
    """Replaces the seeds' misspellings recorded in the built-in data (``corrections``)."""
    pairs = [
        (str(c["wrong"]), str(c["right"]))
        for c in catalog.source.get("corrections", [])
        if c.get("wrong") and c.get("right")
    ]

    def fix(text: str) -> str:
        for wrong, right in pairs:
            text = text.replace(wrong, right)
        return text

    return fix


def _comparison_text(ind: Indicator) -> str:
    """The "So sánh quốc tế" cell: the value with its source and year; else the suggested
    source as a hint."""
    if ind.international_value is not None:
        year = f", {ind.international_value_year}" if ind.international_value_year else ""
        unit = "%" if ind.unit_symbol == "%" else f" {ind.unit_symbol}"
        return f"{ind.international_value:g}{unit} ({ind.international_value_source}{year})"
    if ind.international_comparator:
        return f"Gợi ý nguồn: {ind.international_comparator}"
    return ""


def _lock_text(row: Mapping[str, Any]) -> str:
    due = date.fromisoformat(str(row["due"]))
    if row["locked"]:
        at = str(row["locked_at"] or "")[:10]
        when = f" ngày {date.fromisoformat(at):%d/%m/%Y}" if at else ""
        return f"Đã chốt{when}" + (" (chốt trễ hạn)" if row["late"] else "")
    if row["overdue"]:
        return f"Chưa chốt — quá hạn {due:%d/%m/%Y}"
    return f"Chưa chốt (hạn {due:%d/%m/%Y})"


def annex_export(
    *,
    scope: Scope,
    period: str,
    unit_code_: str | None,
    path: str | Path | None = None,
    on_day: date | None = None,
) -> bytes:
    """The Annex 01 workbook of a unit for the year of ``period``; written to ``path`` too.

    Every printed text goes through the seeds' recorded corrections; each row shows one
    target per year (:func:`row_target`), the consolidation status of the period's figures
    and a note saying which table its targets follow where §II.1 and Annex 01 differ."""
    from thuocdo.indicators.consolidation import consolidation_status

    unit = resolve_unit(unit_code_)
    require_read_unit(scope, unit)
    catalog = load_builtin()
    fix = corrector(catalog)
    annex01 = _annex01(catalog)
    form_rows = _ordered_indicators(annex01)
    plans = {ind.pk: plan_of(ind) for _stt, _label, ind in form_rows if isinstance(ind, Indicator)}
    by_pk = {p.pk: p for p in plans.values() if p is not None}
    counts = Counter(p.pk for p in plans.values() if p is not None)
    # section I shows the plan most indicators follow; the others are noted under the table
    plan = by_pk[counts.most_common(1)[0][0]] if counts else default_plan()
    per = plan_period(plan, period).period
    year = per.year
    status_rows = consolidation_status(
        scope=scope, period=per.label, unit_code_=unit_code(unit), on_day=on_day
    )
    lock_rows = {row["indicator"]: row for row in status_rows}
    subs = Submission.objects.filter(unit=unit, year=year, sector="").select_related("indicator")
    by_cell: dict[tuple[int, int | None], Submission] = {
        (s.indicator_id, s.quarter): s for s in subs
    }
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = "Phụ lục 01"
    last_col = COL_NOTE
    r = 1
    for text, bold, italic in ((TITLE, True, False), (SUBTITLE, True, False), (NOTE, False, True)):
        ws.cell(row=r, column=1, value=text).font = Font(
            bold=bold, italic=italic, size=12 if bold else 10
        )
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COL_COMPARE_2025)
        ws.cell(row=r, column=1).alignment = CENTER
        r += 1
    reported = sum(1 for row in status_rows if row["has_value"])
    locked = sum(1 for row in status_rows if row["locked"])
    overdue = sum(1 for row in status_rows if row["overdue"])
    ws.cell(
        row=r,
        column=1,
        value=f"Đơn vị báo cáo: {unit_label(unit)} (mã {unit_code(unit)}) — Kỳ báo cáo: "
        f"{per.label_vi} ({per.label}) — Chốt số liệu: {locked}/{len(status_rows)} chỉ tiêu "
        f"đã chốt ({reported} có số liệu), hạn {per.consolidation_due:%d/%m/%Y}"
        + (f", {overdue} chỉ tiêu quá hạn chốt" if overdue else ""),
    ).font = Font(bold=True)
    r += 1
    receiving = (
        plan.receiving_unit if plan and plan.receiving_unit else "Vụ Kinh tế số và Xã hội số"
    )
    ws.cell(row=r, column=1, value=f"I. Đơn vị nhận số liệu: {receiving}.").font = Font(bold=True)
    r += 1
    months = {
        1: "gồm: 03 tháng đầu năm và tháng 12 năm trước",
        2: "đồng thời đánh giá xu hướng 6 tháng đầu năm và đề xuất",
        3: "",
        4: "gồm: tháng 10 và 11",
    }
    for q in (1, 2, 3, 4):
        qp = plan_period(plan, f"{year}Q{q}").period
        extra = f" ({months[q]})" if q in (1, 4) else (f", {months[q]}" if months[q] else "")
        ws.cell(
            row=r,
            column=1,
            value=f"- Trước ngày {qp.due:%d/%m/%Y}, cung cấp số liệu Quý {ROMAN[q]}{extra}; "
            f"tổng hợp trước ngày {qp.consolidation_due:%d/%m/%Y}.",
        )
        r += 1
    ws.cell(row=r, column=1, value="II. Cung cấp số liệu theo bảng sau:").font = Font(bold=True)
    top, sub = HEADER_ROWS
    heads = {
        1: "STT",
        2: "Chỉ tiêu Chiến lược Kinh tế số, Xã hội số",
        3: "Đơn vị đo lường",
        4: "Đơn vị tổng hợp báo cáo",
        COL_TARGET_2025: "Mục tiêu 2025",
        COL_COMPARE_2025: COMPARE,
        COL_CODE: "Mã chỉ tiêu (không sửa)",
        COL_PROVISIONAL: f"Số liệu tạm ước tính Quý {ROMAN.get(per.quarter or 4)} (x)",
        COL_SOURCE: "Nguồn số liệu",
        COL_LOCK: f"Chốt số liệu {per.label_vi}",
        COL_NOTE: "Ghi chú (nguồn mục tiêu)",
    }
    for col, text in heads.items():
        ws.cell(row=top, column=col, value=text)
        ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
    ws.cell(row=top, column=5, value=f"Năm {year}")
    ws.merge_cells(start_row=top, start_column=5, end_row=top, end_column=COL_COMPARE_YEAR)
    for q, col in QUARTER_COLUMNS.items():
        ws.cell(row=sub, column=col, value=f"Quý {ROMAN[q]}")
        if q < 4:
            ws.cell(row=sub, column=col + 1, value=COMPARE)
    ws.cell(row=sub, column=COL_TARGET_YEAR, value=f"Mục tiêu {year}")
    ws.cell(row=sub, column=COL_COMPARE_YEAR, value=COMPARE)
    for row in ws.iter_rows(min_row=top, max_row=sub, min_col=1, max_col=last_col):
        for cell in row:
            cell.font = Font(bold=True, size=9)
            cell.alignment = CENTER
            cell.fill = HEAD_FILL
            cell.border = BORDER
    r = sub + 1
    narratives: dict[str, list[str]] = {name: [] for name, _title in SECTIONS}
    for stt, label, ind in form_rows:
        ws.cell(row=r, column=1, value=stt)
        ws.cell(row=r, column=2, value=label)
        if ind is None:
            for col in range(1, last_col + 1):
                ws.cell(row=r, column=col).font = Font(bold=True)
        elif isinstance(ind, SubRow):
            ws.cell(row=r, column=3, value=ind.responsible_unit)
            ws.cell(row=r, column=4, value=ind.reporting_unit)
        else:
            ws.cell(row=r, column=3, value=ind.responsible_unit)
            ws.cell(row=r, column=4, value=ind.reporting_unit)
            for q, col in QUARTER_COLUMNS.items():
                s = by_cell.get((ind.pk, q))
                if s is not None:
                    ws.cell(row=r, column=col, value=_fmt(s.value))
                    if q < 4 and s.international_value is not None:
                        ws.cell(row=r, column=col + 1, value=_fmt(s.international_value))
            targets = [(year, row_target(ind, unit, year, annex01))]
            if year != 2025:
                targets.append((2025, row_target(ind, unit, 2025, annex01)))
            by_year = dict(targets)
            if by_year[year].text is not None:
                ws.cell(row=r, column=COL_TARGET_YEAR, value=by_year[year].text)
            if by_year[2025].text is not None:
                ws.cell(row=r, column=COL_TARGET_2025, value=by_year[2025].text)
            note = row_note(targets)
            if note:
                ws.cell(row=r, column=COL_NOTE, value=note)
            lock_row = lock_rows.get(ind.code)
            if lock_row is not None:
                ws.cell(row=r, column=COL_LOCK, value=_lock_text(lock_row))
            annual = by_cell.get((ind.pk, None)) or by_cell.get((ind.pk, per.quarter))
            if annual is not None and annual.international_value is not None:
                ref = (
                    f" ({annual.international_reference})" if annual.international_reference else ""
                )
                ws.cell(
                    row=r, column=COL_COMPARE_YEAR, value=f"{annual.international_value:g}{ref}"
                )
            ws.cell(row=r, column=COL_COMPARE_2025, value=_comparison_text(ind))
            ws.cell(row=r, column=COL_CODE, value=ind.code)
            current = by_cell.get((ind.pk, per.quarter))
            if current is not None:
                if current.status == Status.PROVISIONAL:
                    ws.cell(row=r, column=COL_PROVISIONAL, value="x")
                ws.cell(row=r, column=COL_SOURCE, value=current.source)
                for name, _title in SECTIONS:
                    text = getattr(current, name)
                    if text:
                        narratives[name].append(f"{ind.name_vi}: {text}")
        longest = max(
            len(label) / 44,
            *(len(str(ws.cell(row=r, column=c).value or "")) / 18 for c in (3, 4, 14, 12)),
        )
        ws.row_dimensions[r].height = 13 * max(1, math.ceil(longest))
        for col in range(1, last_col + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = BORDER
            cell.alignment = WRAP if col in (2, 3, 4, COL_SOURCE, COL_NOTE) else CENTER
            if col != 2:
                cell.font = Font(bold=ind is None, size=9)
            else:
                cell.font = Font(bold=ind is None, size=10)
        r += 1
    r += 1
    for other in sorted({p for p in plans.values() if p is not None and p != plan}, key=str):
        codes = ", ".join(
            ind.code
            for _s, _l, ind in form_rows
            if isinstance(ind, Indicator) and plans[ind.pk] == other
        )
        dues = ", ".join(
            f"{plan_period(other, f'{year}Q{q}').period.due:%d/%m/%Y}" for q in (1, 2, 3, 4)
        )
        ws.cell(
            row=r,
            column=1,
            value=f"Ghi chú: chỉ tiêu {codes} báo cáo theo {other.name} ({other.code}): số liệu "
            f"Quý I–IV trước các ngày {dues}.",
        ).font = Font(italic=True)
        r += 2
    for name, title in SECTIONS:
        ws.cell(row=r, column=1, value=title).font = Font(bold=True)
        r += 1
        lines = narratives[name] or ["..."]
        for k, line in enumerate(lines, start=1):
            ws.cell(row=r, column=1, value=f"{k}. {line}")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COL_COMPARE_2025)
            ws.cell(row=r, column=1).alignment = WRAP
            r += 1
        r += 1
    ws.cell(
        row=r, column=1, value="Ghi chú về các nguyên tắc quản lý thực thi Chiến lược:"
    ).font = Font(bold=True)
    r += 1
    principles = catalog.reporting.get("principles", [])
    for k, p in enumerate(principles, start=1):
        ws.cell(row=r, column=1, value=f"{k}. {p['vi']}: {p.get('text_vi') or p['vi']}")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COL_COMPARE_2025)
        ws.cell(row=r, column=1).alignment = WRAP
        ws.row_dimensions[r].height = 13 * max(1, math.ceil(len(str(p.get("text_vi", ""))) / 180))
        r += 1
    widths = {
        1: 6,
        2: 46,
        3: 20,
        4: 16,
        COL_TARGET_YEAR: 12,
        COL_TARGET_2025: 12,
        COL_COMPARE_YEAR: 14,
        COL_COMPARE_2025: 18,
        COL_CODE: 24,
        COL_PROVISIONAL: 10,
        COL_SOURCE: 22,
        COL_LOCK: 16,
        COL_NOTE: 40,
    }
    for col in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 10)
    ws.freeze_panes = ws.cell(row=sub + 1, column=3)
    ws.print_title_rows = f"{top}:{sub}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    meta = wb.create_sheet("_meta")
    for k, (key, value) in enumerate(
        (("format", FORMAT), ("unit", unit_code(unit)), ("period", per.label), ("year", year)),
        start=1,
    ):
        meta.cell(row=k, column=1, value=key)
        meta.cell(row=k, column=2, value=value)
    meta.sheet_state = "hidden"
    for row_cells in ws.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.value = fix(cell.value)
    data = workbook_bytes(wb)
    if path is not None:
        Path(path).write_bytes(data)
    return data


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    unit: str
    period: str
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "period": self.period,
            "created": self.created,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class AnnexImportError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


def _err(report: ImportReport, row: int | None, col: int | None, message: str) -> None:
    where = []
    if row is not None:
        where.append(_("row %(n)s") % {"n": row})
    if col is not None:
        where.append(_("column %(c)s") % {"c": get_column_letter(col)})
    report.errors.append(
        {
            "row": row,
            "column": None if col is None else get_column_letter(col),
            "message": (", ".join(where) + ": " if where else "") + message,
        }
    )


def _messages(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc)
    if hasattr(exc, "error_dict"):
        return "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "; ".join(exc.messages)


_SECTION_FIELDS = {
    "III.": "trend_assessment",
    "IV.": "international_comparison",
    "V.": "difficulties",
    "VI.": "proposals",
}
_LINE_RE = re.compile(r"^\d+\s*[.)]?\s*(.*)$", re.S)


def _kept_texts(existing: Submission | None) -> dict[str, str]:
    fields = ["international_reference", *(name for name, _t in SECTIONS)]
    return {f: (getattr(existing, f) if existing is not None else "") for f in fields}


def _read_narratives(
    ws: Worksheet, start: int, known: dict[str, Indicator], report: ImportReport
) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """Sections III–VI: numbered lines ``k. <indicator name>: <text>`` → per indicator."""
    by_name = {i.name_vi: i for i in known.values()}
    out: dict[str, dict[str, str]] = {}
    rows: dict[str, int] = {}
    section: str | None = None
    for r in range(start, ws.max_row + 1):
        cell = ws.cell(row=r, column=1).value
        if not isinstance(cell, str) or not cell.strip():
            continue
        text = cell.strip()
        if text.startswith("Ghi chú về các nguyên tắc"):
            break
        heading = next((f for p, f in _SECTION_FIELDS.items() if text.startswith(p)), None)
        if heading is not None:
            section = heading
            continue
        if section is None:
            continue
        m = _LINE_RE.match(text)
        body = (m.group(1) if m else text).strip()
        if body in ("", "...", "…"):
            continue
        name, sep, rest = body.partition(":")
        ind = by_name.get(name.strip())
        if not sep or ind is None:
            _err(
                report,
                r,
                1,
                _('Start the line with the indicator\'s name and a colon, e.g. "%(example)s: …".')
                % {"example": next(iter(by_name), "")},
            )
            continue
        texts = out.setdefault(ind.code, {})
        texts[section] = (texts.get(section, "") + "\n" + rest.strip()).strip()
        rows.setdefault(ind.code, r)
    return out, rows


def annex_import(
    *, scope: Scope, actor: User | None, source: str | Path | IO[bytes]
) -> ImportReport:
    """Import an Annex 01 workbook exported by :func:`annex_export` (all or nothing).

    Raises :class:`AnnexImportError` carrying the report when anything is wrong.
    """
    from thuocdo.indicators.services import require_unit_writer, submission_submit

    report = ImportReport(unit="", period="")
    try:
        if isinstance(source, (str, Path)):
            size = Path(source).stat().st_size
            if size > settings.MAX_UPLOAD_BYTES:
                _err(report, None, None, _("The file is larger than the upload limit."))
                raise AnnexImportError(report)
        wb = load_workbook(source, data_only=True)
    except AnnexImportError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file
        _err(
            report,
            None,
            None,
            _("The file cannot be read as XLSX: %(e)s") % {"e": type(exc).__name__},
        )
        raise AnnexImportError(report) from exc
    if "_meta" not in wb.sheetnames:
        _err(
            report,
            None,
            None,
            _("This is not an Annex 01 file exported by Thước đo (no _meta sheet)."),
        )
        raise AnnexImportError(report)
    meta = {str(r[0].value): r[1].value for r in wb["_meta"].iter_rows(min_row=1, max_col=2)}
    if meta.get("format") != FORMAT:
        _err(report, None, None, _("Unknown form version: %(v)s.") % {"v": meta.get("format")})
        raise AnnexImportError(report)
    report.unit, report.period = str(meta.get("unit")), str(meta.get("period"))
    ws = wb.worksheets[0]
    try:
        unit = resolve_unit(report.unit)
        # the label only: each row is checked against its indicator's plan when submitted
        per = plan_period(None, report.period).period
        require_unit_writer(scope, unit)
    except (ValidationError, PermissionDenied) as exc:
        _err(report, None, None, _messages(exc))
        raise AnnexImportError(report) from exc
    known = {i.code: i for i in Indicator.objects.all()}
    cells: list[tuple[int, int, Indicator, int, Any, Any, bool, str]] = []
    narrative_start = ws.max_row + 1
    for r in range(HEADER_ROWS[1] + 1, ws.max_row + 1):
        first = ws.cell(row=r, column=1).value
        if isinstance(first, str) and first.startswith("III."):
            narrative_start = r
            break
        code = ws.cell(row=r, column=COL_CODE).value
        if code in (None, ""):
            continue
        code = str(code).strip()
        ind = known.get(code)
        if ind is None:
            _err(report, r, COL_CODE, _("Unknown indicator code: %(code)s.") % {"code": code})
            continue
        flag = ws.cell(row=r, column=COL_PROVISIONAL).value
        provisional = str(flag or "").strip().lower() in {"x", "tạm", "tam", "1", "true", "có"}
        src = str(ws.cell(row=r, column=COL_SOURCE).value or "")
        for q, col in QUARTER_COLUMNS.items():
            value = ws.cell(row=r, column=col).value
            if value in (None, ""):
                continue
            intl = ws.cell(row=r, column=col + 1).value if q < 4 else None
            if ind.kind != IndicatorKind.INPUT:
                continue  # computed values are exported for reading only
            cells.append((r, col, ind, q, value, intl, provisional and q == per.quarter, src))
    narratives, narrative_rows = _read_narratives(ws, narrative_start, known, report)
    current_cells = {c[2].code for c in cells if c[3] == per.quarter}
    current_label = per.label if per.quarter else f"{per.year}Q4"
    for code, row in narrative_rows.items():
        if code in current_cells:
            continue
        if not Submission.objects.filter(
            indicator=known[code], unit=unit, period=current_label, sector=""
        ).exists():
            _err(
                report,
                row,
                1,
                _("%(code)s: a narrative is given but no value for %(period)s.")
                % {"code": code, "period": current_label},
            )
    if report.errors:
        raise AnnexImportError(report)
    with transaction.atomic():
        current = per.quarter or 4
        todo = list(cells)
        for code, row in narrative_rows.items():
            if code not in current_cells:
                sub = Submission.objects.get(
                    indicator=known[code], unit=unit, period=current_label, sector=""
                )
                todo.append(
                    (
                        row,
                        1,
                        known[code],
                        current,
                        sub.value,
                        sub.international_value,
                        sub.status == Status.PROVISIONAL,
                        sub.source,
                    )
                )
        for r, col, ind, q, value, intl, provisional, src in todo:
            label = f"{per.year}Q{q}"
            existing = Submission.objects.filter(
                indicator=ind, unit=unit, period=label, sector=""
            ).first()
            texts = _kept_texts(existing)
            if q == current:
                texts.update(
                    {name: narratives.get(ind.code, {}).get(name, "") for name, _t in SECTIONS}
                )
            if (
                existing is not None
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
            ):
                same_status = existing.status == (
                    Status.PROVISIONAL if provisional else Status.OFFICIAL
                ) or (q != current)
                same_texts = all(getattr(existing, k) == v for k, v in texts.items())
                if abs(existing.value - float(value)) < 1e-9 and same_status and same_texts:
                    report.unchanged += 1
                    continue
            try:
                result = submission_submit(
                    scope=scope,
                    actor=actor,
                    indicator_code=ind.code,
                    unit_code=unit_code(unit),
                    period=label,
                    value=value,
                    provisional=provisional,
                    source=src if q == current else (existing.source if existing else src),
                    international_value=intl,
                    international_reference=texts["international_reference"],
                    trend_assessment=texts["trend_assessment"],
                    international_comparison=texts["international_comparison"],
                    difficulties=texts["difficulties"],
                    proposals=texts["proposals"],
                )
            except (ValidationError, PermissionDenied) as exc:
                _err(report, r, col, f"{ind.code} {label}: {_messages(exc)}")
                continue
            if result.created:
                report.created += 1
            elif result.changed:
                report.replaced += 1
            else:
                report.unchanged += 1
            report.warnings.extend(f"{ind.code} {label}: {w}" for w in result.warnings)
        if report.errors:
            transaction.set_rollback(True)
    if report.errors:
        report.created = report.replaced = report.unchanged = 0
        raise AnnexImportError(report)
    return report
