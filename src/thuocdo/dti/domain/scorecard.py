"""DTI structures as data, their validation, and the computation of a scorecard (no Django).

A structure (one version of the index for provinces or ministries) is a mapping::

    code: dti-province          # stable across versions
    version: "922-2022"
    kind: province              # province | ministry
    decision: "922/QĐ-BTTTT (20/5/2022)"
    total: 1000                 # points; the index is published as points / total (0–1)
    main_indices: 9             # declared count, checked
    components: 98              # declared count, checked when the list is published
    components_published: false # false: each index is entered as a whole until the
                                # ministry's file with the component list is loaded
    pillars: [{code, name}]
    indices:
      - {code, name, pillar, group, max, observed?, components: [{code, name, max, method, …}]}

Component methods: ``submission`` (a strategy indicator's reported value, ``indicator``),
``survey`` (a published campaign result, ``survey``: entity type and minimum level),
``agency`` (the mean of an agency assessment, ``criteria_set``) and ``entered`` (a value
entered with a link to its evidence).

Points are exact decimals; the index value is ``points / total`` rounded half-up to four
places, as the published figures are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

KINDS = ("province", "ministry")
METHODS = ("submission", "survey", "agency", "entered")
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class Problem:
    """A refusal naming the field (``indices[2].max``) with a message key and parameters."""

    field: str
    key: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class StructureError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.key}" for p in problems))
        self.problems = problems


class ValuesError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.key}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Component:
    code: str
    name: dict[str, str]
    max: Decimal
    method: str
    source: dict[str, Any]
    whole_index: bool = False


@dataclass(frozen=True)
class Index:
    code: str
    name: dict[str, str]
    pillar: str
    group: str
    max: Decimal
    observed: bool
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Structure:
    code: str
    version: str
    kind: str
    decision: str
    name: dict[str, str]
    source: str
    total: Decimal
    main_indices: int
    components_declared: int
    components_published: bool
    pillars: tuple[dict[str, Any], ...]
    indices: tuple[Index, ...]

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"

    def components(self) -> list[tuple[Index, Component]]:
        return [(i, c) for i in self.indices for c in i.components]

    def component(self, code: str) -> Component | None:
        for _i, c in self.components():
            if c.code == code:
                return c
        return None


def _dec(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _name(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"vi": value, "en": value}
    if isinstance(value, dict) and isinstance(value.get("vi"), str):
        return {"vi": value["vi"], "en": str(value.get("en") or value["vi"])}
    return {}


def _component(
    raw: Any, where: str, problems: list[Problem], index_codes: set[str]
) -> Component | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "not_mapping"))
        return None
    code = str(raw.get("code") or "")
    if not code:
        problems.append(Problem(f"{where}.code", "missing"))
    mx = _dec(raw.get("max"))
    if mx is None or mx < 0:
        problems.append(Problem(f"{where}.max", "points", {"value": raw.get("max")}))
        mx = Decimal(0)
    method = str(raw.get("method") or "")
    if method not in METHODS:
        problems.append(
            Problem(f"{where}.method", "method", {"value": method, "allowed": ", ".join(METHODS)})
        )
    source: dict[str, Any] = dict(raw.get("source") or {})
    needs = {"submission": "indicator", "survey": "entity_type", "agency": "criteria_set"}
    if method in needs and not source.get(needs[method]):
        problems.append(Problem(f"{where}.source.{needs[method]}", "missing"))
    return Component(code, _name(raw.get("name")) or {"vi": code, "en": code}, mx, method, source)


def load_structure(data: Any) -> Structure:
    """Check a structure and build it; every problem is collected and named by its field.
    Raises ``StructureError``."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise StructureError([Problem("(file)", "not_mapping")])
    for key in ("code", "version", "kind", "decision"):
        if not str(data.get(key) or "").strip():
            problems.append(Problem(key, "missing"))
    kind = str(data.get("kind") or "")
    if kind and kind not in KINDS:
        problems.append(Problem("kind", "kind", {"value": kind, "allowed": ", ".join(KINDS)}))
    total = _dec(data.get("total"))
    if total is None or total <= 0:
        problems.append(Problem("total", "points", {"value": data.get("total")}))
        total = Decimal(0)
    published = bool(data.get("components_published", True))
    declared_main = data.get("main_indices")
    declared_components = data.get("components")
    raw_indices = data.get("indices")
    if not isinstance(raw_indices, list) or not raw_indices:
        problems.append(Problem("indices", "missing"))
        raw_indices = []
    pillars = tuple(p for p in data.get("pillars") or [] if isinstance(p, dict))
    pillar_codes = {str(p.get("code")) for p in pillars}
    indices: list[Index] = []
    seen: set[str] = set()
    n_components = 0
    for n, raw in enumerate(raw_indices):
        where = f"indices[{n}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "not_mapping"))
            continue
        code = str(raw.get("code") or "")
        if not code:
            problems.append(Problem(f"{where}.code", "missing"))
        elif code in seen:
            problems.append(Problem(f"{where}.code", "duplicate", {"code": code}))
        seen.add(code)
        pillar = str(raw.get("pillar") or "")
        if pillars and pillar not in pillar_codes:
            problems.append(Problem(f"{where}.pillar", "unknown", {"code": pillar}))
        mx = _dec(raw.get("max"))
        if mx is None or mx < 0:
            problems.append(Problem(f"{where}.max", "points", {"value": raw.get("max")}))
            mx = Decimal(0)
        observed = bool(raw.get("observed", False))
        if observed and mx != 0:
            problems.append(Problem(f"{where}.max", "observed", {"value": mx}))
        comps: list[Component] = []
        raw_comps = raw.get("components")
        if raw_comps is None and not published:
            # the component list is not public: the index is entered as a whole
            if not observed:
                comps.append(
                    Component(code, _name(raw.get("name")), mx, "entered", {}, whole_index=True)
                )
        else:
            if not isinstance(raw_comps, list):
                problems.append(Problem(f"{where}.components", "missing"))
                raw_comps = []
            for m, rc in enumerate(raw_comps):
                comp = _component(rc, f"{where}.components[{m}]", problems, seen)
                if comp is None:
                    continue
                if comp.code and comp.code in seen:
                    problems.append(
                        Problem(f"{where}.components[{m}].code", "duplicate", {"code": comp.code})
                    )
                seen.add(comp.code)
                comps.append(comp)
            n_components += len(raw_comps)
            comp_sum = sum((c.max for c in comps), Decimal(0))
            if comps and not observed and comp_sum != mx:
                problems.append(
                    Problem(f"{where}.components", "sum", {"sum": comp_sum, "total": mx})
                )
        indices.append(
            Index(
                code,
                _name(raw.get("name")) or {"vi": code, "en": code},
                pillar,
                str(raw.get("group") or ""),
                mx,
                observed,
                tuple(comps),
            )
        )
    index_sum = sum((i.max for i in indices), Decimal(0))
    if indices and total and index_sum != total:
        problems.append(Problem("total", "sum", {"sum": index_sum, "total": total}))
    if not isinstance(declared_main, int) or declared_main != len(indices):
        problems.append(
            Problem("main_indices", "count", {"declared": declared_main, "found": len(indices)})
        )
    if not isinstance(declared_components, int) or declared_components <= 0:
        problems.append(Problem("components", "points", {"value": declared_components}))
        declared_components = 0
    elif published and n_components != declared_components:
        problems.append(
            Problem("components", "count", {"declared": declared_components, "found": n_components})
        )
    if problems:
        raise StructureError(problems)
    return Structure(
        code=str(data["code"]),
        version=str(data["version"]),
        kind=kind,
        decision=str(data["decision"]),
        name=_name(data.get("name")) or {"vi": str(data["code"]), "en": str(data["code"])},
        source=str(data.get("source") or ""),
        total=total,
        main_indices=len(indices),
        components_declared=int(declared_components),
        components_published=published,
        pillars=pillars,
        indices=tuple(indices),
    )


def check_completes(known: Structure, loaded: Structure) -> list[Problem]:
    """A ministry's file for a known version keeps its indices and their points."""
    problems: list[Problem] = []
    if loaded.kind != known.kind:
        problems.append(Problem("kind", "differs", {"known": known.kind, "value": loaded.kind}))
    if loaded.total != known.total:
        problems.append(Problem("total", "differs", {"known": known.total, "value": loaded.total}))
    if loaded.components_declared != known.components_declared:
        problems.append(
            Problem(
                "components",
                "differs",
                {"known": known.components_declared, "value": loaded.components_declared},
            )
        )
    mine = {i.code: i for i in loaded.indices}
    for n, idx in enumerate(known.indices):
        other = mine.get(idx.code)
        if other is None:
            problems.append(Problem(f"indices[{n}].code", "absent", {"code": idx.code}))
        elif other.max != idx.max:
            problems.append(
                Problem(f"indices[{n}].max", "differs", {"known": idx.max, "value": other.max})
            )
    return problems


@dataclass(frozen=True)
class EnteredValue:
    points: Decimal
    evidence: str = ""


def check_values(structure: Structure, values: Mapping[str, Any]) -> dict[str, EnteredValue]:
    """Parse entered values ``{component: points | {points, evidence}}``; every problem names
    the component. Raises ``ValuesError`` (nothing is accepted when one value is bad)."""
    problems: list[Problem] = []
    out: dict[str, EnteredValue] = {}
    for code, raw in values.items():
        comp = structure.component(str(code))
        if comp is None:
            problems.append(Problem(str(code), "unknown_component", {"code": code}))
            continue
        raw_points, evidence = (
            (raw.get("points"), str(raw.get("evidence") or "").strip())
            if isinstance(raw, dict)
            else (raw, "")
        )
        points = _dec(raw_points)
        if points is None:
            problems.append(Problem(comp.code, "not_number", {"value": raw_points}))
            continue
        if points < 0 or points > comp.max:
            problems.append(Problem(comp.code, "range", {"value": raw_points, "max": comp.max}))
            continue
        if points != points.quantize(Decimal("0.01")):
            problems.append(Problem(comp.code, "precision", {"value": raw_points}))
            continue
        if comp.method == "entered" and points > 0 and not evidence:
            problems.append(Problem(comp.code, "evidence"))
            continue
        if evidence and not evidence.startswith(("http://", "https://")):
            problems.append(Problem(comp.code, "evidence_link", {"value": evidence}))
            continue
        out[comp.code] = EnteredValue(points, evidence)
    if problems:
        raise ValuesError(problems)
    return out


@dataclass(frozen=True)
class IndexScore:
    code: str
    name: dict[str, str]
    pillar: str
    group: str
    max: Decimal
    points: Decimal
    observed: bool
    components: dict[str, Decimal | None]


@dataclass(frozen=True)
class Scorecard:
    structure: str
    points: Decimal
    total: Decimal
    value: Decimal  # points / total, four places
    indices: tuple[IndexScore, ...]
    missing: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "structure": self.structure,
            "points": str(self.points),
            "total": str(self.total),
            "value": str(self.value),
            "indices": [
                {
                    "code": i.code,
                    "name": i.name,
                    "pillar": i.pillar,
                    "group": i.group,
                    "max": str(i.max),
                    "points": str(i.points),
                    "observed": i.observed,
                    "components": {
                        k: (None if v is None else str(v)) for k, v in i.components.items()
                    },
                }
                for i in self.indices
            ],
            "missing": list(self.missing),
        }


def index_value(points: Decimal, total: Decimal) -> Decimal:
    return (points / total).quantize(FOUR, rounding=ROUND_HALF_UP)


def compute(structure: Structure, values: Mapping[str, Decimal]) -> Scorecard:
    """The scorecard from points per component (a missing component counts 0 and is listed)."""
    indices: list[IndexScore] = []
    missing: list[str] = []
    total_points = Decimal(0)
    for idx in structure.indices:
        comps: dict[str, Decimal | None] = {}
        pts = Decimal(0)
        for c in idx.components:
            v = values.get(c.code)
            comps[c.code] = v
            if v is None:
                missing.append(c.code)
            else:
                pts += v
        if not idx.observed:
            total_points += pts
        indices.append(
            IndexScore(idx.code, idx.name, idx.pillar, idx.group, idx.max, pts, idx.observed, comps)
        )
    return Scorecard(
        structure.label,
        total_points,
        structure.total,
        index_value(total_points, structure.total),
        tuple(indices),
        tuple(missing),
    )


def movers(previous: Scorecard, current: Scorecard) -> list[dict[str, Any]]:
    """What moved the index: the change of each main index in points, largest first."""
    before = {i.code: i.points for i in previous.indices}
    deltas = [
        (i, i.points - before.get(i.code, Decimal(0))) for i in current.indices if not i.observed
    ]
    deltas = [(i, d) for i, d in deltas if d != 0]
    deltas.sort(key=lambda p: (-abs(p[1]), p[0].code))
    return [{"index": i.code, "name": i.name, "delta": d} for i, d in deltas]


def rank(values: Mapping[str, Decimal]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4), higher values first."""
    ordered = sorted(values.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for pos, v in enumerate(ordered, start=1):
        first.setdefault(v, pos)
    return {k: first[v] for k, v in values.items()}


def legacy_to_current(
    legacy_values: Mapping[str, Decimal], mapping: Iterable[tuple[str, str]]
) -> dict[str, Decimal]:
    """Current provinces' values as the mean of the legacy provinces merged into each (every
    mapped legacy province must have a value, else the current province is left out)."""
    members: dict[str, list[str]] = {}
    for legacy, current in mapping:
        members.setdefault(current, []).append(legacy)
    out: dict[str, Decimal] = {}
    for current, legacies in members.items():
        vals = [legacy_values[c] for c in legacies if c in legacy_values]
        if vals and len(vals) == len(legacies):
            out[current] = (sum(vals, Decimal(0)) / len(vals)).quantize(
                FOUR, rounding=ROUND_HALF_UP
            )
    return out


CENT = Decimal("0.01")


def points_from_share(share: float, maximum: Decimal) -> Decimal:
    """A share in [0, 1] (e.g. of businesses at level ≥ 2) as points of a component."""
    clamped = min(max(Decimal(str(share)), Decimal(0)), Decimal(1))
    return (clamped * maximum).quantize(CENT, rounding=ROUND_HALF_UP)


def points_from_value(value: float, full_at: Decimal, maximum: Decimal) -> Decimal:
    """An indicator value as points: full points at ``full_at`` and above, linear below."""
    if full_at <= 0:
        return Decimal(0)
    return points_from_share(float(Decimal(str(value)) / full_at), maximum)
