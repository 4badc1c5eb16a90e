"""Typed field readers that record problems with their path (used by the validator)."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from .messages import Problem, type_name
from .model import LocalText

TEXT_KEYS = {"vi", "en"}


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class FieldReader:
    """Reads typed values out of plain data, collecting every problem."""

    def __init__(self, source_name: str, lines: Mapping[str, int]) -> None:
        self.source_name = source_name
        self.lines = lines
        self.problems: list[Problem] = []

    # -- reporting

    def add(self, path: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.source_name, path, code, params, self._line(path)))

    def _line(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    # -- primitives

    def mapping(
        self,
        value: Any,
        path: str,
        allowed: set[str],
        required: Collection[str] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, "type.wrong", expected="mapping", got=type_name(value))
            return None
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
                self.add(
                    join(path, key), "key.unknown", key=key, suggestion=close[0] if close else ""
                )
        for key in sorted(required):
            if key not in value:
                self.add(join(path, key), "key.missing", key=key)
        return value

    def string(
        self, value: Any, path: str, pattern: re.Pattern[str] | None = None, rule: str = ""
    ) -> str | None:
        if isinstance(value, bool):
            self.add(path, "type.yaml_bool")
            return None
        if not isinstance(value, str):
            self.add(path, "type.wrong", expected="string", got=type_name(value))
            return None
        value = unicodedata.normalize("NFC", value).strip()
        if pattern is not None and not pattern.fullmatch(value):
            self.add(path, "code.bad_format", value=value, rule=rule or pattern.pattern)
            return None
        return value

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, "type.wrong", expected="number", got=type_name(value))
            return None
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int of more than about 309 digits
            self.add(path, "number.too_large")
            return None
        if not finite:
            self.add(path, "number.not_finite")
            return None
        return float(value)

    def score(self, value: Any, path: str) -> float | None:
        num = self.number(value, path)
        if num is not None and not 0 <= num <= 100:
            self.add(path, "score.out_of_range", value=value)
            return None
        return num

    def weight(self, value: Any, path: str) -> float | None:
        num = self.number(value, path)
        if num is not None and num <= 0:
            self.add(path, "weight.not_positive", value=value)
            return None
        return num

    def integer(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "type.wrong", expected="integer", got=type_name(value))
            return None
        return value

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(path, "type.wrong", expected="boolean", got=type_name(value))
            return None
        return value

    def text(self, value: Any, path: str) -> LocalText | None:
        m = self.mapping(value, path, TEXT_KEYS)
        if m is None:
            return None
        if "vi" not in m:
            self.add(join(path, "vi"), "text.missing_vi")
            return None
        vi = self.string(m["vi"], join(path, "vi"))
        en = self.string(m["en"], join(path, "en")) if m.get("en") is not None else ""
        if vi is not None and not vi:
            self.add(join(path, "vi"), "text.empty")
            return None
        if vi is None or en is None:
            return None
        return LocalText(vi, en)

    def opt_text(self, m: Mapping[str, Any], key: str, path: str) -> LocalText | None:
        return self.text(m[key], join(path, key)) if m.get(key) is not None else None

    def seq(self, value: Any, path: str, nonempty: bool = True) -> list[Any]:
        if not isinstance(value, list):
            self.add(path, "type.wrong", expected="list", got=type_name(value))
            return []
        if nonempty and not value:
            self.add(path, "list.empty")
        return value
