"""The header contract of an import file and the parsing of answer cells (no Django here).

Header: ``org_tax_code, org_name, entity_type, commune_code, vsic, size_class`` (or their
Vietnamese aliases, compared without case or diacritics), then one column per criterion code.
KoboToolbox/ODK exports are read too: a group prefix (``pillar1/S1``, ``pillar1-S1``,
``pillar1.S1``) is dropped when what follows is a criterion code; metadata columns (``_uuid``,
``_submission_time``, ``meta/instanceID``, ``start``, ``end``, …) and the one-column-per-option
expansion of multiple-choice questions (``pillar1/S2/web``) are ignored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from thuocdo.core.text import clean, fold, nfc
from thuocdo.frameworks.engine import Criterion, Framework

from .messages import ImportProblem, ImportRefused

CONTRACT: tuple[str, ...] = (
    "org_tax_code",
    "org_name",
    "entity_type",
    "commune_code",
    "vsic",
    "size_class",
)
REQUIRED_CONTRACT = frozenset({"org_name", "entity_type", "commune_code"})

ALIASES: dict[str, tuple[str, ...]] = {
    "org_tax_code": (
        "Mã số thuế",
        "MST",
        "Mã số thuế / số định danh",
        "Mã số thuế / mã định danh điện tử",
        "Tax code",
    ),
    "org_name": ("Tên tổ chức", "Tên doanh nghiệp", "Tên cơ sở", "Organisation name"),
    "entity_type": ("Loại hình", "Loại hình tổ chức", "Entity type"),
    "commune_code": ("Mã xã", "Mã xã/phường", "Mã xã, phường", "Commune code"),
    "vsic": ("Mã ngành VSIC", "Ngành VSIC", "Mã ngành", "VSIC"),
    "size_class": ("Quy mô", "Quy mô doanh nghiệp", "Size class"),
}
HEADER_LABELS_VI: dict[str, str] = {k: v[0] for k, v in ALIASES.items()}

# Pure copies of the model choices (a test keeps them equal to assessments.models).
ENTITY_TYPES: dict[str, str] = {
    "enterprise": "Doanh nghiệp",
    "household_business": "Hộ kinh doanh",
    "shop": "Cửa hàng",
    "market": "Chợ truyền thống",
    "destination": "Điểm du lịch",
    "farm": "Trang trại",
    "cooperative": "Hợp tác xã",
    "agency_department": "Sở, ban, ngành",
    "agency_commune": "UBND xã, phường, đặc khu",
    "agency_ministry_unit": "Đơn vị thuộc bộ",
    "public_service_unit": "Đơn vị sự nghiệp công lập",
}
SIZE_CLASSES: dict[str, str] = {
    "micro": "Siêu nhỏ",
    "small": "Nhỏ",
    "medium": "Vừa",
    "large": "Lớn",
}
TRUE_WORDS = ("1", "có", "yes", "true")
FALSE_WORDS = ("0", "không", "no", "false")
BOOLEANS: dict[str, int] = {fold(w): 1 for w in TRUE_WORDS} | {fold(w): 0 for w in FALSE_WORDS}
ODK_META = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceid",
        "instancename",
        "version",
        "__version__",
    }
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")


@dataclass
class Layout:
    """Where each known field sits in the header (column indexes)."""

    labels: list[str]
    contract: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, int] = field(default_factory=dict)
    ignored: list[int] = field(default_factory=list)

    def label(self, key: str) -> str:
        """The header text of a contract field or criterion, as written in the file."""
        index = self.contract.get(key, self.criteria.get(key))
        return self.labels[index] if index is not None else key


def _fold_all() -> dict[str, str]:
    out: dict[str, str] = {}
    for k in CONTRACT:
        out[fold(k)] = k
        out[fold(k).replace("_", " ")] = k
    for k, aliases in ALIASES.items():
        for a in aliases:
            out[fold(a)] = k
    return out


_CONTRACT_LOOKUP = _fold_all()


def classify(name: str, fw: Framework) -> tuple[str, str | None]:
    """('contract'|'criterion'|'ignore'|'unknown', key) for one header cell."""
    text = nfc(name).strip().lstrip("\ufeff")
    codes = {c.code for c in fw.criteria()}
    if text in codes:
        return "criterion", text
    key = _CONTRACT_LOOKUP.get(fold(text))
    if key:
        return "contract", key
    if text.startswith("_") or text.lower() in ODK_META:
        return "ignore", None
    parts = [p for p in text.split("/") if p]
    if len(parts) > 1:
        first = parts[0].lower()
        if first in ("meta", "formhub"):
            return "ignore", None
        last = parts[-1]
        if last in codes:
            return "criterion", last
        key = _CONTRACT_LOOKUP.get(fold(last))
        if key:
            return "contract", key
        if last.startswith("_") or last.lower() in ODK_META:
            return "ignore", None
        if len(parts) > 2 and parts[-2] in codes:
            crit = fw.criterion(parts[-2])
            if crit.question.type == "multi" and last in crit.question.option_index:
                return "ignore", None
    for code in codes:  # pillar1-S1, pillar1.S1
        if len(text) > len(code) + 1 and text.endswith(code) and text[-len(code) - 1] in "-.":
            return "criterion", code
    return "unknown", None


def map_header(header: list[str], fw: Framework) -> Layout:
    """Map every header cell; raises ImportRefused listing every header problem."""
    labels = [nfc(h).strip().lstrip("\ufeff") for h in header]
    layout = Layout(labels)
    problems: list[ImportProblem] = []
    first_seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if not label:
            problems.append(ImportProblem(1, "", "", "column.empty_name", {"index": i + 1}))
            continue
        kind, key = classify(label, fw)
        if kind == "ignore":
            layout.ignored.append(i)
            continue
        if kind == "unknown" or key is None:
            problems.append(ImportProblem(1, label, label, "column.unknown", {"column": label}))
            continue
        if key in first_seen:
            problems.append(
                ImportProblem(
                    1,
                    label,
                    label,
                    "column.duplicate",
                    {"column": label, "first": labels[first_seen[key]]},
                )
            )
            continue
        first_seen[key] = i
        (layout.contract if kind == "contract" else layout.criteria)[key] = i
    for key in CONTRACT:
        if key not in layout.contract:
            problems.append(ImportProblem(1, key, "", "column.missing", {"column": key}))
    for c in fw.criteria():
        if c.code not in layout.criteria:
            problems.append(ImportProblem(1, c.code, "", "column.missing", {"column": c.code}))
    if problems:
        raise ImportRefused(problems)
    return layout


# ---------------------------------------------------------------- answer cells

Parsed = tuple[object, str | None, dict[str, object]]  # (value | None, problem code, params)


def parse_answer(c: Criterion, raw: str) -> Parsed:
    """A cell as an answer value (None = unanswered) or a problem code with its params."""
    text = clean(raw)
    if not text:
        return None, None, {}
    q = c.question
    if q.type == "single":
        if text in q.option_index:
            return text, None, {}
        lowered = {k.lower(): k for k in q.option_index}
        if text.lower() in lowered:
            return lowered[text.lower()], None, {}
        return None, "answer.unknown_option_list", {"allowed": ", ".join(q.option_index)}
    if q.type == "multi":
        items = text.replace(";", " ").split()
        lowered = {k.lower(): k for k in q.option_index}
        chosen: list[str] = []
        for item in items:
            code = item if item in q.option_index else lowered.get(item.lower())
            if code is None:
                return (
                    None,
                    "answer.unknown_option_list",
                    {
                        "allowed": ", ".join(q.option_index),
                        "value": repr(item),
                    },
                )
            if code in chosen:
                return None, "answer.duplicate_option", {"value": repr(code)}
            chosen.append(code)
        if len(chosen) > 1:
            for code in chosen:
                if q.options[q.option_index[code]].exclusive:
                    return None, "answer.exclusive_combined", {"value": repr(code)}
        return chosen, None, {}
    if q.type == "boolean":
        value = BOOLEANS.get(fold(text))
        if value is None:
            return None, "answer.bad_boolean", {}
        return bool(value), None, {}
    number = parse_number(text)
    if number is None:
        return None, "answer.bad_number", {}
    lo = q.min if q.min is not None else -math.inf
    hi = q.max if q.max is not None else math.inf
    if not lo <= number <= hi:
        return None, "answer.out_of_range", {"min": f"{lo:g}", "max": f"{hi:g}"}
    return number, None, {}


def parse_number(text: str) -> float | None:
    """A finite decimal number; a single comma is read as the decimal separator."""
    text = text.replace("\u00a0", "").replace(" ", "")
    if _COMMA_DECIMAL.match(text):
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def allowed_values(c: Criterion) -> str:
    """What a cell of this criterion may hold, for the template's second sheet."""
    q = c.question
    if q.type in ("single", "multi"):
        return ", ".join(q.option_index)
    if q.type == "boolean":
        return "1/0, có/không, yes/no, true/false"
    lo = "" if q.min is None else f"{q.min:g}"
    hi = "" if q.max is None else f"{q.max:g}"
    return f"[{lo}, {hi}]" if lo or hi else ""
