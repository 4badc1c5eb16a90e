"""Checks on a submitted indicator value: unit, kind and possible range.

Errors stop a submission; warnings are shown to the person submitting and kept with the value.
Every issue has a stable ``code``, the field concerned and a Vietnamese and English message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

Severity = Literal["error", "warning"]


class UnitKind(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    MONEY = "money"
    INDEX = "index"
    RATE = "rate"


KIND_LABELS: dict[UnitKind, tuple[str, str]] = {
    UnitKind.PERCENT: ("tỷ lệ phần trăm", "percentage"),
    UnitKind.COUNT: ("số lượng", "count"),
    UnitKind.MONEY: ("giá trị tiền", "money amount"),
    UnitKind.INDEX: ("chỉ số/điểm", "index or score"),
    UnitKind.RATE: ("tỷ suất (trên dân số…)", "rate (per population…)"),
}

_UNIT_ALIASES = {
    "%": "%",
    "percent": "%",
    "pct": "%",
    "phần trăm": "%",
    "phan tram": "%",
}


def normalise_unit(symbol: str) -> str:
    s = " ".join(symbol.strip().lower().split())
    return _UNIT_ALIASES.get(s, s)


@dataclass(frozen=True)
class UnitSpec:
    symbol: str
    kind: UnitKind
    min: float | None = None
    max: float | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> UnitSpec:
        """Build from the ``unit`` mapping of the built-in data; percentages default to 0–100,
        counts, money and rates to a minimum of 0."""
        try:
            kind = UnitKind(str(data["kind"]))
        except (KeyError, ValueError) as exc:
            raise ValueError(
                f"Loại đơn vị không hợp lệ: {data.get('kind')!r} / Invalid unit kind: "
                f"{data.get('kind')!r} (percent, count, money, index, rate)"
            ) from exc
        lo = data.get("min")
        hi = data.get("max")
        if kind is UnitKind.PERCENT:
            lo = 0.0 if lo is None else lo
            hi = 100.0 if hi is None else hi
        elif kind in (UnitKind.COUNT, UnitKind.RATE) and lo is None:
            lo = 0.0
        return cls(
            symbol=str(data.get("symbol", "%" if kind is UnitKind.PERCENT else "")),
            kind=kind,
            min=None if lo is None else float(lo),
            max=None if hi is None else float(hi),
        )

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        return self.min, self.max


@dataclass(frozen=True)
class Issue:
    code: str
    severity: Severity
    field: str
    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


def _fmt(v: float) -> str:
    return f"{v:g}"


def validate_value(
    value: object,
    spec: UnitSpec,
    *,
    unit: str | None = None,
    kind: str | UnitKind | None = None,
    previous: float | None = None,
    field: str = "value",
    jump_pp: float = 25.0,
    jump_ratio: float = 2.0,
) -> list[Issue]:
    """Check ``value`` against the indicator's ``spec``.

    ``unit`` and ``kind`` are what the submitter declared (if anything); ``previous`` is the
    last accepted value, used for the warnings about fractions typed as percentages and about
    implausible jumps (more than ``jump_pp`` percentage points, or a factor ``jump_ratio`` for
    other kinds).
    """
    issues: list[Issue] = []
    if unit is not None and normalise_unit(unit) != normalise_unit(spec.symbol):
        issues.append(
            Issue(
                "unit-mismatch",
                "error",
                "unit",
                f"Đơn vị '{unit}' không khớp với đơn vị của chỉ tiêu '{spec.symbol}'",
                f"Unit '{unit}' does not match the indicator's unit '{spec.symbol}'",
            )
        )
    if kind is not None:
        try:
            declared: UnitKind | None = UnitKind(str(kind))
        except ValueError:
            declared = None
        if declared is not spec.kind:
            vi_label, en_label = KIND_LABELS[spec.kind]
            issues.append(
                Issue(
                    "kind-mismatch",
                    "error",
                    "kind",
                    f"Loại giá trị '{kind}' không khớp: chỉ tiêu này là {vi_label}",
                    f"Value kind '{kind}' does not match: this indicator is a {en_label}",
                )
            )
    if isinstance(value, bool) or not isinstance(value, int | float):
        issues.append(
            Issue(
                "not-a-number",
                "error",
                field,
                f"Giá trị phải là số, nhận được {value!r}",
                f"The value must be a number, got {value!r}",
            )
        )
        return issues
    v = float(value)
    if not math.isfinite(v):
        issues.append(
            Issue(
                "not-finite",
                "error",
                field,
                "Giá trị phải là số hữu hạn",
                "The value must be a finite number",
            )
        )
        return issues

    percent = spec.kind is UnitKind.PERCENT
    if spec.min is not None and v < spec.min:
        if percent or spec.kind in (UnitKind.COUNT, UnitKind.RATE):
            issues.append(
                Issue(
                    "negative" if spec.min == 0 else "below-minimum",
                    "error",
                    field,
                    f"Giá trị {_fmt(v)} nhỏ hơn mức tối thiểu có thể {_fmt(spec.min)}"
                    + (" (tỷ lệ không thể âm)" if percent and spec.min == 0 else ""),
                    f"Value {_fmt(v)} is below the possible minimum {_fmt(spec.min)}"
                    + (" (a share cannot be negative)" if percent and spec.min == 0 else ""),
                )
            )
        else:
            issues.append(
                Issue(
                    "below-minimum",
                    "warning",
                    field,
                    f"Giá trị {_fmt(v)} nhỏ hơn mức tối thiểu dự kiến {_fmt(spec.min)}",
                    f"Value {_fmt(v)} is below the expected minimum {_fmt(spec.min)}",
                )
            )
    if spec.max is not None and v > spec.max:
        issues.append(
            Issue(
                "above-maximum",
                "error",
                field,
                f"Giá trị {_fmt(v)} vượt mức tối đa có thể {_fmt(spec.max)}"
                + (" (tỷ lệ không thể vượt quá 100%)" if percent and spec.max == 100 else ""),
                f"Value {_fmt(v)} is above the possible maximum {_fmt(spec.max)}"
                + (" (a share cannot exceed 100%)" if percent and spec.max == 100 else ""),
            )
        )
    if spec.kind is UnitKind.COUNT and not v.is_integer():
        issues.append(
            Issue(
                "count-not-integer",
                "error",
                field,
                f"Số lượng phải là số nguyên, nhận được {_fmt(v)}",
                f"A count must be a whole number, got {_fmt(v)}",
            )
        )
    if spec.kind is UnitKind.MONEY and v < 0 and spec.min is None:
        issues.append(
            Issue(
                "negative-money",
                "warning",
                field,
                f"Giá trị tiền âm ({_fmt(v)}); kiểm tra lại nếu không phải số lỗ",
                f"Negative money amount ({_fmt(v)}); check unless it is a loss",
            )
        )
    if previous is not None and math.isfinite(previous):
        if percent and 0 < v <= 1 and previous >= 5:
            issues.append(
                Issue(
                    "looks-like-fraction",
                    "warning",
                    field,
                    f"Giá trị {_fmt(v)} có thể là phân số thay vì phần trăm "
                    f"(kỳ trước {_fmt(previous)}%); ví dụ 0,45 phải nhập là 45",
                    f"Value {_fmt(v)} may be a fraction instead of a percentage "
                    f"(previous {_fmt(previous)}%); e.g. enter 0.45 as 45",
                )
            )
        elif percent and abs(v - previous) > jump_pp:
            issues.append(
                Issue(
                    "large-jump",
                    "warning",
                    field,
                    f"Thay đổi {_fmt(v - previous)} điểm phần trăm so với kỳ trước; kiểm tra lại",
                    f"Change of {_fmt(v - previous)} percentage points from the previous "
                    "period; please check",
                )
            )
        elif not percent and previous > 0 and v > 0:
            ratio = max(v / previous, previous / v)
            if ratio > jump_ratio:
                issues.append(
                    Issue(
                        "large-jump",
                        "warning",
                        field,
                        f"Giá trị thay đổi {ratio:.1f} lần so với kỳ trước; kiểm tra lại",
                        f"Value changed by a factor of {ratio:.1f} from the previous period; "
                        "please check",
                    )
                )
    return issues
