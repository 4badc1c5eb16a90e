"""Built-in task frameworks read into one shape, and the deadline arithmetic of the wizard.

Pure Python (no Django). The three built-in files (``province-dx``, ``sector-de-2025``,
``national-2023``) describe their tasks in the words of three different documents; this module
turns each into a :class:`FrameworkDef` (groups, tasks, the departments a province can assign
tasks to, and the default assignment of each task), which the plans app stores and
instantiates.

Deadlines "adjusted to the year": a one-off deadline that names a year is moved by the
difference between the plan year and the framework's ``default_year`` (a framework written for
2024 instantiated for 2025 moves "30/3/2024" to 30/3/2025 and "Quý II/2025" of a 2025
framework to "Quý II/2026" in a 2026 plan); year-less deadlines ("Quý III") fall in the plan
year; recurring and continuous deadlines stay as written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from thuocdo.core.text import fold, nfc
from thuocdo.plans.domain.deadlines import (
    DeadlineSpec,
    FixedDeadline,
    format_spec,
    parse,
)

__all__ = [
    "BUILTIN_CODES",
    "BUILTIN_DIR",
    "SURVEY_STAGES",
    "Assignment",
    "Department",
    "FrameworkDef",
    "GroupDef",
    "TargetDef",
    "TaskDef",
    "adjusted",
    "framework_from_data",
    "framework_from_dict",
    "load_builtin",
    "match_indicator",
    "province_deadline",
    "shift_spec",
]

BUILTIN_DIR: Final = Path(__file__).resolve().parent.parent / "builtin"
BUILTIN_CODES: Final = ("province-dx", "sector-de-2025", "national-2023", "plan-2025")

#: Stages of the survey programme that campaigns complete (see ``tasks_sync_survey_stage``).
SURVEY_STAGES: Final = ("guide", "pilot", "scale_up", "publish")


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name_vi: str
    name_en: str
    abbr: str = ""

    def matches(self, text: str) -> bool:
        """Whether ``text`` names this department (code, name or abbreviation, any case)."""
        key = fold(nfc(text)).strip()
        return bool(key) and key in {
            fold(self.code),
            fold(self.name_vi),
            fold(self.name_en),
            fold(self.abbr) if self.abbr else "\0",
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    lead: str
    coordinating: tuple[str, ...] = ()
    deadline: str | None = None
    deadline_text: str | None = None


@dataclass(frozen=True, slots=True)
class TaskDef:
    code: str
    group: str
    title_vi: str
    title_en: str
    lead: str = ""
    coordinating: tuple[str, ...] = ()
    deadline: str | None = None
    deadline_text: str | None = None
    expected_output_vi: str = ""
    expected_output_en: str = ""
    kpi: str = ""
    indicator_code: str = ""
    survey_stage: str | None = None
    audience: str = ""
    assignment: Assignment | None = None
    #: Focus sectors the task is about (``retail``, ``tourism``…); empty: every sector.
    sectors: tuple[str, ...] = ()
    #: Entity types whose verified responses count as the task's evidence; empty: any.
    entity_types: tuple[str, ...] = ()
    #: The task's own completion condition (``None``: the stage's default).
    min_responses: int | None = None
    min_communes: int | None = None
    #: Annex 02's "implementing unit" and "period" columns (e.g. "Vụ KTS và XHS", "2022 - 2030").
    implementing_unit: str = ""
    period: str = ""
    #: The source's description, references to existing tools (name_vi, name_en, url) and
    #: intermediate milestones (label_vi, label_en, deadline, deadline_text).
    description_vi: str = ""
    description_en: str = ""
    resources: tuple[dict[str, str], ...] = ()
    milestones: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TargetDef:
    """A quantified target of a plan frame (seed 003: "90% thủ tục … trực tuyến toàn trình"),
    linked to the indicator that measures it; ``register`` names the share of the register of
    information systems that measures it (``approved_level``, ``drilled``, ``backup_321``,
    ``inspected``), empty when the figure is reported."""

    code: str
    title_vi: str
    title_en: str
    value: float
    comparator: str = ">="
    unit: str = "%"
    text: str = ""
    section: str = ""
    indicator_code: str = ""
    register: str = ""


@dataclass(frozen=True, slots=True)
class GroupDef:
    code: str
    title_vi: str
    title_en: str


@dataclass(frozen=True, slots=True)
class FrameworkDef:
    code: str
    version: str
    name_vi: str
    name_en: str
    scope: str
    default_year: int
    groups: tuple[GroupDef, ...]
    tasks: tuple[TaskDef, ...]
    departments: tuple[Department, ...] = ()
    coordinator: str = ""
    source: str = ""
    #: Units outside the province that the framework names as supporting its tasks (the
    #: ministry's agencies of ``province-dx``); they coordinate, never lead, provincial tasks.
    units: tuple[Department, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    #: Quantified targets of a plan frame (``plan-2025``); empty for task frameworks.
    targets: tuple[TargetDef, ...] = ()

    @property
    def assignable(self) -> bool:
        """Whether a province plan can be made from it (it assigns tasks to departments)."""
        return bool(self.departments)

    def department(self, text: str) -> Department | None:
        for dept in self.departments:
            if dept.matches(text):
                return dept
        return None

    def unit(self, text: str) -> Department | None:
        """The department or supporting unit ``text`` names."""
        return next((u for u in (*self.departments, *self.units) if u.matches(text)), None)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _name(node: Any, lang: str) -> str:
    if isinstance(node, dict):
        value = node.get(lang) or node.get("vi") or ""
        return nfc(str(value)).strip()
    return nfc(str(node or "")).strip()


def _join(items: Any) -> tuple[str, ...]:
    return tuple(str(i) for i in (items or []))


def _assignment(rows: list[dict[str, Any]] | None) -> Assignment | None:
    """The first row leads; the leads and coordinators of further rows coordinate."""
    if not rows:
        return None
    first = rows[0]
    coordinating: list[str] = list(_join(first.get("coordinating")))
    for row in rows[1:]:
        for code in (row["lead"], *_join(row.get("coordinating"))):
            if code != first["lead"] and code not in coordinating:
                coordinating.append(code)
    return Assignment(
        lead=str(first["lead"]),
        coordinating=tuple(coordinating),
        deadline=first.get("deadline"),
        deadline_text=first.get("deadline_text"),
    )


def _departments(rows: list[dict[str, Any]] | None) -> tuple[Department, ...]:
    return tuple(
        Department(
            code=str(d["code"]),
            name_vi=_name(d["name"], "vi"),
            name_en=_name(d["name"], "en"),
            abbr=str(d["name"].get("abbr") or ""),
        )
        for d in rows or []
    )


def framework_from_data(data: dict[str, Any]) -> FrameworkDef:
    """Read one built-in framework file (already parsed YAML) into a :class:`FrameworkDef`."""
    assignments = data.get("default_assignments") or {}
    rows: dict[str, list[dict[str, Any]]] = assignments.get("tasks") or {}
    coordinator = str(assignments.get("coordinator") or "")
    not_assigned = set(assignments.get("not_assigned") or {})
    departments = _departments(assignments.get("departments"))
    groups: list[GroupDef] = []
    tasks: list[TaskDef] = []
    for group in data["groups"]:
        gcode = str(group["code"])
        groups.append(GroupDef(gcode, _name(group["title"], "vi"), _name(group["title"], "en")))
        for task in group["tasks"]:
            code = str(task["code"])
            lead = task.get("lead")
            if isinstance(lead, list):
                lead = ", ".join(str(x) for x in lead)
            coordinating = task.get("coordinating") or task.get("supporting_units") or []
            if isinstance(coordinating, str):
                coordinating = [coordinating]
            output = task.get("expected_output") or task.get("output") or ""
            assignment = _assignment(rows.get(code))
            if assignment is None and code in not_assigned and coordinator:
                assignment = Assignment(lead=coordinator)
            tasks.append(
                TaskDef(
                    code=code,
                    group=gcode,
                    title_vi=_name(task["title"], "vi"),
                    title_en=_name(task["title"], "en"),
                    lead=nfc(str(lead or task.get("implementing_unit") or "")).strip(),
                    coordinating=_join(coordinating),
                    deadline=task.get("deadline"),
                    deadline_text=task.get("deadline_text"),
                    expected_output_vi=_name(output, "vi"),
                    expected_output_en=_name(output, "en"),
                    kpi=nfc(str(task.get("kpi") or "")).strip(),
                    indicator_code=str(task.get("indicator") or ""),
                    survey_stage=task.get("survey_stage"),
                    audience=str(task.get("audience") or ""),
                    assignment=assignment,
                    sectors=_join(task.get("sectors")),
                    entity_types=_join(task.get("entity_types")),
                    min_responses=(task.get("evidence") or {}).get("min_responses"),
                    min_communes=(task.get("evidence") or {}).get("min_communes"),
                    implementing_unit=nfc(str(task.get("implementing_unit") or "")).strip(),
                    period=nfc(str(task.get("period") or "")).strip(),
                    description_vi=_name(task.get("description") or "", "vi"),
                    description_en=_name(task.get("description") or "", "en"),
                    resources=tuple(
                        {
                            "name_vi": _name(r.get("name") or "", "vi"),
                            "name_en": _name(r.get("name") or "", "en"),
                            "url": str(r.get("url") or ""),
                        }
                        for r in task.get("resources") or []
                    ),
                    milestones=tuple(
                        {
                            "label_vi": _name(m.get("label") or "", "vi"),
                            "label_en": _name(m.get("label") or "", "en"),
                            "deadline": str(m.get("deadline") or ""),
                            "deadline_text": str(m.get("deadline_text") or ""),
                        }
                        for m in task.get("milestones") or []
                    ),
                )
            )
    return FrameworkDef(
        code=str(data["code"]),
        version=str(data.get("version") or ""),
        name_vi=_name(data["name"], "vi"),
        name_en=_name(data["name"], "en"),
        scope=str(data.get("scope") or "province"),
        default_year=int(data.get("default_year") or data.get("year") or 2025),
        groups=tuple(groups),
        tasks=tuple(tasks),
        departments=departments,
        coordinator=coordinator,
        source=nfc(str(data.get("source") or "")).strip(),
        units=_departments(data.get("units")),
        targets=tuple(
            TargetDef(
                code=str(t["code"]),
                title_vi=_name(t["title"], "vi"),
                title_en=_name(t["title"], "en"),
                value=float(t["value"]),
                comparator=str(t.get("comparator") or ">="),
                unit=str(t.get("unit") or "%"),
                text=nfc(str(t.get("text") or "")).strip(),
                section=str(t.get("section") or ""),
                indicator_code=str(t.get("indicator") or ""),
                register=str(t.get("register") or ""),
            )
            for t in data.get("targets") or []
        ),
    )


def load_builtin(code: str) -> FrameworkDef:
    """One built-in framework by code (``province-dx``, ``sector-de-2025``, ``national-2023``)."""
    if code not in BUILTIN_CODES:
        raise KeyError(code)
    with (BUILTIN_DIR / f"{code}.yaml").open(encoding="utf-8") as fh:
        return framework_from_data(yaml.safe_load(fh))


def province_deadline(task: TaskDef) -> str | None:
    """The deadline of ``task`` in a province plan: the source's own day when it names one
    ("30/5/2024" stays 30/5, moved to the plan year by :func:`adjusted`) and the source's
    period when it gives one ("2024 - 2025" stays a two-year period), otherwise the
    provincial assignment's (a quarter such as "Quý II"), otherwise the source's."""
    if task.deadline:
        try:
            source = parse(str(task.deadline))
        except ValueError:
            source = None
        if isinstance(source, FixedDeadline) and (
            source.unit == "day" or source.start_year is not None
        ):
            # a named day keeps its day; a period such as "2024 - 2025" stays two years
            return task.deadline
    if task.assignment is not None and task.assignment.deadline:
        return task.assignment.deadline
    return task.deadline


def _stem(text: str) -> str:
    """A KPI or indicator name without its figure, "Tỷ lệ"/"Số" and punctuation, folded."""
    key = fold(nfc(text)).strip().rstrip(".;")
    key = re.sub(r"^(dat\s+)?(toi thieu\s+)?\d+([.,]\d+)?\s*%\s*", "", key)
    key = re.sub(r"^(ty le|so)\s+", "", key)
    return re.sub(r"[^\w%]+", " ", key).strip()


def match_indicator(kpi: str, indicators: Iterable[tuple[str, str]]) -> str:
    """The code of the indicator (code, name) whose name the KPI states, or "".

    "77% hộ gia đình được phủ mạng Internet băng rộng cáp quang" matches "Tỷ lệ hộ gia đình
    được phủ mạng Internet băng rộng cáp quang": the KPI without its figure is the indicator's
    name without "Tỷ lệ" (exactly, or one contains the other when both are long enough)."""
    stem = _stem(kpi)
    if len(stem) < 12:
        return ""
    exact = [code for code, name in indicators if _stem(name) == stem]
    if exact:
        return exact[0]
    close = [
        code
        for code, name in indicators
        if len(_stem(name)) >= 12 and (_stem(name) in stem or stem in _stem(name))
    ]
    return close[0] if len(close) == 1 else ""


def shift_spec(spec: DeadlineSpec, offset: int) -> DeadlineSpec:
    """``spec`` with any year it names moved by ``offset`` years (see the module docs)."""
    if not isinstance(spec, FixedDeadline) or offset == 0 or spec.year is None:
        return spec
    start = None if spec.start_year is None else spec.start_year + offset
    moved = dataclasses.replace(spec, year=spec.year + offset, start_year=start, text="")
    return dataclasses.replace(moved, text=format_spec(moved))


def adjusted(text: str | None, *, framework_year: int, plan_year: int) -> DeadlineSpec | None:
    """The deadline ``text`` of a framework as it applies in a plan of ``plan_year``."""
    if text is None or not str(text).strip():
        return None
    spec = parse(str(text))
    if (
        isinstance(spec, FixedDeadline)
        and spec.start_year is not None
        and spec.year is not None
        and spec.start_year <= plan_year <= spec.year
    ):
        return spec  # a period covering the plan year ("2024 - 2025" in 2025) stays as written
    return shift_spec(spec, plan_year - framework_year)


def framework_from_dict(d: dict[str, Any]) -> FrameworkDef:
    """The inverse of :meth:`FrameworkDef.as_dict` (stored definitions)."""

    def task(t: dict[str, Any]) -> TaskDef:
        a = t.get("assignment")
        assignment = (
            None
            if a is None
            else Assignment(
                lead=a["lead"],
                coordinating=tuple(a.get("coordinating") or ()),
                deadline=a.get("deadline"),
                deadline_text=a.get("deadline_text"),
            )
        )
        values = {k: v for k, v in t.items() if k != "assignment"}
        values["coordinating"] = tuple(values.get("coordinating") or ())
        values["sectors"] = tuple(values.get("sectors") or ())
        values["entity_types"] = tuple(values.get("entity_types") or ())
        values["resources"] = tuple(values.get("resources") or ())
        values["milestones"] = tuple(values.get("milestones") or ())
        return TaskDef(**values, assignment=assignment)

    return FrameworkDef(
        code=d["code"],
        version=d["version"],
        name_vi=d["name_vi"],
        name_en=d["name_en"],
        scope=d["scope"],
        default_year=d["default_year"],
        groups=tuple(GroupDef(**g) for g in d["groups"]),
        tasks=tuple(task(t) for t in d["tasks"]),
        departments=tuple(Department(**x) for x in d.get("departments") or ()),
        coordinator=d.get("coordinator") or "",
        source=d.get("source") or "",
        units=tuple(Department(**x) for x in d.get("units") or ()),
        targets=tuple(TargetDef(**x) for x in d.get("targets") or ()),
    )
