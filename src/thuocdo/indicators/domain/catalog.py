"""The built-in strategy indicator set: loading, target texts and history series.

``load_builtin()`` reads ``indicators/builtin/indicators.yaml`` into typed records.
``parse_target_text()`` reads a target as written in the documents ("Trên 10%", "Tối thiểu
10%", "khoảng 6%", "≥ 20%", "đạt trên 0,7") into a value and comparator.

Run ``python -m thuocdo.indicators.domain.catalog backtest`` for the forecast backtest over the
built-in series, or ``… catalog forecast`` for each indicator's 2025 verdict.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from thuocdo.indicators.domain.forecast import (
    BacktestReport,
    Forecast,
    Target,
    backtest,
    forecast_to_target,
)
from thuocdo.indicators.domain.validation import UnitSpec

BUILTIN_PATH = Path(__file__).resolve().parent.parent / "builtin" / "indicators.yaml"

# The numbered rows of Decision 466 §II.1 (seed 001): 6 digital-economy + 11 digital-society.
SEED001_ROWS: tuple[str, ...] = (
    *(f"1.{i}" for i in range(1, 7)),
    *(f"2.{i}" for i in range(1, 12)),
)
COMPARATORS = (">=", ">", "<=", "<", "~")


class CatalogError(ValueError):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


# --------------------------------------------------------------------------- target texts

_KEYWORDS: tuple[tuple[str, str | None], ...] = (
    (r"tối thiểu|ít nhất|at least|không dưới|≥|>=", ">="),
    (r"tối đa|không quá|at most|≤|<=", "<="),
    (r"trên|hơn|more than|above|>", ">"),
    (r"dưới|less than|below|<", "<"),
    (r"khoảng|xấp xỉ|about|around|~|≈", "~"),
    (r"đạt", None),
)
_NUMBER = r"\d+(?:[.,]\d+)*"


def parse_number(text: str) -> float:
    """A number as written in the documents: ``0,7`` and ``14,26`` use a decimal comma,
    ``74.63`` a decimal point, ``1.000`` is a thousands separator."""
    s = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        return float(s.replace(".", ""))
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    else:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError as exc:
        raise CatalogError(f"Không đọc được số '{text}'", f"Cannot read number '{text}'") from exc


def parse_target_text(text: str) -> tuple[float, str | None]:
    """``(value, comparator)`` from a target text; comparator ``None`` when the text states a
    bare level ("80%", "đạt 80%"), which the indicator's direction then qualifies."""
    low = text.lower()
    best: tuple[int, str | None, int] | None = None  # (position, comparator, end)
    for pattern, comp in _KEYWORDS:
        for m in re.finditer(pattern, low):
            if best is None or m.start() > best[0]:
                best = (m.start(), comp, m.end())
    if best is not None:
        number = re.compile(_NUMBER).search(low, best[2])
        if number:
            return parse_number(number.group(0)), best[1]
    numbers = re.findall(_NUMBER + r"\s*%", low) or re.findall(_NUMBER, low)
    if not numbers:
        raise CatalogError(
            f"Không tìm thấy giá trị trong chỉ tiêu '{text}'", f"No value in target '{text}'"
        )
    return parse_number(numbers[-1].rstrip("% ").strip()), None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class YearValue:
    year: int
    value: float | None
    text: str = ""
    status: str = ""
    comparator: str | None = None
    note: str = ""


@dataclass(frozen=True)
class TargetSpec:
    year: int
    value: float
    comparator: str
    text: str
    origin: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_vi: str
    name_en: str
    unit: UnitSpec
    direction: str
    scope: tuple[str, ...]
    responsible_unit: str | None
    reporting_unit: str | None
    seed001_row: str | None
    parent: str | None
    values: Mapping[int, YearValue]
    plans: Mapping[int, YearValue]
    targets: Mapping[int, TargetSpec]
    origin: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False)

    def target(self, year: int) -> Target:
        spec = self.targets[year]
        return Target(
            year=year,
            value=spec.value,
            direction="lower" if self.direction == "lower" else "higher",
            comparator=spec.comparator,
        )

    def history(self) -> list[tuple[int, float]]:
        """Known values, then plan values for the years without one (estimates and plans)."""
        out = {y: v.value for y, v in self.plans.items() if v.value is not None}
        out.update({y: v.value for y, v in self.values.items() if v.value is not None})
        return sorted(out.items())


@dataclass(frozen=True)
class Catalog:
    source: Mapping[str, Any]
    indicators: tuple[IndicatorSpec, ...]
    reporting: Mapping[str, Any]

    def by_code(self) -> dict[str, IndicatorSpec]:
        return {i.code: i for i in self.indicators}

    def seed001_indicators(self) -> list[IndicatorSpec]:
        return [i for i in self.indicators if i.seed001_row in SEED001_ROWS]


def _year_values(data: Mapping[Any, Any] | None, code: str, what: str) -> dict[int, YearValue]:
    out: dict[int, YearValue] = {}
    for year, item in (data or {}).items():
        if not isinstance(item, Mapping):
            raise CatalogError(
                f"{code}: {what} {year} phải là một bảng (value, text…)",
                f"{code}: {what} {year} must be a mapping (value, text…)",
            )
        value = item.get("value")
        out[int(year)] = YearValue(
            year=int(year),
            value=None if value is None else float(value),
            text=str(item.get("text", "")),
            status=str(item.get("status", "")),
            comparator=item.get("comparator"),
            note=str(item.get("note", "")),
        )
    return out


def _targets(data: Mapping[Any, Any] | None, code: str) -> dict[int, TargetSpec]:
    out: dict[int, TargetSpec] = {}
    for year, item in (data or {}).items():
        comp = item.get("comparator")
        if comp not in COMPARATORS:
            raise CatalogError(
                f"{code}: phép so sánh của chỉ tiêu {year} không hợp lệ: {comp!r}",
                f"{code}: invalid comparator for the {year} target: {comp!r}",
            )
        if item.get("value") is None or not item.get("text"):
            raise CatalogError(
                f"{code}: chỉ tiêu {year} cần value và text",
                f"{code}: the {year} target needs value and text",
            )
        out[int(year)] = TargetSpec(
            year=int(year),
            value=float(item["value"]),
            comparator=str(comp),
            text=str(item["text"]),
            origin=tuple(item.get("origin") or ()),
        )
    return out


def load_builtin(path: Path | str | None = None) -> Catalog:
    """Load and check the built-in indicator set."""
    p = Path(path) if path is not None else BUILTIN_PATH
    with p.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, Mapping) or "source" not in data or "indicators" not in data:
        raise CatalogError(
            "Tệp chỉ tiêu cần có 'source' và 'indicators'",
            "The indicator file needs 'source' and 'indicators'",
        )
    records: list[IndicatorSpec] = []
    seen: set[str] = set()
    for raw in data["indicators"]:
        code = str(raw["code"])
        if code in seen:
            raise CatalogError(f"Mã chỉ tiêu bị lặp: {code}", f"Duplicate indicator code: {code}")
        seen.add(code)
        direction = raw.get("direction")
        if direction not in ("higher", "lower"):
            raise CatalogError(
                f"{code}: direction phải là higher hoặc lower",
                f"{code}: direction must be higher or lower",
            )
        if not raw.get("origin"):
            raise CatalogError(f"{code}: thiếu origin", f"{code}: origin missing")
        records.append(
            IndicatorSpec(
                code=code,
                name_vi=str(raw["name"]["vi"]),
                name_en=str(raw["name"]["en"]),
                unit=UnitSpec.from_mapping(raw["unit"]),
                direction=str(direction),
                scope=tuple(raw.get("scope") or ()),
                responsible_unit=raw.get("responsible_unit"),
                reporting_unit=raw.get("reporting_unit"),
                seed001_row=raw.get("seed001_row"),
                parent=raw.get("parent"),
                values=_year_values(raw.get("values"), code, "values"),
                plans=_year_values(raw.get("plans"), code, "plans"),
                targets=_targets(raw.get("targets"), code),
                origin=tuple(raw["origin"]),
                raw=raw,
            )
        )
    codes = {r.code for r in records}
    for r in records:
        if r.parent is not None and r.parent not in codes:
            raise CatalogError(
                f"{r.code}: chỉ tiêu cha '{r.parent}' không tồn tại",
                f"{r.code}: parent '{r.parent}' does not exist",
            )
    return Catalog(
        source=data["source"], indicators=tuple(records), reporting=data.get("reporting", {})
    )


# --------------------------------------------------------------------------- series


def history_series(catalog: Catalog) -> tuple[dict[str, list[tuple[int, float]]], dict[str, str]]:
    """Series for forecasting and the backtest, with a note saying what each one is.

    Where a published series of real values exists (the digital-economy share) it is used, one
    series per publisher, never mixed. Elsewhere the only numbers are the 2022 estimate and the
    2023/2024 plans, so those stand in for history.
    """
    series: dict[str, list[tuple[int, float]]] = {}
    notes: dict[str, str] = {}
    for ind in catalog.indicators:
        published = ind.raw.get("published_series") or {}
        if published:
            for name, block in published.items():
                key = f"{ind.code}[{name}]"
                series[key] = sorted((int(y), float(v)) for y, v in block["values"].items())
                notes[key] = f"published series ({block.get('method', name)})"
            continue
        hist = ind.history()
        if hist:
            series[ind.code] = hist
            kinds = []
            if ind.values:
                kinds.append("2022 estimate")
            if any(v.value is not None for v in ind.plans.values()):
                kinds.append("plans")
            notes[ind.code] = " + ".join(kinds) + " (no measured values)"
    return series, notes


def builtin_backtest(catalog: Catalog | None = None) -> BacktestReport:
    cat = catalog or load_builtin()
    series, notes = history_series(cat)
    return backtest(series, notes=notes)


def builtin_forecasts(catalog: Catalog | None = None, year: int = 2025) -> dict[str, Forecast]:
    """The verdict for each indicator's ``year`` target from its built-in series."""
    cat = catalog or load_builtin()
    series, _ = history_series(cat)
    out: dict[str, Forecast] = {}
    for ind in cat.indicators:
        if year not in ind.targets:
            continue
        key = next((k for k in series if k == ind.code or k.startswith(ind.code + "[")), None)
        if key is None:
            continue
        out[key] = forecast_to_target(series[key], ind.target(year), bounds=ind.unit.bounds)
    return out


def summary_lines(catalog: Catalog) -> list[str]:
    """Indicator counts by origin."""
    inds = catalog.indicators
    seed000 = [i for i in inds if any(o.startswith("seed-000") for o in i.origin)]
    seed000_new = [i for i in seed000 if i.seed001_row is None]
    t2030 = [i for i in inds if 2030 in i.targets]
    t2030_411 = [i for i in t2030 if "qd-411-2022" in i.targets[2030].origin]
    return [
        f"indicators: {len(inds)}",
        f"  seed 001 §II.1 numbered rows: {len(catalog.seed001_indicators())}",
        f"  seed 001 §II.1 sub-indicators: {sum(1 for i in inds if i.parent)}",
        f"  seed 000 §II targets: {len(seed000)} "
        f"({len(seed000) - len(seed000_new)} merged with §II.1, {len(seed000_new)} new)",
        f"  2030 targets: {len(t2030)} (from Decision 411: {len(t2030_411)})",
        f"  2025 targets: {sum(1 for i in inds if 2025 in i.targets)}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m thuocdo.indicators.domain.catalog",
        description="Built-in strategy indicators: backtest and 2025 verdicts",
    )
    parser.add_argument("command", choices=["backtest", "forecast", "summary"])
    args = parser.parse_args(argv)
    cat = load_builtin()
    if args.command == "backtest":
        series, notes = history_series(cat)
        print("All built-in series:")
        print(backtest(series, notes=notes).to_text())
        published = {k: v for k, v in series.items() if "[" in k}
        print("\nPublished series only (real values, no plans):")
        print(backtest(published, notes=notes).to_text())
    elif args.command == "forecast":
        for key, fc in builtin_forecasts(cat).items():
            print(
                f"{key:30} {fc.method:7} 2025≈{fc.value:6.2f} "
                f"[{fc.lower:6.2f}, {fc.upper:6.2f}] target {fc.target.comparator}"
                f"{fc.target.value:g}  p={fc.p_meet:.2f}  {fc.verdict}"
            )
    else:
        for line in summary_lines(cat):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
