"""Build a Framework from plain data, collecting every problem with its path.

Code formats: the set's code is ``[a-z0-9][a-z0-9-]*``; pillar, option, sector and entity-type
codes are ``[a-z0-9][a-z0-9_-]*``; solution tags ``[a-z0-9][a-z0-9-]*``; criterion codes are
identifiers ``[A-Za-z][A-Za-z0-9_]*`` (at most 32 characters, case-sensitive, not one of the
condition keywords) so that conditions can name them. Level codes are the integers 0, 1, 2, …
in order, so that a gate's ``required_for_level - 1`` is always a level.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from . import expr
from .fields import FieldReader, join
from .messages import FrameworkInvalid, Problem, type_name
from .model import (
    MAX_MULTI_OPTIONS,
    MAX_SINGLE_OPTIONS,
    QUESTION_TYPES,
    Criterion,
    Framework,
    Level,
    Option,
    Pillar,
    Question,
    Threshold,
)

SET_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TAG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CRITERION_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,31}")

FRAMEWORK_KEYS = {
    "code", "version", "name", "sector", "entity_types", "source", "description", "levels", "pillars",
    "points",
}  # fmt: skip
LEVEL_KEYS = {
    "code", "name", "min", "min_pillars", "pillar_min", "description", "compare", "pillar_compare",
}  # fmt: skip
COMPARISONS = {">": True, ">=": False}  # the YAML spelling → strict
PILLAR_KEYS = {"code", "name", "weight", "criteria", "description"}
CRITERION_KEYS = {
    "code", "name", "weight", "required", "relevant", "target", "required_for_level",
    "solution_tags", "description", "question", "unanswered_as_zero",
}  # fmt: skip
QUESTION_KEYS = {
    "type", "text", "help", "options", "yes_score", "no_score", "thresholds", "min", "max", "unit",
}  # fmt: skip
TYPE_KEYS = {
    "single": {"options"},
    "multi": {"options"},
    "boolean": {"yes_score", "no_score"},
    "number": {"thresholds", "min", "max", "unit"},
    "scale": {"min", "max"},
}
OPTION_KEYS = {"code", "text", "score", "exclusive"}
THRESHOLD_KEYS = {"min", "score"}


class _Builder(FieldReader):
    # -- framework

    def framework(self, data: Any) -> Framework | None:
        if not isinstance(data, dict):
            self.add("", "root.not_mapping", got=type_name(data))
            return None
        m = self.mapping(data, "", FRAMEWORK_KEYS, {"code", "version", "name", "levels", "pillars"})
        assert m is not None
        code = self.string(m.get("code"), "code", SET_CODE, "[a-z0-9-]+") if "code" in m else None
        version = None
        if "version" in m:
            if isinstance(m["version"], str):
                version = self.string(m["version"], "version", VERSION, "[0-9A-Za-z._+-]+")
            else:
                self.add("version", "version.not_string", got=type_name(m["version"]))
        name = self.text(m["name"], "name") if "name" in m else None
        sector = "general"
        if "sector" in m:
            sector = self.string(m["sector"], "sector", SLUG, "[a-z0-9_-]+") or "general"
        entity_types: list[str] = []
        for i, item in enumerate(self.seq(m.get("entity_types", []), "entity_types", False)):
            et = self.string(item, join("entity_types", i), SLUG, "[a-z0-9_-]+")
            if et is not None:
                entity_types.append(et)
        source = ""
        if m.get("source") is not None:
            source = self.string(m["source"], "source") or ""
        description = self.opt_text(m, "description", "")
        points = None
        if m.get("points") is not None:
            points = self.number(m["points"], "points")
            if points is not None and points <= 0:
                self.add("points", "points.not_positive", value=m["points"])
                points = None
        raw_pillars = self.seq(m.get("pillars", []), "pillars") if "pillars" in m else []
        levels, level_codes = (
            self.levels(m["levels"], len(raw_pillars)) if "levels" in m else ([], set())
        )
        pillars = self.pillars(raw_pillars, level_codes)
        if self.problems or code is None or version is None or name is None:
            return None
        return Framework(
            code=code,
            version=version,
            name=name,
            levels=tuple(levels),
            pillars=tuple(pillars),
            sector=sector,
            entity_types=tuple(entity_types),
            source=source,
            description=description,
            points=points,
            source_name=self.source_name,
        )

    def levels(self, value: Any, n_pillars: int) -> tuple[list[Level], set[int]]:
        """The levels, and every valid integer code seen (also of a level with another
        problem, so that a gate naming it gets no spurious gate.unknown_level)."""
        out: list[Level] = []
        seen: set[int] = set()
        prev_code: int | None = None
        prev_min: float | None = None
        for i, raw in enumerate(self.seq(value, "levels")):
            path = join("levels", i)
            m = self.mapping(raw, path, LEVEL_KEYS, {"code", "name", "min"})
            if m is None:
                continue
            code = self.integer(m["code"], join(path, "code")) if "code" in m else None
            name = self.text(m["name"], join(path, "name")) if "name" in m else None
            lmin = self.number(m["min"], join(path, "min")) if "min" in m else None
            if lmin is not None and not 0 <= lmin <= 100:
                self.add(join(path, "min"), "level.min_out_of_range", value=m["min"])
            if code is not None:
                if code in seen:
                    self.add(join(path, "code"), "level.duplicate_code", value=code)
                elif i == 0 and code != 0:
                    self.add(join(path, "code"), "level.first_not_zero")
                elif i > 0 and prev_code is not None and code != prev_code + 1:
                    self.add(
                        join(path, "code"),
                        "level.code_not_consecutive",
                        value=code,
                        expected=prev_code + 1,
                    )
                seen.add(code)
                prev_code = code
            if lmin is not None:
                if i == 0 and lmin != 0:
                    self.add(join(path, "min"), "level.first_not_zero")
                elif prev_min is not None and lmin <= prev_min:
                    self.add(
                        join(path, "min"),
                        "level.min_not_increasing",
                        value=m["min"],
                        previous=prev_min,
                    )
                prev_min = lmin
            min_pillars = pillar_min = None
            if m.get("min_pillars") is not None:
                min_pillars = self.integer(m["min_pillars"], join(path, "min_pillars"))
                if min_pillars is not None and not 1 <= min_pillars <= max(n_pillars, 1):
                    self.add(
                        join(path, "min_pillars"),
                        "level.min_pillars_out_of_range",
                        value=min_pillars,
                        pillars=n_pillars,
                    )
            if m.get("pillar_min") is not None:
                pillar_min = self.score(m["pillar_min"], join(path, "pillar_min"))
                if m.get("min_pillars") is None:
                    self.add(join(path, "pillar_min"), "level.pillar_min_without_min_pillars")
            if i == 0 and (m.get("min_pillars") is not None or m.get("pillar_min") is not None):
                self.add(path, "level.zero_has_conditions")
            strict = self.comparison(m, "compare", path)
            pillar_strict = self.comparison(m, "pillar_compare", path)
            if i == 0 and (m.get("compare") is not None or m.get("pillar_compare") is not None):
                self.add(path, "level.zero_has_conditions")
            description = self.opt_text(m, "description", path)
            if code is not None and name is not None and lmin is not None:
                out.append(
                    Level(
                        code,
                        name,
                        lmin,
                        min_pillars,
                        pillar_min,
                        description,
                        strict=strict,
                        pillar_strict=pillar_strict,
                    )
                )
        return out, seen

    def comparison(self, m: Mapping[str, Any], key: str, path: str) -> bool:
        """``compare`` / ``pillar_compare``: ``">"`` is strict, ``">="`` (the default) is not."""
        value = m.get(key)
        if value is None:
            return False
        if not isinstance(value, str) or value.strip() not in COMPARISONS:
            self.add(join(path, key), "level.bad_compare", value=value)
            return False
        return COMPARISONS[value.strip()]

    def pillars(self, raw_pillars: list[Any], level_codes: set[int]) -> list[Pillar]:
        # every criterion code in file order, to tell forward references from unknown ones
        order: list[str] = []
        for p in raw_pillars:
            if isinstance(p, dict) and isinstance(p.get("criteria"), list):
                for c in p["criteria"]:
                    if isinstance(c, dict) and isinstance(c.get("code"), str):
                        order.append(unicodedata.normalize("NFC", c["code"]).strip())
        self._later = set(order)
        self._known: dict[str, expr.RefInfo] = {}
        self._first_seen: dict[str, str] = {}
        self._level_codes = level_codes
        out: list[Pillar] = []
        pillar_seen: dict[str, str] = {}
        for i, raw in enumerate(raw_pillars):
            path = join("pillars", i)
            m = self.mapping(raw, path, PILLAR_KEYS, {"code", "name", "criteria"})
            if m is None:
                continue
            code = (
                self.string(m["code"], join(path, "code"), SLUG, "[a-z0-9_-]+")
                if "code" in m
                else None
            )
            if code is not None:
                if code in pillar_seen:
                    self.add(
                        join(path, "code"),
                        "pillar.duplicate_code",
                        value=code,
                        first=pillar_seen[code],
                    )
                else:
                    pillar_seen[code] = join(path, "code")
            name = self.text(m["name"], join(path, "name")) if "name" in m else None
            weight = self.weight(m["weight"], join(path, "weight")) if "weight" in m else 1.0
            criteria: list[Criterion] = []
            raw_criteria = (
                self.seq(m["criteria"], join(path, "criteria")) if "criteria" in m else []
            )
            for j, raw_c in enumerate(raw_criteria):
                crit = self.criterion(raw_c, join(join(path, "criteria"), j))
                if crit is not None:
                    criteria.append(crit)
            description = self.opt_text(m, "description", path)
            if code is not None and name is not None and weight is not None:
                out.append(Pillar(code, name, weight, tuple(criteria), description))
        return out

    def criterion(self, raw: Any, path: str) -> Criterion | None:
        m = self.mapping(raw, path, CRITERION_KEYS, {"code", "name", "question"})
        if m is None:
            return None
        code = None
        if "code" in m:
            code = self.string(m["code"], join(path, "code"), CRITERION_CODE, "A-Z a-z 0-9 _")
            if code is not None and code in expr.KEYWORDS:
                self.add(join(path, "code"), "code.bad_format", value=code, rule="A-Z a-z 0-9 _")
                code = None
        if code is not None:
            self._later.discard(code)
            if code in self._first_seen:
                first = self._first_seen[code]
                self.add(join(path, "code"), "criterion.duplicate_code", value=code, first=first)
            else:
                self._first_seen[code] = join(path, "code")
        name = self.text(m["name"], join(path, "name")) if "name" in m else None
        weight = self.weight(m["weight"], join(path, "weight")) if "weight" in m else 1.0
        required = self.boolean(m["required"], join(path, "required")) if "required" in m else True
        as_zero: bool | None = False
        if m.get("unanswered_as_zero") is not None:
            as_zero = self.boolean(m["unanswered_as_zero"], join(path, "unanswered_as_zero"))
        target: float | None = 100.0
        if "target" in m:
            target = self.number(m["target"], join(path, "target"))
            if target is not None and not 0 < target <= 100:
                self.add(join(path, "target"), "target.out_of_range", value=m["target"])
                target = None
        gate = None
        if m.get("required_for_level") is not None:
            gpath = join(path, "required_for_level")
            gate = self.integer(m["required_for_level"], gpath)
            if gate is not None and gate < 1:
                self.add(gpath, "gate.level_zero")
            elif gate is not None and gate not in self._level_codes:
                self.add(gpath, "gate.unknown_level", value=gate)
        tags: list[str] = []
        for k, tag in enumerate(
            self.seq(m.get("solution_tags", []), join(path, "solution_tags"), False)
        ):
            t = self.string(tag, join(join(path, "solution_tags"), k), TAG, "[a-z0-9-]+")
            if t is not None:
                tags.append(t)
        relevant = None
        if m.get("relevant") is not None:
            relevant = self.condition(m["relevant"], join(path, "relevant"), code or "")
        description = self.opt_text(m, "description", path)
        question = self.question(m["question"], join(path, "question")) if "question" in m else None
        if code is not None and code not in self._known:
            # a criterion whose question is broken is still known (its type is not): "?"
            self._known[code] = (
                expr.RefInfo(question.type, tuple(o.code for o in question.options))
                if question is not None
                else expr.RefInfo("?")
            )
        if None in (code, name, weight, required, target, question, as_zero):
            return None
        assert code is not None
        assert name is not None
        assert question is not None
        assert weight is not None
        assert required is not None
        assert target is not None
        return Criterion(
            code=code,
            name=name,
            question=question,
            weight=weight,
            required=required,
            relevant=relevant,
            target=target,
            required_for_level=gate,
            solution_tags=tuple(tags),
            description=description,
            unanswered_as_zero=bool(as_zero),
        )

    def condition(self, value: Any, path: str, self_code: str) -> expr.Condition | None:
        if not isinstance(value, str):
            self.add(path, "type.wrong", expected="condition", got=type_name(value))
            return None
        source = unicodedata.normalize("NFC", value)
        try:
            cond = expr.parse(source)
        except expr.ExprError as exc:
            self._expr_problem(path, exc, source)
            return None
        errors = expr.check(cond, self._known, self_code, self._later)
        for error in errors:
            self._expr_problem(path, error, source)
        return None if errors else cond

    def _expr_problem(self, path: str, exc: expr.ExprError, source: str) -> None:
        self.problems.append(
            Problem(
                self.source_name,
                path,
                exc.code,
                {**exc.params, "position": exc.pos, "condition": source},
                self._line(path),
            )
        )

    def question(self, raw: Any, path: str) -> Question | None:
        m = self.mapping(raw, path, QUESTION_KEYS, {"type", "text"})
        if m is None:
            return None
        qtype = None
        if "type" in m:
            qtype = self.string(m["type"], join(path, "type"))
            if qtype is not None and qtype not in QUESTION_TYPES:
                self.add(
                    join(path, "type"),
                    "question.unknown_type",
                    value=qtype,
                    allowed=", ".join(QUESTION_TYPES),
                )
                qtype = None
        text = self.text(m["text"], join(path, "text")) if "text" in m else None
        help_text = self.opt_text(m, "help", path)
        if qtype is None:
            return None
        for key in m:
            if key in QUESTION_KEYS - {"type", "text", "help"} and key not in TYPE_KEYS[qtype]:
                self.add(join(path, key), "key.not_for_type", key=key, qtype=qtype)
        ok = True
        kwargs: dict[str, Any] = {}
        if qtype in ("single", "multi"):
            if "options" not in m:
                self.add(join(path, "options"), "question.options_missing", qtype=qtype)
                ok = False
            else:
                options = self.options(m["options"], join(path, "options"), qtype)
                ok = options is not None
                kwargs["options"] = options
        elif qtype == "boolean":
            for key in ("yes_score", "no_score"):
                if key in m:
                    kwargs[key] = self.score(m[key], join(path, key))
                    ok = ok and kwargs[key] is not None
        elif qtype == "number":
            if "thresholds" not in m:
                self.add(join(path, "thresholds"), "question.thresholds_missing")
                ok = False
            else:
                thresholds = self.thresholds(m["thresholds"], join(path, "thresholds"))
                ok = thresholds is not None
                kwargs["thresholds"] = thresholds
            ok = self.bounds(m, path, kwargs, required=False) and ok
            if m.get("unit") is not None:
                kwargs["unit"] = self.string(m["unit"], join(path, "unit"))
        else:
            ok = self.bounds(m, path, kwargs, required=True)
        if not ok or text is None:
            return None
        return Question(type=qtype, text=text, help=help_text, **kwargs)  # type: ignore[arg-type]

    def bounds(self, m: dict[str, Any], path: str, kwargs: dict[str, Any], required: bool) -> bool:
        ok = True
        for key in ("min", "max"):
            if key in m:
                kwargs[key] = self.number(m[key], join(path, key))
                ok = ok and kwargs[key] is not None
            elif required:
                self.add(join(path, key), "key.missing", key=key)
                ok = False
        lo, hi = kwargs.get("min"), kwargs.get("max")
        if lo is not None and hi is not None and lo >= hi:
            code = "question.scale_range" if required else "question.bounds"
            self.add(join(path, "min"), code, min=m["min"], max=m["max"])
            ok = False
        return ok

    def options(self, value: Any, path: str, qtype: str) -> tuple[Option, ...] | None:
        raw = self.seq(value, path)
        if not raw:
            return None
        limit = MAX_MULTI_OPTIONS if qtype == "multi" else MAX_SINGLE_OPTIONS
        if len(raw) > limit:
            self.add(path, "question.too_many_options", count=len(raw), limit=limit)
        out: list[Option] = []
        seen: set[str] = set()
        ok = True
        for i, item in enumerate(raw):
            opath = join(path, i)
            m = self.mapping(item, opath, OPTION_KEYS, {"code", "text", "score"})
            if m is None:
                ok = False
                continue
            code = (
                self.string(m["code"], join(opath, "code"), SLUG, "[a-z0-9_-]+")
                if "code" in m
                else None
            )
            if code is not None:
                if code in seen:
                    self.add(join(opath, "code"), "option.duplicate_code", value=code)
                seen.add(code)
            text = self.text(m["text"], join(opath, "text")) if "text" in m else None
            score = self.score(m["score"], join(opath, "score")) if "score" in m else None
            exclusive = (
                self.boolean(m["exclusive"], join(opath, "exclusive"))
                if "exclusive" in m
                else False
            )
            if code is None or text is None or score is None or exclusive is None:
                ok = False
                continue
            out.append(Option(code, text, score, exclusive))
        return tuple(out) if ok else None

    def thresholds(self, value: Any, path: str) -> tuple[Threshold, ...] | None:
        raw = self.seq(value, path)
        out: list[Threshold] = []
        ok = bool(raw)
        for i, item in enumerate(raw):
            tpath = join(path, i)
            m = self.mapping(item, tpath, THRESHOLD_KEYS, THRESHOLD_KEYS)
            if m is None:
                ok = False
                continue
            tmin = self.number(m["min"], join(tpath, "min")) if "min" in m else None
            score = self.score(m["score"], join(tpath, "score")) if "score" in m else None
            if tmin is None or score is None:
                ok = False
                continue
            if out and tmin <= out[-1].min:
                self.add(
                    join(tpath, "min"),
                    "question.thresholds_not_increasing",
                    value=m["min"],
                    previous=out[-1].min,
                )
                ok = False
            out.append(Threshold(tmin, score))
        return tuple(out) if ok else None


def build_framework(
    data: Any, source_name: str, lines: Mapping[str, int] | None = None
) -> Framework:
    """Validate plain data and build a Framework; raises FrameworkInvalid with every problem."""
    builder = _Builder(source_name, lines or {})
    framework = builder.framework(data)
    if builder.problems or framework is None:
        raise FrameworkInvalid(builder.problems)
    return framework
