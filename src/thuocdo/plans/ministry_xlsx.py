"""The XLSX a province sends the ministry with its approved plan (seed 003: targets that are
"rõ ràng, định lượng … rõ phương pháp đánh giá, đo lường kết quả", and the tasks with their
responsible units): three sheets, "Thông tin chung" (key, value), "Mục tiêu, chỉ tiêu" (one
target a row, with its indicator and measurement method) and "Nhiệm vụ" (one task a row).
``read_ministry`` reads it back."""

from __future__ import annotations

import io
from typing import Any, Final

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from thuocdo.core.spreadsheet import workbook_bytes
from thuocdo.plans import selectors
from thuocdo.plans.models import Plan, Stage, Status

__all__ = [
    "INFO_SHEET",
    "TARGET_COLUMNS",
    "TARGET_SHEET",
    "TASK_COLUMNS",
    "TASK_SHEET",
    "export_ministry",
    "read_ministry",
]

INFO_SHEET: Final = "Thông tin chung"
TARGET_SHEET: Final = "Mục tiêu, chỉ tiêu"
TASK_SHEET: Final = "Nhiệm vụ"

TARGET_COLUMNS: Final = (
    "STT",
    "Mã",
    "Mục tiêu",
    "Chỉ tiêu",
    "So sánh",
    "Đơn vị tính",
    "Căn cứ",
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Phương pháp đo",
    "Nguồn số liệu",
    "Kết quả",
    "Đạt",
)
TASK_COLUMNS: Final = (
    "STT",
    "Mã",
    "Nhóm nhiệm vụ",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Hạn (ngày)",
    "Sản phẩm dự kiến",
    "Mã chỉ tiêu",
    "Trạng thái",
    "Tiến độ (%)",
)


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def export_ministry(plan: Plan) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    stages = dict(Stage.choices)
    rows = [
        ("Tên kế hoạch", plan.title),
        ("Đơn vị", plan.unit.name if plan.unit_id and plan.unit else plan.organisation),
        ("Mã đơn vị", plan.unit.code if plan.unit_id and plan.unit else ""),
        ("Năm", plan.year),
        ("Khung kế hoạch", plan.framework_code),
        ("Số quyết định phê duyệt", plan.decision_number),
        ("Ngày quyết định", _date(plan.decision_date)),
        ("Trạng thái", str(stages.get(plan.stage, plan.stage))),
        ("Ngày gửi Bộ", _date(plan.sent_on)),
        ("Ngày đánh giá", _date(plan.evaluated_on)),
    ]
    for key, value in rows:
        info.append([key, value])
    methods = selectors.indicator_methods()
    ts = wb.create_sheet(TARGET_SHEET)
    ts.append(list(TARGET_COLUMNS))
    for n, t in enumerate(plan.targets.all(), start=1):
        ind = methods.get(t.indicator_code) or {}
        ts.append(
            [
                n,
                t.code,
                t.title_vi,
                t.value,
                t.comparator,
                t.unit,
                t.text,
                t.indicator_code,
                ind.get("name", ""),
                ind.get("method", ""),
                ind.get("source", ""),
                t.result if t.result is not None else "",
                "" if t.achieved is None else ("Đạt" if t.achieved else "Chưa đạt"),
            ]
        )
    tk = wb.create_sheet(TASK_SHEET)
    tk.append(list(TASK_COLUMNS))
    statuses = dict(Status.choices)
    for n, task in enumerate(plan.tasks.select_related("group").order_by("position"), start=1):
        tk.append(
            [
                n,
                task.code,
                f"{task.group.code}. {task.group.title_vi}",
                task.title_vi,
                task.lead_unit_name or task.lead_unit,
                ", ".join(task.coordinating_units),
                task.deadline_text or task.deadline_spec,
                _date(task.deadline),
                task.expected_output,
                task.indicator_code,
                str(statuses.get(task.status, task.status)),
                task.progress,
            ]
        )
    for ws in (ts, tk):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    return workbook_bytes(wb)


def read_ministry(data: bytes) -> dict[str, Any]:
    """The three sheets as {"info": {key: value}, "targets": [row dict], "tasks": [row dict]}."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    def table(name: str) -> list[dict[str, Any]]:
        rows = list(wb[name].iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(r)]

    info = {str(r[0]): r[1] for r in wb[INFO_SHEET].iter_rows(values_only=True) if r[0]}
    return {"info": info, "targets": table(TARGET_SHEET), "tasks": table(TASK_SHEET)}
