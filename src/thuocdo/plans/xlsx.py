"""XLSX layout of a plan: a "Kế hoạch" sheet (key, value) and a "Nhiệm vụ" sheet (one task a row).

The same layout is written by export and read by import, so an exported file can be edited in
a spreadsheet and imported back. Headers are matched ignoring case and diacritics; the English
keys (``code``, ``lead_unit`` …) are accepted too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from thuocdo.core.spreadsheet import workbook_bytes
from thuocdo.core.text import clean, fold
from thuocdo.plans.models import Plan, Status, Task

META_SHEET: Final = "Kế hoạch"
TASK_SHEET: Final = "Nhiệm vụ"

#: (key, Vietnamese header) of the task sheet, in order.
COLUMNS: Final = (
    ("code", "Mã"),
    ("group", "Nhóm"),
    ("group_title", "Tên nhóm"),
    ("title", "Nhiệm vụ"),
    ("lead_unit", "Đơn vị chủ trì"),
    ("coordinating_units", "Đơn vị phối hợp"),
    ("start", "Bắt đầu"),
    ("deadline", "Thời hạn"),
    ("due", "Hạn (ngày)"),
    ("implementing_unit", "Đơn vị thực hiện"),
    ("period", "Giai đoạn"),
    ("expected_output", "Sản phẩm dự kiến"),
    ("kpi", "KPI"),
    ("indicator", "Mã chỉ tiêu"),
    ("status", "Trạng thái"),
    ("progress", "Tiến độ (%)"),
    ("note", "Ghi chú cập nhật"),
)
META_KEYS: Final = (
    ("id", "Mã số kế hoạch"),
    ("title", "Tên kế hoạch"),
    ("level", "Cấp"),
    ("unit", "Mã đơn vị hành chính"),
    ("year", "Năm"),
    ("framework", "Khung nhiệm vụ"),
)
MAX_ROWS: Final = 5000
#: Status labels written to the file (the file is Vietnamese whatever the interface language).
STATUS_VI: Final = {
    "not_started": "Chưa bắt đầu",
    "in_progress": "Đang thực hiện",
    "done": "Hoàn thành",
    "overdue": "Quá hạn",
    "cancelled": "Đã hủy",
}


def _status_labels() -> dict[str, str]:
    """Folded label or code → status code (Vietnamese and English labels both accepted)."""
    labels: dict[str, str] = {}
    for value, label in Status.choices:
        labels[fold(value)] = value
        labels[fold(str(label))] = value
    labels.update({fold(label): value for value, label in STATUS_VI.items()})
    return labels


def export_plan(plan: Plan, tasks: list[Task]) -> bytes:
    wb = Workbook()
    meta = wb.active
    assert meta is not None
    meta.title = META_SHEET
    values = {
        "id": plan.pk,
        "title": plan.title,
        "level": plan.level,
        "unit": plan.unit.code if plan.unit else "",
        "year": plan.year,
        "framework": plan.framework_code,
    }
    meta.append(["Khóa", "Mục", "Giá trị"])
    for key, label in META_KEYS:
        meta.append([key, label, values[key]])
    sheet = wb.create_sheet(TASK_SHEET)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for t in tasks:
        sheet.append(
            [
                t.code,
                t.group.code,
                t.group.title_vi,
                t.title_vi,
                t.lead_unit_name or t.lead_unit,
                ", ".join(t.coordinating_units),
                t.start,
                t.deadline_spec,
                t.deadline,
                t.implementing_unit,
                t.period,
                t.expected_output,
                t.kpi,
                t.indicator_code,
                STATUS_VI.get(t.status, t.status),
                t.progress,
                "",
            ]
        )
    for i, width in enumerate(
        (8, 8, 30, 60, 28, 30, 12, 22, 12, 24, 14, 40, 20, 12, 16, 10, 30), 1
    ):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B2"
    return workbook_bytes(wb)


@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    meta: dict[str, Any]
    rows: list[Row]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def cell_date(value: Any) -> date | str | None:
    """A date from a cell (a date, or text dd/mm/yyyy or ISO); the text itself if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


def read_plan(data: bytes) -> Sheet:
    """The meta values and task rows of an XLSX file; ``ValidationError`` when it is not one."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise ValidationError({"file": _("The file is not a readable XLSX workbook.")}) from exc
    names = {fold(n): n for n in wb.sheetnames}
    task_name = names.get(fold(TASK_SHEET)) or names.get("tasks")
    if task_name is None:
        raise ValidationError(
            {"file": _("The workbook has no sheet named “%(name)s”.") % {"name": TASK_SHEET}}
        )
    meta: dict[str, Any] = {}
    meta_name = names.get(fold(META_SHEET)) or names.get("plan")
    if meta_name is not None:
        for row in wb[meta_name].iter_rows(min_row=2, values_only=True):
            if row and row[0] is not None:
                meta[_text(row[0])] = row[2] if len(row) > 2 else None
    headers: dict[str, str] = {}
    for key, label in COLUMNS:
        headers[fold(key)] = key
        headers[fold(label)] = key
    sheet = wb[task_name]
    iterator = sheet.iter_rows(values_only=True)
    header = next(iterator, None)
    if header is None:
        raise ValidationError({"file": _("The task sheet is empty.")})
    keys: list[str | None] = [headers.get(fold(_text(h))) for h in header]
    if "code" not in keys:
        raise ValidationError({"file": _("The task sheet has no “Mã” (code) column.")})
    rows: list[Row] = []
    for number, values in enumerate(iterator, start=2):
        if all(v is None or _text(v) == "" for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                {"file": _("At most %(n)s task rows can be imported at once.") % {"n": MAX_ROWS}}
            )
        row = Row(number)
        for column, value in zip(keys, values, strict=False):
            if column is not None:
                row.values[column] = value
        rows.append(row)
    wb.close()
    return Sheet(meta=meta, rows=rows)


def column_label(key: str) -> str:
    return dict(COLUMNS).get(key, key)


def status_from_cell(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    return _status_labels().get(fold(text), text)


def text_of(value: Any) -> str:
    return _text(value)


def read_file(path: str) -> bytes:
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise ValidationError({"file": _("File %(name)s does not exist.") % {"name": path}})
    return file.read_bytes()
