"""Writes for the organisation registry: create, update, merge, membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from thuocdo.accounts.models import Role, User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.domain import agency, identity, size, vsic
from thuocdo.assessments.models import (
    Campaign,
    EntityType,
    Organisation,
    OrganisationMember,
    Response,
    SizeClass,
)
from thuocdo.assessments.services.common import FieldErrors, commune_resolve, require_covers
from thuocdo.core.collation import vi_collation_key
from thuocdo.core.text import clean
from thuocdo.geo.models import Level, Structure, Unit

ORG_FIELDS = (
    "registry_id",
    "tax_code",
    "agency_code",
    "name",
    "entity_type",
    "vsic",
    "sector",
    "size_class",
    "unit_path",
    "address",
    "contact_name",
    "phone",
    "email",
)
EDITABLE = frozenset(
    {
        "name",
        "tax_code",
        "entity_type",
        "vsic",
        "size_class",
        "employees",
        "revenue",
        "capital",
        "commune_code",
        "address",
        "contact_name",
        "phone",
        "email",
        "agency_code",
        "parent_code",
        "admin_unit_code",
    }
)
ID_MESSAGES = {
    "format": gettext_noop(
        "The tax code must have 10 digits, or 13 with the branch suffix; a citizen-ID "
        "number has 12 digits."
    ),
    "checksum": gettext_noop("The tax code's check digit is wrong: check the number."),
    "citizen_id": gettext_noop(
        "The citizen-ID number does not start with a valid province code (001–096)."
    ),
}
AGENCY_CODE_MESSAGES = {
    "format": gettext_noop(
        "The electronic identifier code has four parts separated by dots, "
        "3 digits.2 digits.2 digits.a capital letter and 2 digits (for example 000.00.31.H26)."
    ),
    "level1": gettext_noop("The level-1 part of the electronic identifier code cannot be 00."),
    "hierarchy": gettext_noop(
        "A level of the electronic identifier code is set under an empty (zero) higher level."
    ),
}


class DuplicateOrganisationError(ValidationError):
    """The organisation is already registered; ``existing`` is the one found."""

    def __init__(self, field: str, message: str, existing: Organisation) -> None:
        super().__init__({field: [message]})
        self.existing = existing


def org_snapshot(org: Organisation) -> dict[str, Any]:
    data = {name: getattr(org, name) for name in ORG_FIELDS}
    data["commune"] = org.commune.code if org.commune_id else None
    data["parent"] = org.parent.agency_code if org.parent is not None else None
    data["admin_unit"] = org.admin_unit.code if org.admin_unit is not None else None
    return data


_UNSET: Any = object()


@dataclass
class _Clean:
    values: dict[str, Any]
    commune: Unit | None
    parent: Organisation | None = _UNSET  # _UNSET: not given
    admin_unit: Unit | None = _UNSET


def _clean(data: dict[str, Any], *, partial: bool) -> _Clean:
    """Validate the fields given; every problem is named by field."""
    errors = FieldErrors()
    out: dict[str, Any] = {}
    commune: Unit | None = None
    if "name" in data or not partial:
        name = clean(str(data.get("name") or ""))
        if not name:
            errors.add("name", _("The name is required."))
        elif len(name) > 300:
            errors.add("name", _("The name is longer than 300 characters."))
        out["name"] = name
    if "tax_code" in data:
        raw = str(data.get("tax_code") or "").strip()
        if raw:
            try:
                out["tax_code"] = identity.normalise_identifier(raw)[1]
            except identity.InvalidIdentifierError as exc:
                errors.add("tax_code", _(ID_MESSAGES[exc.code]) + f" ({raw})")
        else:
            out["tax_code"] = None
    if "entity_type" in data or not partial:
        entity_type = str(data.get("entity_type") or "").strip()
        if entity_type not in EntityType.values:
            errors.add(
                "entity_type",
                _("Unknown entity type %(value)s; allowed: %(allowed)s.")
                % {"value": entity_type or "∅", "allowed": ", ".join(EntityType.values)},
            )
        out["entity_type"] = entity_type
    if "vsic" in data:
        raw = str(data.get("vsic") or "").strip()
        if raw:
            try:
                parsed = vsic.parse(raw)
                out["vsic"] = parsed.code
                out["sector"] = vsic.sector_of(parsed.code)
            except vsic.InvalidVsicError:
                errors.add(
                    "vsic",
                    _("%(value)s is not a VSIC 2018 code (a section letter or 2–5 digits).")
                    % {"value": raw},
                )
        else:
            out["vsic"] = ""
            out["sector"] = "general"
    if data.get("size_class"):
        value = str(data["size_class"]).strip()
        if value not in SizeClass.values:
            errors.add(
                "size_class",
                _("Unknown size class %(value)s; allowed: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(SizeClass.values)},
            )
        out["size_class"] = value
    elif data.get("employees") is not None:
        figures: dict[str, int | None] = {}
        for key in ("employees", "revenue", "capital"):
            raw_figure = data.get(key)
            if raw_figure is None or raw_figure == "":
                figures[key] = None
                continue
            try:
                figures[key] = int(raw_figure)
                if figures[key] < 0:  # type: ignore[operator]
                    raise ValueError
            except (TypeError, ValueError):
                errors.add(key, _("Enter a whole number, zero or more."))
        if not errors and figures["employees"] is not None:
            group = vsic.size_group(out.get("vsic") or "G")
            out["size_class"] = size.size_class(
                employees=figures["employees"],
                revenue=figures["revenue"],
                capital=figures["capital"],
                group=group,
            )
    elif "size_class" in data:
        out["size_class"] = ""
    if "commune_code" in data or not partial:
        try:
            commune = commune_resolve(str(data.get("commune_code") or ""))
        except ValueError as exc:
            errors.add("commune_code", str(exc))
    for key, limit in (("address", 300), ("contact_name", 200), ("phone", 30)):
        if key in data:
            value = clean(str(data.get(key) or ""))
            if len(value) > limit:
                errors.add(key, _("At most %(n)d characters.") % {"n": limit})
            out[key] = value
    if "email" in data:
        value = str(data.get("email") or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                errors.add("email", _("Enter a valid e-mail address."))
        out["email"] = value
    parent: Organisation | None = _UNSET
    admin_unit: Unit | None = _UNSET
    if "agency_code" in data:
        raw = str(data.get("agency_code") or "").strip()
        if raw:
            try:
                out["agency_code"] = agency.parse_agency_code(raw).text
            except agency.InvalidAgencyCodeError as exc:
                errors.add("agency_code", _(AGENCY_CODE_MESSAGES[exc.code]) + f" ({raw})")
        else:
            out["agency_code"] = None
    if "parent_code" in data:
        raw = str(data.get("parent_code") or "").strip()
        parent = None
        if raw:
            try:
                text = agency.parse_agency_code(raw).text
            except agency.InvalidAgencyCodeError as exc:
                errors.add("parent_code", _(AGENCY_CODE_MESSAGES[exc.code]) + f" ({raw})")
            else:
                parent = (
                    Organisation.objects.select_related("commune")
                    .filter(agency_code=text, merged_into__isnull=True)
                    .first()
                )
                if parent is None:
                    errors.add(
                        "parent_code",
                        _("No agency with the electronic identifier code %(code)s is registered.")
                        % {"code": text},
                    )
    if "admin_unit_code" in data:
        raw = str(data.get("admin_unit_code") or "").strip()
        admin_unit = None
        if raw:
            admin_unit = Unit.objects.filter(structure=Structure.CURRENT, code=raw).first()
            if admin_unit is None or admin_unit.level == Level.DISTRICT:
                errors.add(
                    "admin_unit_code",
                    _(
                        "Unknown administrative unit %(code)s: use the current (2025) code of "
                        "the province or commune."
                    )
                    % {"code": raw},
                )
    errors.raise_if_any()
    return _Clean(out, commune, parent, admin_unit)


def _default_admin_unit(org: Organisation) -> Unit | None:
    """The administrative unit an agency serves when none is given: the commune of its seat for
    a commune People's Committee, the province of its seat for the others; none for a unit of a
    ministry."""
    if org.entity_type == EntityType.AGENCY_COMMUNE:
        return org.commune
    if org.entity_type == EntityType.AGENCY_MINISTRY_UNIT:
        return None
    return Unit.objects.filter(
        structure=Structure.CURRENT,
        level=Level.PROVINCE,
        path=agency.province_prefix(org.unit_path),
    ).first()


def _check_agency(org: Organisation, cleaned: _Clean) -> None:
    """The identity rules of agencies (after the fields were applied to ``org``): an agency has
    an electronic identifier code and no tax code, its administrative unit contains its seat,
    and its parent is an agency of the same province (for provincial agencies); an organisation
    that is not an agency has none of these."""
    errors = FieldErrors()
    is_agency = org.entity_type in agency.AGENCY_TYPES
    if cleaned.parent is not _UNSET:
        org.parent = cleaned.parent
    if not is_agency:
        for key, present in (
            ("agency_code", bool(org.agency_code)),
            ("parent_code", org.parent_id is not None),
            ("admin_unit_code", cleaned.admin_unit not in (_UNSET, None)),
        ):
            if present:
                errors.add(
                    key, _("Only state agencies have an electronic identifier code or a parent.")
                )
        org.admin_unit = None
        errors.raise_if_any()
        return
    if org.tax_code:
        errors.add(
            "tax_code",
            _("A state agency has no tax code here; give its electronic identifier code."),
        )
    if not org.agency_code:
        errors.add(
            "agency_code",
            _(
                "The electronic identifier code (Decision 20/2020/QĐ-TTg) of the agency is "
                "required."
            ),
        )
    else:
        code = agency.parse_agency_code(org.agency_code)
        group = agency.GROUP_OF_TYPE.get(org.entity_type)
        if group is not None and code.group != group:
            errors.add(
                "agency_code",
                _("The code of a %(type)s starts its level-1 part with %(group)s (%(code)s).")
                % {
                    "type": EntityType(org.entity_type).label,
                    "group": group,
                    "code": org.agency_code,
                },
            )
    unit = cleaned.admin_unit
    if unit is _UNSET:
        unit = org.admin_unit if org.admin_unit_id else _default_admin_unit(org)
    if unit is None and org.entity_type in agency.PROVINCIAL_TYPES:
        unit = _default_admin_unit(org)
    if unit is not None:
        if not org.unit_path.startswith(unit.path):
            errors.add(
                "admin_unit_code",
                _("The seat commune %(commune)s lies outside %(unit)s.")
                % {"commune": org.commune.name, "unit": unit.name},
            )
        wanted = {
            EntityType.AGENCY_COMMUNE: Level.COMMUNE,
            EntityType.AGENCY_DEPARTMENT: Level.PROVINCE,
        }.get(EntityType(org.entity_type))
        if wanted is not None and unit.level != wanted:
            errors.add(
                "admin_unit_code",
                _("The administrative unit of a %(type)s is a %(level)s.")
                % {"type": EntityType(org.entity_type).label, "level": Level(wanted).label},
            )
    org.admin_unit = unit
    parent = org.parent
    if parent is not None:
        if parent.pk is not None and parent.pk == org.pk:
            errors.add("parent_code", _("An agency cannot be its own parent."))
        elif parent.entity_type not in agency.AGENCY_TYPES:
            errors.add("parent_code", _("The parent must be a state agency."))
        else:
            ancestor: Organisation | None = parent
            seen = 0
            while ancestor is not None and seen < 20:
                if org.pk is not None and ancestor.pk == org.pk:
                    errors.add("parent_code", _("This parent would make a cycle of agencies."))
                    break
                ancestor = ancestor.parent
                seen += 1
            if (
                org.entity_type in agency.PROVINCIAL_TYPES
                or parent.entity_type in agency.PROVINCIAL_TYPES
            ) and agency.province_prefix(parent.unit_path) != agency.province_prefix(org.unit_path):
                errors.add(
                    "parent_code",
                    _("The parent agency %(parent)s (%(code)s) is in another province.")
                    % {"parent": parent.name, "code": parent.agency_code},
                )
    errors.raise_if_any()


def _check_duplicates(org: Organisation) -> None:
    others = Organisation.objects.filter(merged_into__isnull=True).exclude(pk=org.pk)
    if org.agency_code:
        found = Organisation.objects.filter(agency_code=org.agency_code).exclude(pk=org.pk).first()
        if found is not None:
            raise DuplicateOrganisationError(
                "agency_code",
                _(
                    "Electronic identifier code %(code)s is already registered to %(name)s "
                    "(registry id %(registry_id)s); use that agency."
                )
                % {"code": org.agency_code, "name": found.name, "registry_id": found.registry_id},
                found,
            )
    if org.tax_code:
        existing = others.filter(tax_code=org.tax_code).first()
        if existing is None:
            existing = Organisation.objects.filter(tax_code=org.tax_code).exclude(pk=org.pk).first()
        if existing is not None:
            raise DuplicateOrganisationError(
                "tax_code",
                _(
                    "Tax code %(tax_code)s is already registered to %(name)s (registry id "
                    "%(registry_id)s); use that organisation."
                )
                % {
                    "tax_code": org.tax_code,
                    "name": existing.name,
                    "registry_id": existing.registry_id,
                },
                existing,
            )
    existing = others.filter(name_folded=org.name_folded, commune_id=org.commune_id).first()
    if existing is not None:
        raise DuplicateOrganisationError(
            "name",
            _(
                "An organisation with the same name is already registered in this commune: "
                "%(name)s (registry id %(registry_id)s). Use it, or ask an officer to merge."
            )
            % {"name": existing.name, "registry_id": existing.registry_id},
            existing,
        )


def _apply(org: Organisation, cleaned: _Clean) -> None:
    for key, value in cleaned.values.items():
        setattr(org, key, value)
    if cleaned.commune is not None:
        org.commune = cleaned.commune
        org.unit_path = cleaned.commune.path
    key = identity.dedupe_key(org.name, org.commune.code)
    org.name_folded = key.split(":", 1)[1][:300]
    org.sort_key = vi_collation_key(org.name)[:900]


def _check_create_scope(scope: Scope, commune: Unit, via_campaign: Campaign | None) -> None:
    if scope.is_officer:
        require_covers(scope, commune.path)
        return
    if via_campaign is None or not commune.path.startswith(via_campaign.unit_path):
        raise PermissionDenied(
            _("Register the organisation through a campaign that covers its commune.")
        )


@transaction.atomic
def organisation_create(
    *,
    scope: Scope,
    actor: User | None,
    data: dict[str, Any],
    via_campaign: Campaign | None = None,
) -> Organisation:
    """Register an organisation. Officers register inside their area; respondents and
    visitors only through the self-assessment form of a campaign covering the commune."""
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    cleaned = _clean(
        {"tax_code": "", "vsic": "", "agency_code": "", "parent_code": "", **data}, partial=False
    )
    assert cleaned.commune is not None
    _check_create_scope(scope, cleaned.commune, via_campaign)
    org = Organisation(registry_id=identity.new_registry_id())
    _apply(org, cleaned)
    _check_agency(org, cleaned)
    _check_duplicates(org)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        _check_duplicates(org)  # a concurrent registration of the same tax code
        raise
    if actor is not None and actor.role == Role.RESPONDENT:
        OrganisationMember.objects.get_or_create(user=actor, defaults={"organisation": org})
    audit_record(
        actor=actor,
        action="organisation.create",
        object_type="assessments.organisation",
        object_id=org.pk,
        after=org_snapshot(org),
        unit_path=org.unit_path,
    )
    return org


def _can_edit(scope: Scope, org: Organisation) -> bool:
    if scope.is_officer:
        return scope.covers_path(org.unit_path)
    return (
        scope.user_id is not None
        and OrganisationMember.objects.filter(user_id=scope.user_id, organisation=org).exists()
    )


@transaction.atomic
def organisation_update(
    *, scope: Scope, actor: User | None, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    """Change an organisation's registry data (officers in scope, or its own members)."""
    org = Organisation.objects.select_for_update().select_related("commune").get(pk=organisation.pk)
    if not _can_edit(scope, org):
        raise PermissionDenied(_("You may not change this organisation."))
    if org.merged_into_id is not None:
        raise ValidationError(_("This organisation was merged into another one; change that one."))
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    cleaned = _clean(data, partial=True)
    if cleaned.commune is not None and scope.is_officer:
        require_covers(scope, cleaned.commune.path)
    before = org_snapshot(org)
    _apply(org, cleaned)
    _check_agency(org, cleaned)
    _check_duplicates(org)
    org.save()
    audit_record(
        actor=actor,
        action="organisation.update",
        object_type="assessments.organisation",
        object_id=org.pk,
        before=before,
        after=org_snapshot(org),
        unit_path=org.unit_path,
    )
    return org


@transaction.atomic
def organisation_merge(
    *, scope: Scope, actor: User | None, survivor: Organisation, duplicate: Organisation
) -> Organisation:
    """Merge ``duplicate`` into ``survivor``: its responses and members move to the survivor,
    the survivor takes its tax code when it has none, and the duplicate points at the survivor.
    Refused when both answered the same campaign (an officer first rejects one)."""
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers may merge organisations."))
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("An organisation cannot be merged into itself."))
    orgs = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    }
    keep, gone = orgs[survivor.pk], orgs[duplicate.pk]
    require_covers(scope, keep.unit_path)
    require_covers(scope, gone.unit_path)
    if keep.merged_into_id is not None or gone.merged_into_id is not None:
        raise ValidationError(_("One of these organisations was already merged."))
    clash = sorted(
        set(Response.objects.filter(organisation=keep).values_list("campaign_id", flat=True))
        & set(Response.objects.filter(organisation=gone).values_list("campaign_id", flat=True))
    )
    if clash:
        names = ", ".join(
            Campaign.objects.filter(pk__in=clash).order_by("pk").values_list("name", flat=True)
        )
        raise ValidationError(
            _(
                "Both organisations answered the same campaign (%(campaigns)s); reject one of "
                "the two responses before merging."
            )
            % {"campaigns": names}
        )
    before = {"survivor": org_snapshot(keep), "duplicate": org_snapshot(gone)}
    moved = list(Response.objects.filter(organisation=gone).values_list("pk", flat=True))
    Response.objects.filter(organisation=gone).update(organisation=keep)
    OrganisationMember.objects.filter(organisation=gone).update(organisation=keep)
    tax_code, agency_code = gone.tax_code, gone.agency_code
    gone.merged_into = keep
    gone.tax_code = None
    gone.agency_code = None
    gone.save(update_fields=["merged_into", "tax_code", "agency_code", "updated_at"])
    Organisation.objects.filter(parent=gone).update(parent=keep)
    if keep.tax_code is None and tax_code:
        keep.tax_code = tax_code
        keep.save(update_fields=["tax_code", "updated_at"])
    if keep.agency_code is None and agency_code:
        keep.agency_code = agency_code
        keep.save(update_fields=["agency_code", "updated_at"])
    audit_record(
        actor=actor,
        action="organisation.merge",
        object_type="assessments.organisation",
        object_id=keep.pk,
        before=before,
        after={"survivor": org_snapshot(keep), "merged": gone.pk, "responses_moved": moved},
        unit_path=keep.unit_path,
    )
    return keep


@transaction.atomic
def organisation_member_add(
    *, scope: Scope, actor: User | None, organisation: Organisation, user: User
) -> OrganisationMember:
    """Link a respondent account to its organisation (officers in scope)."""
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers may link accounts to organisations."))
    require_covers(scope, organisation.unit_path)
    if user.role != Role.RESPONDENT:
        raise ValidationError({"user": [_("Only respondent accounts belong to an organisation.")]})
    member, _created = OrganisationMember.objects.update_or_create(
        user=user, defaults={"organisation": organisation}
    )
    audit_record(
        actor=actor,
        action="organisation.member_add",
        object_type="assessments.organisation",
        object_id=organisation.pk,
        after={"user": user.username},
        unit_path=organisation.unit_path,
    )
    return member
