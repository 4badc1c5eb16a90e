"""Per-campaign import templates: CSV (header row only) and XLSX (a data sheet plus a sheet of
allowed codes with a Vietnamese explanation). Every text cell is neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thuocdo.frameworks.engine import Framework

from .columns import (
    CONTRACT,
    ENTITY_TYPES,
    FALSE_WORDS,
    HEADER_LABELS_VI,
    REQUIRED_CONTRACT,
    SIZE_CLASSES,
    TRUE_WORDS,
    allowed_values,
)
from .safe import neutralise, xlsx_cell

TYPE_VI = {
    "single": "chọn một",
    "multi": "chọn nhiều (mã cách nhau bởi dấu ;)",
    "boolean": "có/không",
    "number": "số",
    "scale": "thang điểm",
}
CONTRACT_NOTES = {
    "org_tax_code": "10 chữ số, hoặc 13 chữ số có mã chi nhánh (0100233488-001), hoặc số định"
    " danh cá nhân 12 chữ số của chủ hộ. Để trống nếu hộ kinh doanh chưa có: hệ thống cấp mã"
    " đăng ký.",
    "org_name": "Tên đầy đủ của tổ chức, doanh nghiệp, hộ kinh doanh.",
    "entity_type": "Mã loại hình (xem bảng bên dưới); chấp nhận cả tên tiếng Việt.",
    "commune_code": "Mã xã/phường theo danh mục hiện hành (từ 01/07/2025); mã cũ được chấp nhận"
    " và quy đổi sang xã mới.",
    "vsic": "Mã ngành kinh tế VSIC 2018 (chữ cái cấp 1 hoặc 2–5 chữ số); có thể để trống.",
    "size_class": "micro, small, medium, large (siêu nhỏ, nhỏ, vừa, lớn); có thể để trống.",
}
EXPLANATION = (
    "Hướng dẫn điền mẫu nhập liệu",
    "Mỗi dòng của trang «Dữ liệu» là phiếu trả lời của một tổ chức. Giữ nguyên dòng tiêu đề:"
    " sáu cột thông tin tổ chức rồi một cột cho mỗi tiêu chí (mã tiêu chí). Có thể dùng tên"
    " tiếng Việt của cột (Mã số thuế, Tên tổ chức, Loại hình, Mã xã, Mã ngành VSIC, Quy mô).",
    "Câu hỏi chọn một: ghi mã phương án (ví dụ b). Chọn nhiều: các mã cách nhau bởi dấu chấm"
    " phẩy (ví dụ web;social). Có/không: 1/0, có/không, yes/no, true/false. Số: dùng dấu chấm"
    " hoặc dấu phẩy thập phân, trong khoảng cho phép.",
    "Câu hỏi không áp dụng (điều kiện không thỏa) có thể để trống. Câu hỏi bắt buộc phải có"
    " câu trả lời.",
    "Mặc định, nếu có bất kỳ lỗi nào thì không dòng nào được ghi; báo cáo lỗi nêu dòng, cột,"
    " giá trị và lý do. Nhập lại cùng một tệp không tạo bản ghi trùng: tổ chức đã có phiếu"
    " trong đợt được tính là trùng và bỏ qua.",
    "Tệp CSV: mã UTF-8 (khuyến nghị), UTF-16 hoặc Windows-1258; dấu phân cách là dấu phẩy, chấm"
    " phẩy hoặc tab.",
)


def header(fw: Framework) -> list[str]:
    """The header row of the contract for this criteria set."""
    return [*CONTRACT, *(c.code for c in fw.criteria())]


def template_csv(fw: Framework) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(h) for h in header(fw)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def codes_rows(fw: Framework, entity_types: Sequence[str] = ()) -> list[list[Any]]:
    """The second sheet's tables as rows (blank rows separate them)."""
    rows: list[list[Any]] = [[line] for line in EXPLANATION]
    rows.append([])
    rows.append(
        ["Cột", "Tên tiếng Việt / câu hỏi", "Loại", "Bắt buộc", "Giá trị hợp lệ", "Ghi chú"]
    )
    for key in CONTRACT:
        rows.append(
            [
                key,
                HEADER_LABELS_VI[key],
                "thông tin tổ chức",
                "có" if key in REQUIRED_CONTRACT else "không",
                "",
                CONTRACT_NOTES[key],
            ]
        )
    for c in fw.criteria():
        note = f"Chỉ trả lời khi: {c.relevant.source}" if c.relevant else ""
        if c.question.unit:
            note = (note + "; " if note else "") + f"đơn vị: {c.question.unit}"
        rows.append(
            [
                c.code,
                c.question.text.vi,
                TYPE_VI[c.question.type],
                "có" if c.required else "không",
                allowed_values(c),
                note,
            ]
        )
    rows.append([])
    rows.append(["Tiêu chí", "Mã phương án", "Nội dung phương án"])
    for c in fw.criteria():
        for o in c.question.options:
            rows.append([c.code, o.code, o.text.vi])
    rows.append([])
    rows.append(["Loại hình (entity_type)", "Tên tiếng Việt", "Thuộc đợt này"])
    for code, vi in ENTITY_TYPES.items():
        rows.append([code, vi, "có" if not entity_types or code in entity_types else "không"])
    rows.append([])
    rows.append(["Quy mô (size_class)", "Tên tiếng Việt"])
    rows.extend([code, vi] for code, vi in SIZE_CLASSES.items())
    rows.append([])
    rows.append(["Có/không", "Cách viết được chấp nhận"])
    rows.append(["có", ", ".join(TRUE_WORDS)])
    rows.append(["không", ", ".join(FALSE_WORDS)])
    return rows


def template_xlsx(fw: Framework, *, title: str = "", entity_types: Sequence[str] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dữ liệu"
    for j, h in enumerate(header(fw), start=1):
        cell = xlsx_cell(ws, 1, j, h)
        cell.font = Font(bold=True)
        label = HEADER_LABELS_VI.get(h) or fw.criterion(h).name.vi
        cell.comment = Comment(neutralise(label), "Thước đo")
    ws.freeze_panes = "A2"
    codes = wb.create_sheet("Mã hợp lệ")
    if title:
        xlsx_cell(codes, 1, 1, title).font = Font(bold=True, size=13)
    offset = 2 if title else 1
    for i, row in enumerate(codes_rows(fw, entity_types), start=offset):
        for j, value in enumerate(row, start=1):
            xlsx_cell(codes, i, j, value)
    codes["A" + str(offset)].font = Font(bold=True)
    for col, width in zip("ABCDEF", (22, 60, 18, 10, 30, 50), strict=True):
        codes.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def campaign_template(campaign: Any, fmt: str) -> bytes:
    fw = campaign.framework.engine()
    if fmt == "csv":
        return template_csv(fw)
    title = f"{campaign.name} ({campaign.year}) — {fw.name.vi} {fw.key}"
    return template_xlsx(fw, title=title, entity_types=campaign.entity_types or ())


def write_template(campaign: Any, path: Path, *, fmt: str) -> None:
    path.write_bytes(campaign_template(campaign, fmt))
