"""Import problems: stable codes with Vietnamese and English messages (no Django here).

Answer problems reuse the criteria-set engine's catalogue (``answer.*``); the codes below cover
files, headers and the organisation columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from thuocdo.frameworks.engine.messages import CATALOGUE as ENGINE_CATALOGUE
from thuocdo.frameworks.engine.messages import render as engine_render

Lang = Literal["vi", "en"]

CATALOGUE: dict[str, tuple[str, str]] = {
    # pulls from a field server (fieldservers.py)
    "pull.env_missing": (
        "Biến môi trường {var} chưa được đặt hoặc rỗng: hãy đặt {what} vào đó rồi chạy lại;"
        " không ghi gì.",
        "The environment variable {var} is not set or empty: put {what_en} in it and run"
        " again; nothing was written.",
    ),
    "pull.option_missing": (
        "Thiếu tùy chọn {option} để kéo dữ liệu từ máy chủ.",
        "The option {option} is needed to pull from the server.",
    ),
    "pull.bad_url": (
        "Địa chỉ máy chủ {url} không hợp lệ: cần dạng https://tên-máy-chủ.",
        "Invalid server address {url}: expected https://host.",
    ),
    "pull.unreachable": (
        "Không kết nối được máy chủ {server} ({error}); không ghi gì. Hãy kiểm tra địa chỉ và"
        " mạng rồi chạy lại.",
        "Cannot reach the server {server} ({error}); nothing was written. Check the address and"
        " the network and run again.",
    ),
    "pull.unauthorized": (
        "Máy chủ {server} từ chối thông tin đăng nhập (HTTP {status}); không ghi gì. Hãy kiểm"
        " tra mã truy cập (token) hoặc email/mật khẩu và quyền xem dữ liệu của biểu mẫu.",
        "The server {server} refused the credentials (HTTP {status}); nothing was written."
        " Check the token or e-mail/password and the permission to view the form's data.",
    ),
    "pull.not_found": (
        "Không tìm thấy {url} (HTTP 404); không ghi gì. Hãy kiểm tra mã biểu mẫu/dự án.",
        "Not found: {url} (HTTP 404); nothing was written. Check the form/project id.",
    ),
    "pull.http": (
        "Máy chủ trả lỗi HTTP {status} cho {url}; không ghi gì.",
        "The server answered HTTP {status} for {url}; nothing was written.",
    ),
    "pull.bad_json": (
        "Máy chủ trả về nội dung không phải JSON cho {url}; không ghi gì.",
        "The server answered {url} with something that is not JSON; nothing was written.",
    ),
    "pull.bad_shape": (
        "Câu trả lời của máy chủ không đúng dạng API ({detail}); không ghi gì.",
        "The server's answer is not shaped as the API's ({detail}); nothing was written.",
    ),
    "pull.foreign_link": (
        "Liên kết trang tiếp theo {url} dẫn ra ngoài máy chủ {server}; dừng lại, không ghi gì.",
        "The next-page link {url} leaves the server {server}; stopped, nothing was written.",
    ),
    "pull.too_large": (
        "Một trang dữ liệu của {url} vượt quá {limit} byte; không ghi gì.",
        "A page of {url} is larger than {limit} bytes; nothing was written.",
    ),
    "pull.too_many": (
        "Máy chủ trả về hơn {limit} bài nộp; không ghi gì.",
        "The server returned more than {limit} submissions; nothing was written.",
    ),
    # files
    "file.too_large": (
        "Tệp quá lớn ({size} byte); giới hạn là {limit} byte (MAX_UPLOAD_MB).",
        "File too large ({size} bytes); the limit is {limit} bytes (MAX_UPLOAD_MB).",
    ),
    "file.empty": (
        "Tệp rỗng: không có dòng tiêu đề.",
        "The file is empty: there is no header row.",
    ),
    "file.no_rows": (
        "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.",
        "The file has a header row but no data rows.",
    ),
    "file.unreadable": ("Không đọc được tệp: {error}.", "Cannot read the file: {error}."),
    "file.xls": (
        "Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại thành .xlsx hoặc CSV.",
        "Excel 97–2003 files (.xls) are not supported; save the file as .xlsx or CSV.",
    ),
    "file.encoding_cp1252": (
        'Tệp có vẻ được lưu bằng bảng mã Windows-1252 (ISO-8859-1, "Western"), không chứa được'
        ' các chữ ă, đ, ơ, ư và sẽ bị đọc sai ("Thõa" thành "Thơa"). Hãy lưu lại tệp với mã'
        " UTF-8.",
        'The file looks saved as Windows-1252 (ISO-8859-1, "Western"), which cannot hold ă, đ,'
        ' ơ, ư and would be misread ("Thõa" as "Thơa"). Save the file as UTF-8.',
    ),
    "file.encoding": (
        "Không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16 có BOM hay Windows-1258;"
        " byte không hợp lệ ở vị trí {offset}). Hãy lưu lại tệp với mã UTF-8.",
        "Unrecognised text encoding (not UTF-8, UTF-16 with a BOM or Windows-1258; invalid byte"
        " at offset {offset}). Save the file as UTF-8.",
    ),
    "file.utf16_invalid": (
        "Tệp có dấu BOM UTF-16 nhưng nội dung không giải mã được theo UTF-16 (vị trí {offset}).",
        "The file has a UTF-16 byte-order mark but is not valid UTF-16 (offset {offset}).",
    ),
    "file.binary": (
        "Tệp chứa ký tự điều khiển (mã {char}) ở vị trí {offset}: đây không phải tệp CSV văn bản.",
        "The file contains a control character (code {char}) at offset {offset}: it is not a"
        " text CSV file.",
    ),
    "file.csv_syntax": (
        "Lỗi cú pháp CSV ở dòng {line}: {error}.",
        "CSV syntax error on line {line}: {error}.",
    ),
    "file.delimiter": (
        "Dòng tiêu đề chỉ có một cột: tệp không dùng dấu phân cách được hỗ trợ (dấu phẩy,"
        " chấm phẩy hoặc tab){found}.",
        "The header row has a single column: the file does not use a supported delimiter"
        " (comma, semicolon or tab){found}.",
    ),
    "file.zip_bomb": (
        "Tệp XLSX bị từ chối: phần '{member}' giải nén ra {size} byte (tỷ lệ nén {ratio}:1),"
        " vượt giới hạn an toàn.",
        "XLSX file refused: member '{member}' expands to {size} bytes (compression ratio"
        " {ratio}:1), beyond the safe limit.",
    ),
    "file.zip_too_many": (
        "Tệp XLSX bị từ chối: có {count} phần nén (tối đa {limit}).",
        "XLSX file refused: it has {count} members (at most {limit}).",
    ),
    "file.zip_total": (
        "Tệp XLSX bị từ chối: tổng dung lượng giải nén {size} byte vượt giới hạn {limit} byte.",
        "XLSX file refused: it expands to {size} bytes in total, above the limit of {limit}.",
    ),
    "file.not_xlsx": (
        "Tệp nén không phải bảng tính XLSX hợp lệ: {error}.",
        "The zip file is not a valid XLSX workbook: {error}.",
    ),
    "file.too_many_rows": (
        "Tệp có quá nhiều dòng (quá {limit}).",
        "The file has too many rows (more than {limit}).",
    ),
    # header
    "column.missing": (
        "Thiếu cột bắt buộc '{column}'.",
        "Missing required column '{column}'.",
    ),
    "column.unknown": (
        "Cột '{column}' không thuộc mẫu nhập của đợt đánh giá này.",
        "Column '{column}' is not part of this campaign's import template.",
    ),
    "column.duplicate": (
        "Cột '{column}' xuất hiện hai lần (cùng nghĩa với cột '{first}').",
        "Column '{column}' appears twice (same meaning as column '{first}').",
    ),
    "layout.unrecognised": (
        "Không nhận ra bố cục của tệp: {count} cột không thuộc đợt đánh giá ({columns}, …)."
        " Trong KoboToolbox, hãy xuất lại với «Value and header format: XML values and"
        " headers» (nhóm trong tiêu đề hay không đều được); trong ODK Central, tải về"
        " «CSV» của biểu mẫu; hoặc dùng mẫu nhập của đợt đánh giá.",
        "Unrecognised file layout: {count} columns are not part of this campaign ({columns}, …)."
        ' In KoboToolbox, export again with "Value and header format: XML values and headers"'
        ' (with or without groups in headers); in ODK Central, download the form\'s "CSV";'
        " or use the campaign's import template.",
    ),
    "column.empty_name": (
        "Cột thứ {index} không có tên.",
        "Column {index} has no name.",
    ),
    # rows
    "row.cell_count": (
        "Dòng có {count} ô nhưng dòng tiêu đề có {expected} cột.",
        "The row has {count} cells but the header has {expected} columns.",
    ),
    "row.cell_count_delimiter": (
        "Dòng chỉ có 1 ô nhưng dòng tiêu đề có {expected} cột: dòng này dùng dấu phân cách khác"
        " với dòng tiêu đề ('{delimiter}')?",
        "The row has a single cell but the header has {expected} columns: does it use another"
        " delimiter than the header ('{delimiter}')?",
    ),
    "row.duplicate": (
        "Dòng trùng với dòng {first} (cùng tổ chức: {key}).",
        "Duplicate of row {first} (same organisation: {key}).",
    ),
    "repair.leading_zeros": (
        "Đã thêm lại số 0 ở đầu mà bảng tính đã bỏ mất: {value} → {fixed}.",
        "Leading zeros dropped by a spreadsheet were restored: {value} → {fixed}.",
    ),
    "submission.conflict": (
        "Bài nộp {id} đã được nhập (phiếu {response}) với nội dung khác: đây là một bản sửa;"
        " phiếu được giữ nguyên (chế độ --on-edit conflict). Nhập lại với --on-edit update để"
        " cập nhật phiếu.",
        "Submission {id} was imported before (response {response}) with other content: this is"
        " an edit; the response is left as it is (--on-edit conflict). Import again with"
        " --on-edit update to update it.",
    ),
    "row.required": ("Ô bắt buộc đang để trống.", "This cell is required."),
    "row.too_long": (
        "Giá trị dài {length} ký tự, tối đa {limit}.",
        "The value is {length} characters long; at most {limit}.",
    ),
    "tax_code.format": (
        "Mã số thuế {value} không đúng định dạng: cần 10 chữ số, 13 chữ số (có mã chi nhánh)"
        " hoặc số định danh cá nhân 12 chữ số.",
        "Tax code {value} has a bad format: expected 10 digits, 13 digits (with the branch"
        " suffix) or a 12-digit personal ID number.",
    ),
    "tax_code.checksum": (
        "Mã số thuế {value} sai chữ số kiểm tra.",
        "Tax code {value} has a wrong check digit.",
    ),
    "tax_code.citizen_id": (
        "Số định danh cá nhân {value} không hợp lệ (3 chữ số đầu phải là mã tỉnh 001–096).",
        "Personal ID number {value} is invalid (the first three digits must be a province code"
        " 001–096).",
    ),
    "agency_code.format": (
        "Mã định danh điện tử {value} của cơ quan không đúng định dạng: cần 3 chữ số.2 chữ số."
        "2 chữ số.một chữ cái in hoa và 2 chữ số (ví dụ 000.00.31.H26).",
        "The agency's electronic identifier code {value} has a bad format: expected 3 digits."
        "2 digits.2 digits.a capital letter and 2 digits (for example 000.00.31.H26).",
    ),
    "agency_code.level1": (
        "Mã định danh điện tử {value}: phần mã cấp 1 không được là 00.",
        "Electronic identifier code {value}: the level-1 part cannot be 00.",
    ),
    "agency_code.hierarchy": (
        "Mã định danh điện tử {value}: một cấp có mã trong khi cấp trên nó bằng 0.",
        "Electronic identifier code {value}: a level is set under an empty (zero) higher level.",
    ),
    "entity_type.unknown": (
        "Loại hình {value} không hợp lệ; dùng một trong: {allowed}.",
        "Unknown entity type {value}; use one of: {allowed}.",
    ),
    "entity_type.not_in_campaign": (
        "Loại hình {value} không thuộc đợt đánh giá này (chỉ gồm: {allowed}).",
        "Entity type {value} is not covered by this campaign (only: {allowed}).",
    ),
    "size_class.unknown": (
        "Quy mô {value} không hợp lệ; dùng một trong: {allowed}.",
        "Unknown size class {value}; use one of: {allowed}.",
    ),
    "vsic.format": (
        "Mã ngành VSIC {value} không đúng định dạng (mã cấp 1 là một chữ cái A–U, cấp 2–5 là"
        " 2 đến 5 chữ số).",
        "VSIC code {value} has a bad format (a section letter A–U, or 2 to 5 digits).",
    ),
    "commune.unknown": (
        "Mã xã {value} không tồn tại (cả theo danh mục hiện hành lẫn danh mục trước 01/07/2025).",
        "Commune code {value} does not exist (neither in the current list nor in the list before"
        " 1 Jul 2025).",
    ),
    "commune.not_commune": (
        "Mã {value} là mã của {level}, không phải mã xã/phường.",
        "Code {value} belongs to a {level}, not to a commune.",
    ),
    "commune.outside_area": (
        "Xã {value} nằm ngoài địa bàn của đợt đánh giá ({area}).",
        "Commune {value} lies outside the campaign's area ({area}).",
    ),
    "commune.former_outside_area": (
        "Mã xã {value} là mã cũ (trước 01/07/2025) của {former}, nay là {became}, nằm ngoài địa"
        " bàn của đợt đánh giá ({area}).",
        "Commune code {value} is the former (pre-1 Jul 2025) code of {former}, now {became},"
        " which lies outside the campaign's area ({area}).",
    ),
    "answer.bad_boolean": (
        "Tiêu chí '{criterion}': cần có/không (1/0, yes/no, true/false), nhận được {value}.",
        "Criterion '{criterion}': expected yes/no (1/0, có/không, true/false), got {value}.",
    ),
    "answer.bad_number": (
        "Tiêu chí '{criterion}': cần một số, nhận được {value}.",
        "Criterion '{criterion}': expected a number, got {value}.",
    ),
    "answer.unknown_option_list": (
        "Tiêu chí '{criterion}': không có phương án {value}; các mã hợp lệ: {allowed}.",
        "Criterion '{criterion}': there is no option {value}; valid codes: {allowed}.",
    ),
}


def render(code: str, params: Mapping[str, Any], lang: Lang = "vi") -> str:
    """The message of ``code`` in ``lang`` (engine codes fall back to the engine catalogue)."""
    if code not in CATALOGUE and code in ENGINE_CATALOGUE:
        return engine_render(code, params, lang)
    vi, en = CATALOGUE[code]
    template = en if lang == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{template} {dict(params)!r}"


def show(value: str) -> str:
    """A cell value quoted for messages, shortened."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


@dataclass(frozen=True)
class ImportProblem:
    """A problem at one cell: ``row`` is the spreadsheet row (header = 1), ``column`` the
    column header as written in the file (or the expected column name when it is missing)."""

    row: int
    column: str
    value: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang = "vi") -> str:
        params = {"value": show(self.value), **self.params}
        return render(self.code, params, lang)

    def to_dict(self, lang: Lang = "vi") -> dict[str, Any]:
        """The CLI and report shape: row, column, value, message."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }


class ImportRefused(ValueError):  # noqa: N818 - public name
    """The whole file is refused (size, encoding, zip bomb, header…); ``problems`` says why."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message("vi") for p in problems[:5]))
