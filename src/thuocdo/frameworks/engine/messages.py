"""Problem catalogue: stable codes with Vietnamese and English messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["vi", "en"]

# code -> (vi, en); templates use str.format with the problem's params.
CATALOGUE: dict[str, tuple[str, str]] = {
    # file and YAML
    "file.too_large": (
        "Tệp quá lớn ({size} byte); giới hạn là {limit} byte.",
        "File too large ({size} bytes); the limit is {limit} bytes.",
    ),
    "file.not_utf8": (
        "Tệp không phải UTF-8 (byte không hợp lệ ở vị trí {offset}); hãy lưu lại tệp với mã UTF-8.",
        "File is not UTF-8 (invalid byte at offset {offset}); save it as UTF-8.",
    ),
    "file.unreadable": ("Không đọc được tệp: {error}.", "Cannot read the file: {error}."),
    "file.empty": ("Tệp rỗng.", "The file is empty."),
    "yaml.syntax": ("Lỗi cú pháp YAML: {error}.", "YAML syntax error: {error}."),
    "yaml.alias_not_allowed": (
        "Không cho phép neo/tham chiếu YAML (& và *) trong bộ tiêu chí.",
        "YAML anchors and aliases (& and *) are not allowed in a criteria set.",
    ),
    "yaml.tag_not_allowed": (
        "Không cho phép thẻ YAML '{tag}'.",
        "The YAML tag '{tag}' is not allowed.",
    ),
    "yaml.too_deep": (
        "Cấu trúc lồng nhau quá sâu (quá {limit} cấp).",
        "Nesting too deep (more than {limit} levels).",
    ),
    "yaml.too_many_nodes": (
        "Tệp có quá nhiều phần tử (quá {limit}).",
        "The file has too many nodes (more than {limit}).",
    ),
    "yaml.duplicate_key": ("Khóa '{key}' bị lặp.", "Duplicate key '{key}'."),
    "yaml.bad_key": (
        "Khóa phải là chuỗi, nhận được {got}.",
        "Keys must be strings, got {got}.",
    ),
    "root.not_mapping": (
        "Nội dung gốc phải là một ánh xạ (khóa: giá trị), nhận được {got}.",
        "The top level must be a mapping (key: value), got {got}.",
    ),
    # structure
    "key.missing": ("Thiếu khóa bắt buộc '{key}'.", "Missing required key '{key}'."),
    "key.unknown": ("Khóa không hợp lệ '{key}'.", "Unknown key '{key}'."),
    "key.not_for_type": (
        "Khóa '{key}' không dùng cho câu hỏi loại '{qtype}'.",
        "Key '{key}' does not apply to a '{qtype}' question.",
    ),
    "type.wrong": (
        "Sai kiểu dữ liệu: cần {expected}, nhận được {got}.",
        "Wrong type: expected {expected}, got {got}.",
    ),
    "type.yaml_bool": (
        "YAML hiểu giá trị này là true/false (yes/no/on/off); hãy đặt nó trong dấu nháy nếu là chuỗi.",
        "YAML reads this value as true/false (yes/no/on/off); quote it if it is a string.",
    ),
    "number.not_finite": ("Số phải hữu hạn.", "The number must be finite."),
    "number.too_large": (
        "Số quá lớn (tối đa khoảng 1,8e308).",
        "The number is too large (at most about 1.8e308).",
    ),
    "code.bad_format": (
        "Mã '{value}' không đúng định dạng ({rule}).",
        "Code '{value}' has a bad format ({rule}).",
    ),
    "text.missing_vi": (
        "Thiếu nội dung tiếng Việt (vi).",
        "Missing the Vietnamese text (vi).",
    ),
    "text.empty": ("Nội dung không được để trống.", "The text must not be empty."),
    "version.not_string": (
        'Phiên bản phải là chuỗi trong dấu nháy (ví dụ "2025.1"), nhận được {got}.',
        'The version must be a quoted string (e.g. "2025.1"), got {got}.',
    ),
    "list.empty": ("Danh sách không được rỗng.", "The list must not be empty."),
    # codes and references
    "pillar.duplicate_code": (
        "Mã trụ cột '{value}' bị trùng (đã dùng ở {first}).",
        "Duplicate pillar code '{value}' (already used at {first}).",
    ),
    "criterion.duplicate_code": (
        "Mã tiêu chí '{value}' bị trùng (đã dùng ở {first}).",
        "Duplicate criterion code '{value}' (already used at {first}).",
    ),
    "option.duplicate_code": (
        "Mã phương án '{value}' bị trùng trong câu hỏi.",
        "Duplicate option code '{value}' in the question.",
    ),
    "level.duplicate_code": ("Mã mức '{value}' bị trùng.", "Duplicate level code '{value}'."),
    "weight.not_positive": (
        "Trọng số phải lớn hơn 0, nhận được {value}.",
        "The weight must be greater than 0, got {value}.",
    ),
    "score.out_of_range": (
        "Điểm phải trong khoảng [0, 100], nhận được {value}.",
        "The score must be within [0, 100], got {value}.",
    ),
    "target.out_of_range": (
        "Ngưỡng đạt (target) phải trong khoảng (0, 100], nhận được {value}.",
        "The target must be within (0, 100], got {value}.",
    ),
    # levels
    "level.first_not_zero": (
        "Mức đầu tiên phải có mã 0 và min 0.",
        "The first level must have code 0 and min 0.",
    ),
    "level.code_not_consecutive": (
        "Mã mức phải tăng liên tiếp 0, 1, 2, …: cần {expected}, nhận được {value}.",
        "Level codes must increase 0, 1, 2, …: expected {expected}, got {value}.",
    ),
    "level.min_not_increasing": (
        "Điểm tối thiểu của mức phải tăng dần: {value} không lớn hơn {previous}.",
        "Level minimums must strictly increase: {value} is not above {previous}.",
    ),
    "level.min_out_of_range": (
        "Điểm tối thiểu của mức phải trong [0, 100], nhận được {value}.",
        "A level minimum must be within [0, 100], got {value}.",
    ),
    "level.min_pillars_out_of_range": (
        "min_pillars phải từ 1 đến số trụ cột ({pillars}), nhận được {value}.",
        "min_pillars must be between 1 and the number of pillars ({pillars}), got {value}.",
    ),
    "level.pillar_min_without_min_pillars": (
        "pillar_min chỉ dùng cùng min_pillars.",
        "pillar_min is only used together with min_pillars.",
    ),
    "level.bad_compare": (
        'Phép so sánh phải là ">" hoặc ">=", nhận được \'{value}\'.',
        'The comparison must be ">" or ">=", got \'{value}\'.',
    ),
    "points.not_positive": (
        "Tổng điểm của bộ (points) phải lớn hơn 0, nhận được {value}.",
        "The set's total points must be greater than 0, got {value}.",
    ),
    "level.zero_has_conditions": (
        "Mức 0 luôn đạt, không được đặt min_pillars hay pillar_min.",
        "Level 0 always holds; it cannot set min_pillars or pillar_min.",
    ),
    "gate.unknown_level": (
        "required_for_level nêu mức {value} không tồn tại.",
        "required_for_level names level {value}, which does not exist.",
    ),
    "gate.level_zero": (
        "required_for_level phải từ 1 trở lên (mức 0 luôn đạt).",
        "required_for_level must be 1 or more (level 0 always holds).",
    ),
    # questions
    "question.unknown_type": (
        "Loại câu hỏi '{value}' không hợp lệ; dùng một trong: {allowed}.",
        "Unknown question type '{value}'; use one of: {allowed}.",
    ),
    "question.options_missing": (
        "Câu hỏi loại '{qtype}' cần danh sách phương án (options).",
        "A '{qtype}' question needs a list of options.",
    ),
    "question.too_many_options": (
        "Câu hỏi có quá nhiều phương án ({count}; tối đa {limit}).",
        "The question has too many options ({count}; at most {limit}).",
    ),
    "question.scale_range": (
        "Thang đo cần min < max, nhận được min {min}, max {max}.",
        "A scale needs min < max, got min {min}, max {max}.",
    ),
    "question.thresholds_missing": (
        "Câu hỏi dạng số cần danh sách ngưỡng (thresholds).",
        "A number question needs a list of thresholds.",
    ),
    "question.thresholds_not_increasing": (
        "Các ngưỡng phải tăng dần theo min: {value} không lớn hơn {previous}.",
        "Thresholds must strictly increase in min: {value} is not above {previous}.",
    ),
    "question.bounds": (
        "Giới hạn câu trả lời cần min < max, nhận được min {min}, max {max}.",
        "Answer bounds need min < max, got min {min}, max {max}.",
    ),
    # conditions
    "expr.too_long": (
        "Điều kiện quá dài ({length} ký tự; tối đa {limit}).",
        "The condition is too long ({length} characters; at most {limit}).",
    ),
    "expr.too_deep": (
        "Điều kiện lồng nhau quá sâu ở ký tự {column}.",
        "The condition nests too deeply at character {column}.",
    ),
    "expr.bad_character": (
        "Ký tự không hợp lệ '{token}' ở ký tự {column}.",
        "Invalid character '{token}' at character {column}.",
    ),
    "expr.unknown_operator": (
        "Toán tử không được hỗ trợ '{token}' ở ký tự {column}.",
        "Unsupported operator '{token}' at character {column}.",
    ),
    "expr.unterminated_string": (
        "Chuỗi chưa đóng dấu nháy, bắt đầu ở ký tự {column}.",
        "Unterminated string starting at character {column}.",
    ),
    "expr.unexpected_token": (
        "Không mong đợi '{token}' ở ký tự {column}.",
        "Unexpected '{token}' at character {column}.",
    ),
    "expr.unexpected_end": (
        "Điều kiện kết thúc đột ngột ở ký tự {column}.",
        "The condition ends unexpectedly at character {column}.",
    ),
    "expr.call_not_allowed": (
        "Không được gọi hàm ở ký tự {column}.",
        "Function calls are not allowed (character {column}).",
    ),
    "expr.attribute_not_allowed": (
        "Không được truy cập thuộc tính ('.') ở ký tự {column}.",
        "Attribute access ('.') is not allowed (character {column}).",
    ),
    "expr.subscript_not_allowed": (
        "Không được dùng chỉ số ('[') ở ký tự {column}.",
        "Subscripts ('[') are not allowed (character {column}).",
    ),
    "expr.unknown_reference": (
        "Tiêu chí '{token}' không tồn tại (ký tự {column}).",
        "Criterion '{token}' does not exist (character {column}).",
    ),
    "expr.forward_reference": (
        "Tiêu chí '{token}' được định nghĩa sau; điều kiện chỉ được dùng tiêu chí đứng trước"
        " (ký tự {column}).",
        "Criterion '{token}' is defined later; a condition may only use earlier criteria"
        " (character {column}).",
    ),
    "expr.self_reference": (
        "Điều kiện tham chiếu chính tiêu chí '{token}' (vòng lặp, ký tự {column}).",
        "The condition refers to its own criterion '{token}' (a cycle, character {column}).",
    ),
    "expr.type_mismatch": (
        "Không thể so sánh {left} với {right} (ký tự {column}).",
        "Cannot compare {left} with {right} (character {column}).",
    ),
    "expr.ordering_not_numeric": (
        "Phép so sánh '{token}' chỉ dùng cho số (ký tự {column}).",
        "Comparison '{token}' only applies to numbers (character {column}).",
    ),
    "expr.unknown_option": (
        "Tiêu chí '{criterion}' không có phương án '{token}' (ký tự {column}).",
        "Criterion '{criterion}' has no option '{token}' (character {column}).",
    ),
    "expr.in_requires_multi": (
        "'in' cần một chuỗi ở bên trái và một tiêu chí nhiều lựa chọn ở bên phải (ký tự {column}).",
        "'in' needs a string on the left and a multiple-choice criterion on the right"
        " (character {column}).",
    ),
    "expr.not_boolean": (
        "Biểu thức ở ký tự {column} không cho giá trị đúng/sai.",
        "The expression at character {column} is not true/false.",
    ),
    # answers
    "answer.not_mapping": (
        "Câu trả lời phải là một ánh xạ mã tiêu chí → giá trị, nhận được {got}.",
        "Answers must map criterion codes to values, got {got}.",
    ),
    "answer.unknown_criterion": (
        "Không có tiêu chí '{criterion}' trong bộ tiêu chí.",
        "There is no criterion '{criterion}' in the criteria set.",
    ),
    "answer.wrong_type": (
        "Tiêu chí '{criterion}': cần {expected}, nhận được {value}.",
        "Criterion '{criterion}': expected {expected}, got {value}.",
    ),
    "answer.not_a_number": (
        "Tiêu chí '{criterion}': cần một số (không phải chuỗi), nhận được {value}.",
        "Criterion '{criterion}': expected a number (not a string), got {value}.",
    ),
    "answer.not_finite": (
        "Tiêu chí '{criterion}': số phải hữu hạn, nhận được {value}.",
        "Criterion '{criterion}': the number must be finite, got {value}.",
    ),
    "answer.too_large": (
        "Tiêu chí '{criterion}': số quá lớn (tối đa khoảng 1,8e308), nhận được {value}.",
        "Criterion '{criterion}': the number is too large (at most about 1.8e308), got {value}.",
    ),
    "answer.unknown_option": (
        "Tiêu chí '{criterion}': không có phương án {value}.",
        "Criterion '{criterion}': there is no option {value}.",
    ),
    "answer.duplicate_option": (
        "Tiêu chí '{criterion}': phương án {value} được chọn hai lần.",
        "Criterion '{criterion}': option {value} is chosen twice.",
    ),
    "answer.exclusive_combined": (
        "Tiêu chí '{criterion}': phương án {value} không được chọn cùng phương án khác.",
        "Criterion '{criterion}': option {value} cannot be combined with other options.",
    ),
    "answer.out_of_range": (
        "Tiêu chí '{criterion}': giá trị {value} nằm ngoài khoảng [{min}, {max}].",
        "Criterion '{criterion}': value {value} is outside [{min}, {max}].",
    ),
    "answer.missing": (
        "Tiêu chí bắt buộc '{criterion}' chưa được trả lời.",
        "Required criterion '{criterion}' is not answered.",
    ),
}


TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("chuỗi", "a string"),
    "number": ("số", "a number"),
    "integer": ("số nguyên", "an integer"),
    "boolean": ("true/false", "true/false"),
    "list": ("danh sách", "a list"),
    "mapping": ("ánh xạ (khóa: giá trị)", "a mapping (key: value)"),
    "text": ("ánh xạ {vi: ..., en: ...}", "a mapping {vi: ..., en: ...}"),
    "option_code": ("mã phương án (chuỗi)", "an option code (string)"),
    "option_list": ("danh sách mã phương án", "a list of option codes"),
    "condition": ("điều kiện (chuỗi)", "a condition (string)"),
}


def render(code: str, params: Mapping[str, Any], lang: Lang = "vi") -> str:
    """Render the catalogue message for ``code`` in ``lang``."""
    vi, en = CATALOGUE[code]
    template = en if lang == "en" else vi
    values = dict(params)
    expected = values.get("expected")
    if isinstance(expected, str) and expected in TYPE_NAMES:
        values["expected"] = TYPE_NAMES[expected][1 if lang == "en" else 0]
    try:
        text = template.format(**values)
    except (KeyError, IndexError, ValueError):
        text = f"{template} {values!r}"
    if values.get("suggestion"):
        text += (" Có phải là '{}'?" if lang == "vi" else " Did you mean '{}'?").format(
            values["suggestion"]
        )
    return text


@dataclass(frozen=True)
class Problem:
    """One problem in a criteria-set file."""

    file: str
    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None

    def message(self, lang: Lang = "vi") -> str:
        """The problem message without location."""
        return render(self.code, self.params, lang)

    def format(self, lang: Lang = "vi") -> str:
        """``file:line: path: message`` for people."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        path = self.path or ("(gốc)" if lang == "vi" else "(root)")
        return f"{where}: {path}: {self.message(lang)} [{self.code}]"

    def to_dict(self, lang: Lang = "vi") -> dict[str, Any]:
        """JSON-able form."""
        return {
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message(lang),
        }

    def __str__(self) -> str:
        return self.format("vi")


class FrameworkInvalid(ValueError):  # noqa: N818 - public name
    """A criteria set failed to load; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = "; ".join(p.format("vi") for p in problems[:5])
        more = f" (+{len(problems) - 5})" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} lỗi trong bộ tiêu chí: {head}{more}")


@dataclass(frozen=True)
class AnswerProblem:
    """One problem with an answer: the criterion, the value given and a message."""

    criterion: str
    code: str
    value: Any = None
    params: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None

    def message(self, lang: Lang = "vi") -> str:
        """The message, naming the criterion and the value."""
        params = {"criterion": self.criterion, "value": _show(self.value), **self.params}
        text = render(self.code, params, lang)
        if self.row is not None:
            text = (f"Dòng {self.row}: " if lang == "vi" else f"Row {self.row}: ") + text
        return text

    def to_dict(self, lang: Lang = "vi") -> dict[str, Any]:
        """JSON-able form."""
        out: dict[str, Any] = {
            "criterion": self.criterion,
            "code": self.code,
            "message": self.message(lang),
        }
        if self.row is not None:
            out["row"] = self.row
        return out

    def __str__(self) -> str:
        return self.message("vi")


class AnswersInvalid(ValueError):  # noqa: N818 - public name
    """Answers failed validation; ``problems`` lists every bad answer."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        head = "; ".join(p.message("vi") for p in problems[:5])
        more = f" (+{len(problems) - 5})" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} câu trả lời không hợp lệ: {head}{more}")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def type_name(value: Any) -> str:
    """Language-neutral rendering of a value for messages (``'abc'``, ``2.5``, ``[...]``)."""
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    return _show(value)
