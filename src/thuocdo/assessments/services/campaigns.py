"""Writes for campaigns: creation, the status workflow and population strata."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.domain import agency
from thuocdo.assessments.models import (
    COUNTRY_CODE,
    Campaign,
    CampaignStatus,
    EntityType,
    SizeClass,
    Stratum,
)
from thuocdo.assessments.services.common import FieldErrors, commune_resolve, require_covers
from thuocdo.core.text import clean
from thuocdo.frameworks.models import FrameworkVersion, Status
from thuocdo.geo.models import Structure, Unit
from thuocdo.geo.selectors import legacy_province

COUNTRY_PATH = f"{Structure.CURRENT.value}/"  # the unit path of a campaign over the whole country
CAMPAIGN_FIELDS = (
    "name",
    "unit_path",
    "year",
    "entity_types",
    "pilot",
    "opens_on",
    "closes_on",
    "status",
)
NEXT_STATUS = {
    CampaignStatus.DRAFT: CampaignStatus.OPEN,
    CampaignStatus.OPEN: CampaignStatus.CLOSED,
    CampaignStatus.CLOSED: CampaignStatus.PUBLISHED,
}
STRATA_MAX_BYTES = 5 * 1024 * 1024
STRATA_COLUMNS = {
    "commune_code": ("commune_code", "mã xã", "ma xa", "mã đơn vị", "commune"),
    "entity_type": ("entity_type", "loại hình", "loai hinh"),
    "size_class": ("size_class", "quy mô", "quy mo"),
    "population": ("population", "số lượng", "so luong", "count"),
}


def campaign_snapshot(c: Campaign) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": c.name,
        "framework": c.framework.label if c.framework_id else None,
        "area": c.area_code,
        "unit_path": c.unit_path,
        "year": c.year,
        "entity_types": list(c.entity_types),
        "pilot": c.pilot,
        "publish_named": c.publish_named,
        "opens_on": c.opens_on.isoformat() if c.opens_on else None,
        "closes_on": c.closes_on.isoformat() if c.closes_on else None,
        "reassess_months": c.reassess_months,
        "status": c.status,
    }
    if c.origin_unit_id:
        data["origin"] = c.origin_unit.code if c.origin_unit else None
    return data


def _require_manage(scope: Scope, campaign_path: str) -> None:
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers may create or change campaigns."))
    require_covers(scope, campaign_path)


def _check_reassess(errors: FieldErrors, months: Any) -> None:
    if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= 120:
        errors.add(
            "reassess_months",
            _("The re-assessment reminder period must be a whole number of months from 0 to 120."),
        )


@transaction.atomic
def campaign_create(
    *,
    scope: Scope,
    actor: User | None,
    framework: FrameworkVersion,
    area_code: str,
    year: int,
    name: str,
    entity_types: list[str] | None = None,
    pilot: bool = False,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    reassess_months: int = 12,
) -> Campaign:
    """A draft campaign of a published criteria-set version over an administrative unit.
    ``reassess_months``: when an organisation that gave an e-mail address is reminded to
    assess itself again (0: never)."""
    errors = FieldErrors()
    if framework.status != Status.PUBLISHED:
        errors.add(
            "framework",
            _("Criteria set %(label)s is not published (status: %(status)s).")
            % {"label": framework.label, "status": framework.status},
        )
    code = (area_code or "").strip()
    # the whole country: no unit, the current structure's root; no origin
    national = code.upper() == COUNTRY_CODE
    area = None if national else Unit.objects.filter(structure=Structure.CURRENT, code=code).first()
    # a legacy province's campaign (Kon Tum, 62) is carried into its successor (Quảng Ngãi)
    origin = None if area is not None or national else legacy_province(area_code)
    if origin is not None:
        area = origin[1]
    if area is None and not national:
        errors.add(
            "area",
            _("Unknown administrative unit code %(code)s (current structure).")
            % {"code": area_code},
        )
    name = clean(name or "")
    if not name:
        errors.add("name", _("The name is required."))
    elif len(name) > 300:
        errors.add("name", _("The name is longer than 300 characters."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add("year", _("The year must be between 2000 and 2100."))
    types = list(entity_types) if entity_types else list(framework.entity_types)
    for t in types:
        if t not in EntityType.values:
            errors.add(
                "entity_types",
                _("Unknown entity type %(value)s; allowed: %(allowed)s.")
                % {"value": t, "allowed": ", ".join(EntityType.values)},
            )
    if opens_on and closes_on and closes_on < opens_on:
        errors.add("closes_on", _("The closing date is before the opening date."))
    _check_reassess(errors, reassess_months)
    errors.raise_if_any()
    path = COUNTRY_PATH if area is None else area.path
    _require_manage(scope, path)
    if not scope.covers_sector(framework.sector):
        raise PermissionDenied(_("This criteria set lies outside your sectors."))
    campaign = Campaign.objects.create(
        name=name,
        framework=framework,
        area=area,
        unit_path=path,
        year=year,
        entity_types=types,
        pilot=pilot,
        opens_on=opens_on,
        closes_on=closes_on,
        reassess_months=reassess_months,
        public_token=secrets.token_urlsafe(18)[:24],
        created_by=actor,
        origin_unit=origin[0] if origin else None,
    )
    audit_record(
        actor=actor,
        action="campaign.create",
        object_type="assessments.campaign",
        object_id=campaign.pk,
        after=campaign_snapshot(campaign),
        unit_path=campaign.unit_path,
    )
    if origin is not None:
        audit_record(
            actor=actor,
            action="campaign.carry_over",
            object_type="assessments.campaign",
            object_id=campaign.pk,
            after={
                "from": {"code": origin[0].code, "name": origin[0].name},
                "to": {"code": origin[1].code, "name": origin[1].name},
            },
            unit_path=campaign.unit_path,
        )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    scope: Scope,
    actor: User | None,
    campaign: Campaign,
    name: str | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    pilot: bool | None = None,
    reassess_months: int | None = None,
) -> Campaign:
    """Change a campaign's name, dates, pilot flag or re-assessment reminder period (before
    it is published)."""
    c = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("framework", "area")
        .get(pk=campaign.pk)
    )
    _require_manage(scope, c.unit_path)
    if c.status == CampaignStatus.PUBLISHED:
        raise ValidationError(_("A published campaign cannot be changed."))
    before = campaign_snapshot(c)
    errors = FieldErrors()
    if name is not None:
        c.name = clean(name)
        if not c.name:
            errors.add("name", _("The name is required."))
    if opens_on is not None:
        c.opens_on = opens_on
    if closes_on is not None:
        c.closes_on = closes_on
    if c.opens_on and c.closes_on and c.closes_on < c.opens_on:
        errors.add("closes_on", _("The closing date is before the opening date."))
    if pilot is not None:
        c.pilot = pilot
    if reassess_months is not None:
        _check_reassess(errors, reassess_months)
        c.reassess_months = reassess_months
    errors.raise_if_any()
    c.save()
    audit_record(
        actor=actor,
        action="campaign.update",
        object_type="assessments.campaign",
        object_id=c.pk,
        before=before,
        after=campaign_snapshot(c),
        unit_path=c.unit_path,
    )
    return c


@transaction.atomic
def campaign_set_named_publication(
    *, scope: Scope, actor: User | None, campaign: Campaign, named: bool
) -> Campaign:
    """Choose whether a campaign over state agencies publishes each agency's result by name.

    Public bodies' results are normally published by name, so the owner of such a campaign (its
    creator, or an administrator) may choose it; it is off by default and every change is
    audited. A campaign that includes any other entity type keeps small-cell suppression and is
    refused here."""
    c = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("framework", "area")
        .get(pk=campaign.pk)
    )
    _require_manage(scope, c.unit_path)
    is_owner = scope.role == "admin" or (
        actor is not None and c.created_by_id is not None and c.created_by_id == actor.pk
    )
    if not is_owner:
        raise PermissionDenied(_("Only the campaign's owner may choose named publication."))
    types = list(c.entity_types or [])
    if named and (not types or any(t not in agency.AGENCY_TYPES for t in types)):
        raise ValidationError(
            {
                "publish_named": [
                    _(
                        "Only a campaign over state agencies alone may publish results by name; "
                        "this one covers %(types)s."
                    )
                    % {"types": ", ".join(types) or "∅"}
                ]
            }
        )
    before = campaign_snapshot(c)
    c.publish_named = named
    c.save(update_fields=["publish_named"])
    audit_record(
        actor=actor,
        action="campaign.named_publication",
        object_type="assessments.campaign",
        object_id=c.pk,
        before=before,
        after=campaign_snapshot(c),
        unit_path=c.unit_path,
    )
    return c


def _notify_plans(campaign: Campaign, actor: User | None) -> None:
    """Tell the action plans that a survey stage was reached (when that capability is there)."""
    try:
        from thuocdo.plans.services import tasks_sync_campaign
    except ImportError:
        return
    tasks_sync_campaign(campaign=campaign, actor=actor)


@transaction.atomic
def campaign_transition(
    *, scope: Scope, actor: User | None, campaign: Campaign, to: str
) -> Campaign:
    """Move a campaign one step along draft → open → closed → published; skips are refused."""
    c = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("framework", "area")
        .get(pk=campaign.pk)
    )
    _require_manage(scope, c.unit_path)
    expected = NEXT_STATUS.get(CampaignStatus(c.status))
    if to not in CampaignStatus.values:
        raise ValidationError({"status": [_("Unknown status %(value)s.") % {"value": to}]})
    if expected is None or to != expected:
        raise ValidationError(
            _("A %(current)s campaign cannot become %(target)s; the next step is %(next)s.")
            % {
                "current": CampaignStatus(c.status).label,
                "target": CampaignStatus(to).label,
                "next": expected.label if expected else "—",
            }
        )
    before = campaign_snapshot(c)
    c.status = to
    if to == CampaignStatus.PUBLISHED:
        c.published_at = timezone.now()
    c.save(update_fields=["status", "published_at"])
    if to == CampaignStatus.PUBLISHED:  # the public tables, computed once and frozen
        from thuocdo.analytics.release import publish_release

        publish_release(c)
    audit_record(
        actor=actor,
        action=f"campaign.{to}",
        object_type="assessments.campaign",
        object_id=c.pk,
        before=before,
        after=campaign_snapshot(c),
        unit_path=c.unit_path,
    )
    # Opening, closing and publishing may each complete survey-programme tasks of the plans.
    transaction.on_commit(lambda: _notify_plans(c, actor), robust=True)
    if to == CampaignStatus.PUBLISHED:  # indicators read from published results
        from thuocdo.indicators.tasks import survey_campaign_published_task

        transaction.on_commit(lambda: survey_campaign_published_task(c.pk), robust=True)
    return c


def campaign_open(*, scope: Scope, actor: User | None, campaign: Campaign) -> Campaign:
    return campaign_transition(scope=scope, actor=actor, campaign=campaign, to="open")


def campaign_close(*, scope: Scope, actor: User | None, campaign: Campaign) -> Campaign:
    return campaign_transition(scope=scope, actor=actor, campaign=campaign, to="closed")


def campaign_publish(*, scope: Scope, actor: User | None, campaign: Campaign) -> Campaign:
    return campaign_transition(scope=scope, actor=actor, campaign=campaign, to="published")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class StrataImportError(ValidationError):
    """The strata file was refused; ``rows`` lists every problem by row and column."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(
            [
                _("Row %(row)d, column %(column)s (%(value)s): %(message)s")
                % {"row": r.row, "column": r.column, "value": r.value, "message": r.message}
                for r in rows
            ]
        )
        self.rows = rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            break
        return text
    raise StrataImportError(
        [RowError(0, "", "", _("The file is not UTF-8 text: save it as CSV UTF-8."))]
    )


@transaction.atomic
def campaign_strata_import(
    *, scope: Scope, actor: User | None, campaign: Campaign, data: bytes
) -> dict[str, int]:
    """Replace the campaign's population counts from a CSV file with the columns
    ``commune_code, entity_type, size_class, population`` (Vietnamese headers accepted).
    Every bad row is reported; nothing is written unless the whole file is valid."""
    c = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_manage(scope, c.unit_path)
    if len(data) > STRATA_MAX_BYTES:
        raise StrataImportError([RowError(0, "", "", _("The file is larger than 5 MB."))])
    text = _decode(data)
    if not text.strip():
        raise StrataImportError([RowError(0, "", "", _("The file is empty."))])
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [clean(h).casefold() for h in next(reader)]
    index: dict[str, int] = {}
    for column, aliases in STRATA_COLUMNS.items():
        for i, h in enumerate(header):
            if h in aliases:
                index[column] = i
    missing = [col for col in STRATA_COLUMNS if col not in index and col != "size_class"]
    if missing:
        raise StrataImportError(
            [
                RowError(
                    1,
                    col,
                    "",
                    _("Missing column; the header must list %(cols)s.")
                    % {"cols": ", ".join(STRATA_COLUMNS)},
                )
                for col in missing
            ]
        )
    errors: list[RowError] = []
    cells: dict[tuple[int, str, str], int] = {}
    communes: dict[str, Unit] = {}
    for rownum, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        errors_before = len(errors)

        def cell(col: str, row: list[str] = row) -> str:
            i = index.get(col)
            return clean(row[i]) if i is not None and i < len(row) else ""

        code = cell("commune_code")
        unit = communes.get(code)
        if unit is None:
            try:
                unit = commune_resolve(code)
                communes[code] = unit
            except ValueError as exc:
                errors.append(RowError(rownum, "commune_code", code, str(exc)))
        if unit is not None and not unit.path.startswith(c.unit_path):
            errors.append(
                RowError(
                    rownum, "commune_code", code, _("This commune is outside the campaign area.")
                )
            )
            unit = None
        entity_type = cell("entity_type")
        if entity_type not in EntityType.values:
            errors.append(
                RowError(
                    rownum,
                    "entity_type",
                    entity_type,
                    _("Unknown entity type; allowed: %(allowed)s.")
                    % {"allowed": ", ".join(EntityType.values)},
                )
            )
        size_value = cell("size_class")
        if size_value and size_value not in SizeClass.values:
            errors.append(
                RowError(
                    rownum,
                    "size_class",
                    size_value,
                    _("Unknown size class; allowed: %(allowed)s.")
                    % {"allowed": ", ".join(SizeClass.values)},
                )
            )
        raw_pop = cell("population").replace(".", "").replace(" ", "")
        population = int(raw_pop) if raw_pop.isdigit() else None
        if population is None:
            errors.append(
                RowError(
                    rownum,
                    "population",
                    cell("population"),
                    _("Enter a whole number, zero or more."),
                )
            )
        if unit is not None and population is not None and len(errors) == errors_before:
            key = (unit.pk, entity_type, size_value)
            if key in cells:
                errors.append(
                    RowError(rownum, "commune_code", code, _("The same stratum appears twice."))
                )
            cells[key] = population
    if errors:
        raise StrataImportError(errors)
    if not cells:
        raise StrataImportError([RowError(0, "", "", _("The file has no data rows."))])
    before = Stratum.objects.filter(campaign=c).count()
    Stratum.objects.filter(campaign=c).delete()
    Stratum.objects.bulk_create(
        [
            Stratum(campaign=c, commune_id=unit_id, entity_type=et, size_class=sc, population=n)
            for (unit_id, et, sc), n in cells.items()
        ]
    )
    total = sum(cells.values())
    audit_record(
        actor=actor,
        action="campaign.strata_import",
        object_type="assessments.campaign",
        object_id=c.pk,
        before={"strata": before},
        after={"strata": len(cells), "population": total},
        unit_path=c.unit_path,
    )
    return {"strata": len(cells), "population": total}
