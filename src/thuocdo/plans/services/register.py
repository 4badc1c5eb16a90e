"""The register of information systems: record a system (security level, dossier approval,
inspections, drills, backups, trust label) with its next inspection computed by the seed's
cycle, and remind agencies of overdue inspections by e-mail (once per due date)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.selectors import scope_for
from thuocdo.accounts.services import audit_record
from thuocdo.core.mail import mail_queue
from thuocdo.core.text import nfc
from thuocdo.geo.models import Level as GeoLevel
from thuocdo.geo.models import Structure, Unit
from thuocdo.plans.domain.inspection import LEVELS, next_inspection
from thuocdo.plans.models import InformationSystem
from thuocdo.plans.services.common import today

__all__ = ["register_measure", "system_save", "systems_remind_overdue"]

DATE_FIELDS = ("dossier_date", "last_inspection", "last_drill")
TEXT_FIELDS = ("dossier_number", "trust_label", "website", "contact_email")


def _snapshot(s: InformationSystem) -> dict[str, Any]:
    return {
        "name": s.name,
        "agency": s.agency_name,
        "security_level": s.security_level,
        "dossier_number": s.dossier_number,
        **{f: (getattr(s, f).isoformat() if getattr(s, f) else None) for f in DATE_FIELDS},
        "next_inspection": s.next_inspection.isoformat() if s.next_inspection else None,
        "backup": [s.backup_copies, s.backup_media, s.backup_offline],
        "trust_label": s.trust_label,
    }


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            {field: _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}}
        ) from None


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVELS:
        raise ValidationError(
            {
                "security_level": _("The security level must be 1 to 5, not “%(value)s”.")
                % {"value": value}
            }
        )
    return level


def _count(value: Any, field: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 100:
        raise ValidationError(
            {field: _("“%(value)s” is not a number of copies from 0 to 100.") % {"value": value}}
        )
    return n


@transaction.atomic
def system_save(
    *, actor: Any, unit_code: str, data: Mapping[str, Any], system: InformationSystem | None = None
) -> InformationSystem:
    """Create (``system`` None) or change a system of a province's register."""
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=str(unit_code).strip()).first()
    if unit is None or unit.level != GeoLevel.PROVINCE:
        raise ValidationError(
            {"unit": _("Unknown province code %(code)s (current structure).") % {"code": unit_code}}
        )
    if actor is not None:
        scope = scope_for(actor)
        if not (scope.is_admin or (scope.role == "province" and scope.covers_path(unit.path))):
            raise PermissionDenied(_("You may not change the register of this province."))
    name = nfc(" ".join(str(data.get("name") or (system.name if system else "")).split()))
    agency = nfc(
        " ".join(str(data.get("agency_name") or (system.agency_name if system else "")).split())
    )
    if not name:
        raise ValidationError({"name": _("The name of the information system is required.")})
    if not agency:
        raise ValidationError({"agency_name": _("The agency that runs the system is required.")})
    obj = system or InformationSystem(unit=unit, unit_path=unit.path)
    before = _snapshot(obj) if system else None
    obj.name, obj.agency_name = name, agency
    if "security_level" in data or system is None:
        obj.security_level = _level(data.get("security_level"))
    for f in DATE_FIELDS:
        if f in data:
            setattr(obj, f, _date(data[f], f))
    for f in TEXT_FIELDS:
        if f in data:
            setattr(obj, f, nfc(str(data[f] or "")).strip())
    for f in ("backup_copies", "backup_media"):
        if f in data:
            setattr(obj, f, _count(data[f], f))
    if "backup_offline" in data:
        obj.backup_offline = bool(data["backup_offline"])
    if "agency" in data:
        obj.agency = data["agency"]
    if bool(obj.dossier_number) != bool(obj.dossier_date):
        raise ValidationError(
            {"dossier_date": _("An approved dossier needs both its decision number and its date.")}
        )
    for f in DATE_FIELDS:
        day = getattr(obj, f)
        if day is not None and day > today():
            raise ValidationError({f: _("The date may not be in the future.")})
    obj.next_inspection = next_inspection(obj.security_level, obj.last_inspection)
    if (
        InformationSystem.objects.filter(unit=unit, agency_name=agency, name=name)
        .exclude(pk=obj.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "name": _("Agency “%(agency)s” already has a system named “%(name)s”.")
                % {"agency": agency, "name": name}
            }
        )
    obj.save()
    audit_record(
        actor=actor,
        action="plans.system.update" if system else "plans.system.create",
        object_type="plans.information_system",
        object_id=obj.pk,
        before=before,
        after=_snapshot(obj),
        unit_path=obj.unit_path,
    )
    return obj


@transaction.atomic
def systems_remind_overdue(*, on: date | None = None, unit_path: str = "") -> int:
    """E-mail the contact of each system whose inspection is overdue on ``on``, once per due
    date (a system never inspected: once); returns how many reminders were queued."""
    day = on or today()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.plans.selectors import system_list

    sent = 0
    qs = system_list(scope=Scope(role="admin"), unit_path=unit_path, overdue_on=day)
    for s in qs.select_for_update(of=("self",)).exclude(contact_email=""):
        key = s.next_inspection or date.min
        if s.reminded_for == key:
            continue
        due = s.next_inspection.strftime("%d/%m/%Y") if s.next_inspection else _("never inspected")
        mail_queue(
            to=s.contact_email,
            subject=_("Security inspection overdue: %(name)s") % {"name": s.name},
            body=_(
                "The information system “%(name)s” of %(agency)s (security level %(level)s) "
                "was due for its security inspection on %(due)s. Inspect it and record the "
                "inspection in the register."
            )
            % {"name": s.name, "agency": s.agency_name, "level": s.security_level, "due": due},
            kind="plans.inspection",
            ref=f"plans.system:{s.pk}:{key.isoformat()}",
        )
        s.reminded_for = key
        s.save(update_fields=["reminded_for"])
        sent += 1
    return sent


def register_targets() -> list[tuple[str, str]]:
    """(indicator code, register share) of each target of the 2025 frame measured from the
    register (T3–T6: ``information-systems-approved-level`` ← ``approved_level``, …)."""
    from thuocdo.plans import selectors
    from thuocdo.plans.models import Framework

    fw = Framework.objects.filter(code="plan-2025").first()
    if fw is None:
        return []
    return [
        (t.indicator_code, t.register)
        for t in selectors.framework_def(fw).targets
        if t.register and t.indicator_code
    ]


def register_measure(
    *,
    actor: Any,
    unit_code: str,
    year: Any,
    on: date | None = None,
    only: set[str] | None = None,
    strict: bool = True,
) -> dict[str, Any]:
    """Write the register's shares for the province ``unit_code`` on ``on`` (default: today, or
    31 December of ``year`` once it is past) as the values of the 2025 targets' indicators
    for the year, through the indicators app's ``submission_submit`` (its reporting rights,
    locks and closed periods apply, each value audited; a value already recorded the same
    changes nothing). ``only`` keeps those indicator codes; a share without any system
    concerned is not written. ``strict=False`` (the year-end evaluation) records a refusal
    in ``refused`` instead of raising it.

    Returns ``{"unit", "year", "on", "systems", "values": {code: share}, "written": [...],
    "refused": {code: message}}``."""
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.services import submission_submit
    from thuocdo.plans import selectors
    from thuocdo.plans.services.plans import check_year, province_unit

    unit = province_unit(unit_code)
    year = check_year(year)
    day = on or min(today(), date(year, 12, 31))
    if day.year != year:
        raise ValidationError(
            {
                "on": _("The day measured (%(day)s) must fall in %(year)s.")
                % {"day": day.strftime("%d/%m/%Y"), "year": year}
            }
        )
    if day > today():
        raise ValidationError({"on": _("The date may not be in the future.")})
    scope = Scope(role="admin") if actor is None else scope_for(actor)
    shares = selectors.register_shares(unit_path=unit.path, on=day)
    systems = InformationSystem.objects.filter(unit_path__startswith=unit.path).count()
    source = _("Register of information systems (Thước đo): %(n)s systems on %(day)s") % {
        "n": systems,
        "day": day.strftime("%d/%m/%Y"),
    }
    values: dict[str, float | None] = {}
    written: list[str] = []
    refused: dict[str, str] = {}
    for code, key in register_targets():
        if only is not None and code not in only:
            continue
        value = shares.get(key)
        values[code] = value
        if value is None:
            continue
        try:
            result = submission_submit(
                scope=scope,
                actor=actor,
                indicator_code=code,
                unit_code=unit.code,
                period=str(year),
                value=value,
                source=source,
                on_day=day,
            )
        except (ValidationError, PermissionDenied) as exc:
            if strict:
                raise
            refused[code] = "; ".join(
                exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            )
            continue
        if result.changed:
            written.append(code)
    return {
        "unit": unit.code,
        "year": year,
        "on": day.isoformat(),
        "systems": systems,
        "values": values,
        "written": written,
        "refused": refused,
    }
