"""Writes: built-in structures and history, a ministry's structure file, entered values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import ADMIN, MINISTRY, Scope
from thuocdo.accounts.services import audit_record
from thuocdo.dti.domain import files
from thuocdo.dti.domain.scorecard import (
    Problem,
    Structure,
    StructureError,
    ValuesError,
    check_completes,
    check_values,
    load_structure,
)
from thuocdo.dti.messages import problem_text
from thuocdo.dti.models import DtiPublished, DtiStructure, DtiValue, SubjectKind
from thuocdo.geo.models import Structure as GeoStructure
from thuocdo.geo.models import Unit, UnitMapping

YEARS = range(2019, 2101)


def _refuse(problems: list[Problem]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.field, []).append(problem_text(p))
    return ValidationError(errors)


@transaction.atomic
def load() -> dict[str, int]:
    """Built-in structures (a structure loaded from a ministry's file is kept) and the
    published history. Idempotent."""
    created = 0
    for data, structure in files.builtin_structures():
        row = DtiStructure.objects.filter(code=structure.code, version=structure.version).first()
        if row is None:
            DtiStructure.objects.create(
                code=structure.code,
                version=structure.version,
                kind=structure.kind,
                name=structure.name["vi"],
                decision=structure.decision,
                body=data,
                origin="builtin",
            )
            created += 1
        elif row.origin == "builtin" and row.body != data:
            row.body = data
            row.name = structure.name["vi"]
            row.decision = structure.decision
            row.save()
    history = 0
    for e in files.builtin_history():
        _obj, made = DtiPublished.objects.update_or_create(
            year=e["year"],
            subject_kind=e["kind"],
            geo_structure=e["structure"],
            subject_code=e["code"],
            defaults={
                "subject_name": e["name"],
                "rank": e.get("rank"),
                "value": Decimal(e["value"]) if e.get("value") else None,
                "source": e["source"],
            },
        )
        history += int(made)
    return {"structures": created, "history": history}


def _can_author(scope: Scope) -> bool:
    return scope.role in {ADMIN, MINISTRY}


def dti_structure_load(*, scope: Scope, actor: User | None, path: Path) -> DtiStructure:
    """Load a structure from a file (the ministry's component list for a known version, or a
    new version). The file is checked whole; a known version keeps its indices and points."""
    if not _can_author(scope):
        raise PermissionDenied(_("Only a ministry officer or an administrator loads a DTI file."))
    try:
        with Path(path).open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ValidationError({"(file)": [_("Not a YAML or JSON file: %s") % exc]}) from exc
    try:
        structure = load_structure(data)
    except StructureError as exc:
        raise _refuse(exc.problems) from exc
    with transaction.atomic():
        row = (
            DtiStructure.objects.select_for_update()
            .filter(code=structure.code, version=structure.version)
            .first()
        )
        before = None
        if row is not None:
            known = load_structure(row.body)
            problems = check_completes(known, structure)
            if problems:
                raise _refuse(problems)
            if (
                DtiValue.objects.filter(structure=row)
                .exclude(component__in=[c.code for _i, c in structure.components()])
                .exists()
            ):
                raise ValidationError(
                    {
                        "indices": [
                            _(
                                "Values were entered for components this file does not have; "
                                "load it as a new version."
                            )
                        ]
                    }
                )
            before = {"origin": row.origin, "components": len(known.components())}
            row.body, row.origin, row.name = data, "file", structure.name["vi"]
            row.decision = structure.decision
            row.save()
        else:
            row = DtiStructure.objects.create(
                code=structure.code,
                version=structure.version,
                kind=structure.kind,
                name=structure.name["vi"],
                decision=structure.decision,
                body=data,
                origin="file",
            )
        audit_record(
            actor=actor,
            action="dti.structure_load",
            object_type="dti.structure",
            object_id=row.pk,
            before=before,
            after={"label": row.label, "components": len(structure.components())},
        )
    return row


def structure_of(label: str) -> tuple[DtiStructure, Structure]:
    code, _sep, version = label.partition("@")
    row = DtiStructure.objects.filter(code=code, version=version).first()
    if row is None:
        raise ValidationError(
            {"structure": [_("Unknown DTI structure %(label)s.") % {"label": label}]}
        )
    return row, load_structure(row.body)


def subject_check(
    *, scope: Scope, kind: str, code: str, geo_structure: str, name: str = ""
) -> tuple[str, str]:
    """The subject's (geo structure, name) after the scope check."""
    if kind == SubjectKind.PROVINCE:
        geo = geo_structure or GeoStructure.CURRENT
        unit = Unit.objects.filter(structure=geo, code=code, level="province").first()
        if unit is None:
            raise ValidationError(
                {
                    "province": [
                        _("Unknown province code %(code)s (structure %(structure)s).")
                        % {"code": code, "structure": geo}
                    ]
                }
            )
        paths = [unit.path]
        if geo == GeoStructure.LEGACY:
            paths = list(
                UnitMapping.objects.filter(legacy=unit).values_list("current__path", flat=True)
            )
        if not (scope.role in {ADMIN, MINISTRY} or any(scope.covers_path(p) for p in paths)):
            raise PermissionDenied(_("Province %(code)s is outside your area.") % {"code": code})
        return geo, unit.name
    if kind == SubjectKind.MINISTRY:
        if scope.role not in {ADMIN, MINISTRY}:
            raise PermissionDenied(_("Only a ministry officer or an administrator enters this."))
        if not code.strip() or not name.strip():
            raise ValidationError({"ministry": [_("A ministry needs a code and a name.")]})
        return "", name.strip()
    raise ValidationError({"subject": [_("Unknown subject kind %(kind)s.") % {"kind": kind}]})


def dti_values_enter(
    *,
    scope: Scope,
    actor: User | None,
    structure: str,
    kind: str,
    code: str,
    year: int,
    values: Mapping[str, Any],
    geo_structure: str = "",
    name: str = "",
) -> dict[str, Any]:
    """Enter points per component for one subject and year: every value is checked first
    (the field named), then all are written in one transaction, or none."""
    row, parsed = structure_of(structure)
    if kind != parsed.kind:
        raise ValidationError(
            {
                "structure": [
                    _("%(label)s is for %(kind)s, not for %(subject)s.")
                    % {"label": row.label, "kind": parsed.kind, "subject": kind}
                ]
            }
        )
    if year not in YEARS:
        raise ValidationError({"year": [_("Year %(year)s is out of range.") % {"year": year}]})
    geo, subject_name = subject_check(
        scope=scope, kind=kind, code=code, geo_structure=geo_structure, name=name
    )
    if not values:
        raise ValidationError({"values": [_("No component values given.")]})
    try:
        checked = check_values(parsed, values)
    except ValuesError as exc:
        raise _refuse(exc.problems) from exc
    with transaction.atomic():
        existing = {
            v.component: v
            for v in DtiValue.objects.select_for_update().filter(
                structure=row, subject_kind=kind, geo_structure=geo, subject_code=code, year=year
            )
        }
        before = {k: str(v.points) for k, v in existing.items() if k in checked}
        for comp, val in checked.items():
            DtiValue.objects.update_or_create(
                structure=row,
                subject_kind=kind,
                geo_structure=geo,
                subject_code=code,
                year=year,
                component=comp,
                defaults={
                    "subject_name": subject_name,
                    "points": val.points,
                    "evidence_url": val.evidence,
                    "entered_by": actor,
                },
            )
        audit_record(
            actor=actor,
            action="dti.values_enter",
            object_type="dti.value",
            object_id=f"{row.label}/{kind}/{geo}/{code}/{year}",
            before=before or None,
            after={k: str(v.points) for k, v in checked.items()},
        )
    return {"structure": row.label, "subject": code, "year": year, "entered": len(checked)}


def dti_values_fill(
    *, scope: Scope, actor: User | None, structure: str, code: str, year: int
) -> dict[str, Any]:
    """Fill a province's components whose method reads the product's data (indicator
    submissions, published survey and agency campaigns); components without data are listed
    and left as they were. Written in one transaction, through the same checks as entered
    values."""
    from thuocdo.dti import sources

    row, parsed = structure_of(structure)
    if parsed.kind != SubjectKind.PROVINCE:
        raise ValidationError(
            {"structure": [_("Only a provincial structure reads the province's data.")]}
        )
    subject_check(scope=scope, kind=SubjectKind.PROVINCE, code=code, geo_structure="")
    province = Unit.objects.get(structure=GeoStructure.CURRENT, code=code, level="province")
    values: dict[str, Any] = {}
    without: list[str] = []
    for _idx, comp in parsed.components():
        if comp.method == "entered":
            continue
        points = sources.component_points(comp, province, year)
        if points is None:
            without.append(comp.code)
        else:
            values[comp.code] = {"points": str(points)}
    result: dict[str, Any] = {"structure": row.label, "subject": code, "year": year, "entered": 0}
    if values:
        result = dti_values_enter(
            scope=scope,
            actor=actor,
            structure=structure,
            kind=SubjectKind.PROVINCE,
            code=code,
            year=year,
            values=values,
        )
    return {**result, "filled": sorted(values), "without_data": without}
