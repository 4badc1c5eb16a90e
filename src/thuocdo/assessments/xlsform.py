"""XLSForm of a campaign's criteria set, for offline collection with ODK Collect/KoboToolbox.

Sheets ``survey``, ``choices`` and ``settings``. The organisation questions come first, named
as the import contract's columns (``org_tax_code``, ``org_name``, …); then one group per
pillar, named with the pillar code, so that exports carry ``pillar/criterion`` headers that
the importer maps back to criterion codes. Question types: single → ``select_one``, multi →
``select_multiple`` (an exclusive option cannot be combined: a constraint), boolean →
``select_one yes_no`` (``yes``/``no``, which the importer accepts), number → ``integer`` or
``decimal`` with its bounds as a constraint, scale → ``range`` (``start``/``end``/``step=1``).
``relevant`` conditions are converted from the criteria-set grammar (DESIGN §4) to XPath: an
unanswered or non-relevant field is empty in ODK, so comparisons with it are false except
``!=`` and ``selected()`` is false, the same semantics as the engine's. Labels are Vietnamese
(the default language) with ``label::English (en)`` columns.

The conversion functions are pure; only :func:`write_xlsform` touches a campaign.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from thuocdo.assessments.importing.columns import CONTRACT, ENTITY_TYPES, SIZE_CLASSES
from thuocdo.frameworks.engine import Criterion, Framework, expr

VI = "Tiếng Việt (vi)"
EN = "English (en)"
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{VI}",
    f"label::{EN}",
    f"hint::{VI}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{VI}",
    f"constraint_message::{EN}",
    "parameters",
    "appearance",
)
CHOICE_COLUMNS = ("list_name", "name", f"label::{VI}", f"label::{EN}")
ENTITY_EN = {
    "enterprise": "Enterprise",
    "household_business": "Household business",
    "shop": "Shop",
    "market": "Traditional market",
    "destination": "Tourist destination",
    "farm": "Farm",
    "cooperative": "Cooperative",
    "agency_department": "Provincial department or agency",
    "agency_commune": "Commune People's Committee",
    "agency_ministry_unit": "Unit of a ministry",
    "public_service_unit": "Public service unit",
}
SIZE_EN = {"micro": "Micro", "small": "Small", "medium": "Medium", "large": "Large"}
ORG_QUESTIONS: dict[str, tuple[str, str, str, str, str]] = {
    # name: (type, label vi, label en, required, constraint)
    "org_tax_code": (
        "text",
        "Mã số thuế (hoặc số định danh cá nhân của chủ hộ)",
        "Tax code (or the owner's personal ID number)",
        "",
        "regex(., '^[0-9]{10}(-?[0-9]{3})?$') or regex(., '^[0-9]{12}$')",
    ),
    "org_name": ("text", "Tên tổ chức", "Organisation name", "yes", ""),
    "entity_type": ("select_one entity_type", "Loại hình", "Entity type", "yes", ""),
    "commune_code": (
        "text",
        "Mã xã/phường (5 chữ số)",
        "Commune code (5 digits)",
        "yes",
        "regex(., '^[0-9]{5}$')",
    ),
    "vsic": ("text", "Mã ngành VSIC 2018", "VSIC 2018 industry code", "", ""),
    "size_class": ("select_one size_class", "Quy mô", "Size class", "", ""),
}
_NAME = re.compile(r"[^A-Za-z0-9_.-]")


class ConditionNotConvertibleError(ValueError):
    """A condition the XPath converter does not handle (never for a validated set)."""


# ---------------------------------------------------------------- conditions → XPath


def _literal(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _atom(atom: expr.Atom, fw: Framework, other: expr.Atom | None) -> str:
    if isinstance(atom, expr.Ref):
        return "${" + atom.code + "}"
    value = atom.value
    if isinstance(value, bool):
        if isinstance(other, expr.Ref) and fw.criterion(other.code).question.type == "boolean":
            return "'yes'" if value else "'no'"
        return "true()" if value else "false()"
    if isinstance(value, str):
        return _literal(value)
    return f"{value:g}"


def condition_to_xpath(cond: expr.Condition, fw: Framework) -> str:
    """The XPath ``relevant`` expression of a criteria-set condition."""
    return _node(cond.root, fw, top=True)


def _node(node: expr.Node, fw: Framework, *, top: bool = False) -> str:
    if isinstance(node, expr.Compare):
        if isinstance(node.left, expr.Lit) and isinstance(node.right, expr.Lit):
            return "true()" if expr.evaluate(node, {}) else "false()"
        op = "=" if node.op == "==" else node.op
        left = _atom(node.left, fw, node.right)
        right = _atom(node.right, fw, node.left)
        return f"{left} {op} {right}"
    if isinstance(node, expr.Member):
        if not isinstance(node.container, expr.Ref) or not isinstance(node.item, expr.Lit):
            raise ConditionNotConvertibleError("in")
        return f"selected(${{{node.container.code}}}, {_literal(str(node.item.value))})"
    if isinstance(node, expr.Truth):
        if isinstance(node.atom, expr.Lit):
            return "true()" if node.atom.value is True else "false()"
        return f"${{{node.atom.code}}} = 'yes'"
    if isinstance(node, expr.Not):
        return f"not({_node(node.operand, fw, top=True)})"
    inner = f" {node.op} ".join(_node(o, fw) for o in node.operands)
    return inner if top else f"({inner})"


# ---------------------------------------------------------------- sheets


def _question(c: Criterion, fw: Framework) -> dict[str, str]:
    q = c.question
    row: dict[str, str] = {
        "name": c.code,
        f"label::{VI}": f"{c.code}. {q.text.vi}",
        f"label::{EN}": f"{c.code}. {q.text.get('en')}",
        "required": "yes" if c.required else "",
        "relevant": condition_to_xpath(c.relevant, fw) if c.relevant else "",
    }
    if q.help is not None:
        row[f"hint::{VI}"] = q.help.vi
        row[f"hint::{EN}"] = q.help.get("en")
    if q.type == "single":
        row["type"] = f"select_one c_{c.code}"
    elif q.type == "multi":
        row["type"] = f"select_multiple c_{c.code}"
        exclusive = [o.code for o in q.options if o.exclusive]
        if exclusive:
            row["constraint"] = " and ".join(
                f"not(selected(., {_literal(code)}) and count-selected(.) > 1)"
                for code in exclusive
            )
            names = ", ".join(exclusive)
            row[f"constraint_message::{VI}"] = f"Phương án {names} không chọn cùng phương án khác."
            row[f"constraint_message::{EN}"] = f"Option {names} cannot be combined with others."
    elif q.type == "boolean":
        row["type"] = "select_one yes_no"
    elif q.type == "number":
        bounds = [t.min for t in q.thresholds] + [b for b in (q.min, q.max) if b is not None]
        row["type"] = "integer" if all(float(b).is_integer() for b in bounds) else "decimal"
        parts = []
        if q.min is not None:
            parts.append(f". >= {q.min:g}")
        if q.max is not None:
            parts.append(f". <= {q.max:g}")
        if parts:
            row["constraint"] = " and ".join(parts)
            lo = "" if q.min is None else f"{q.min:g}"
            hi = "" if q.max is None else f"{q.max:g}"
            row[f"constraint_message::{VI}"] = f"Giá trị phải trong khoảng [{lo}, {hi}]."
            row[f"constraint_message::{EN}"] = f"The value must be within [{lo}, {hi}]."
        if q.unit:
            row[f"hint::{VI}"] = (row.get(f"hint::{VI}", "") + f" ({q.unit})").strip()
            row[f"hint::{EN}"] = (row.get(f"hint::{EN}", "") + f" ({q.unit})").strip()
    else:
        assert q.min is not None and q.max is not None
        row["type"] = "range"
        row["parameters"] = f"start={q.min:g} end={q.max:g} step=1"
    return row


def survey_rows(fw: Framework) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    for name in CONTRACT:
        qtype, vi, en, required, constraint = ORG_QUESTIONS[name]
        row = {
            "type": qtype,
            "name": name,
            f"label::{VI}": vi,
            f"label::{EN}": en,
            "required": required,
            "constraint": constraint,
        }
        if constraint:
            row[f"constraint_message::{VI}"] = "Giá trị không đúng định dạng."
            row[f"constraint_message::{EN}"] = "The value has a bad format."
        rows.append(row)
    for p in fw.pillars:
        rows.append(
            {
                "type": "begin_group",
                "name": p.code,
                f"label::{VI}": p.name.vi,
                f"label::{EN}": p.name.get("en"),
                "appearance": "field-list",
            }
        )
        rows.extend(_question(c, fw) for c in p.criteria)
        rows.append({"type": "end_group", "name": p.code})
    return rows


def choice_rows(fw: Framework, entity_types: tuple[str, ...] = ()) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(list_name: str, name: str, vi: str, en: str) -> None:
        rows.append(
            {"list_name": list_name, "name": name, f"label::{VI}": vi, f"label::{EN}": en or vi}
        )

    for code, vi in ENTITY_TYPES.items():
        if not entity_types or code in entity_types:
            add("entity_type", code, vi, ENTITY_EN[code])
    for code, vi in SIZE_CLASSES.items():
        add("size_class", code, vi, SIZE_EN[code])
    add("yes_no", "yes", "Có", "Yes")
    add("yes_no", "no", "Không", "No")
    for c in fw.criteria():
        for o in c.question.options:
            add(f"c_{c.code}", o.code, o.text.vi, o.text.get("en"))
    return rows


def form_id(fw: Framework, campaign_id: int | None = None) -> str:
    base = f"thuocdo_{fw.code}_{fw.version}" + (f"_c{campaign_id}" if campaign_id else "")
    return _NAME.sub("_", base)


def xlsform_bytes(
    fw: Framework,
    *,
    title: str,
    campaign_id: int | None = None,
    entity_types: tuple[str, ...] = (),
) -> bytes:
    from openpyxl import Workbook

    from thuocdo.assessments.importing.safe import xlsx_cell

    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    _fill(survey, SURVEY_COLUMNS, survey_rows(fw), xlsx_cell)
    _fill(wb.create_sheet("choices"), CHOICE_COLUMNS, choice_rows(fw, entity_types), xlsx_cell)
    settings = {
        "form_title": title,
        "form_id": form_id(fw, campaign_id),
        "version": fw.version,
        "default_language": VI,
        "instance_name": "concat(${org_name}, ' — ', ${commune_code})",
    }
    _fill(wb.create_sheet("settings"), tuple(settings), [settings], xlsx_cell)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fill(ws: Any, columns: tuple[str, ...], rows: list[dict[str, str]], put: Any) -> None:
    for j, name in enumerate(columns, start=1):
        put(ws, 1, j, name)
    for i, row in enumerate(rows, start=2):
        for j, name in enumerate(columns, start=1):
            value = row.get(name, "")
            if value:
                cell = ws.cell(row=i, column=j)
                cell.value = value  # XPath starts with '$' or a name, never a formula sign
                cell.data_type = "s"


def write_xlsform(campaign: Any, path: Path) -> None:
    """Write the XLSForm of a campaign to ``path``."""
    fw = campaign.framework.engine()
    title = f"{campaign.name} ({campaign.year})"
    path.write_bytes(
        xlsform_bytes(
            fw,
            title=title,
            campaign_id=campaign.pk,
            entity_types=tuple(campaign.entity_types or ()),
        )
    )
