"""A legacy province carried into its successor: its plans, campaigns (with their responses
and published history) and users move under the province that took it over in 2025 (Kon Tum,
62 → Quảng Ngãi), each with a visible trail (``origin_unit`` on plans and campaigns, one
``*.carry_over`` audit event per object).

One function, :func:`legacy_carry_over`, used by ``thuocdo plans carry-over CODE``; a plan
imported under a legacy code goes through the same checks (``legacy_province``). Running it
again moves nothing (everything is under the successor already).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.services import audit_record, token_cache_clear, user_snapshot
from thuocdo.geo.models import Structure, Unit, UnitMapping
from thuocdo.geo.selectors import legacy_province
from thuocdo.plans.models import Plan

__all__ = ["CarryOver", "current_unit_of", "legacy_carry_over"]


@dataclass
class CarryOver:
    """What :func:`legacy_carry_over` moved."""

    legacy: Unit
    successor: Unit
    plans: list[int] = field(default_factory=list)
    campaigns: list[int] = field(default_factory=list)
    responses: int = 0
    users: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": _unit_dict(self.legacy),
            "to": _unit_dict(self.successor),
            "plans": self.plans,
            "campaigns": self.campaigns,
            "responses": self.responses,
            "users": self.users,
        }


def _unit_dict(unit: Unit) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name}


def current_unit_of(unit: Unit, *, fallback: Unit) -> Unit:
    """The current unit that took over the legacy ``unit`` (its primary mapping, else the
    first by sort order); ``fallback`` (the successor province) when it has none."""
    if unit.structure == Structure.CURRENT:
        return unit
    mapping = (
        UnitMapping.objects.filter(legacy=unit)
        .select_related("current")
        .order_by("-primary", "current__sort_key")
        .first()
    )
    return fallback if mapping is None else mapping.current


class _Mapper:
    def __init__(self, successor: Unit) -> None:
        self.successor = successor
        self._cache: dict[int, Unit] = {}

    def __call__(self, unit: Unit) -> Unit:
        if unit.pk not in self._cache:
            self._cache[unit.pk] = current_unit_of(unit, fallback=self.successor)
        return self._cache[unit.pk]


def _trail(legacy: Unit, old: Unit, new: Unit) -> dict[str, Any]:
    return {"from": _unit_dict(legacy), "unit_from": _unit_dict(old), "to": _unit_dict(new)}


def _carry_plans(result: CarryOver, actor: Any, legacy: Unit, units: _Mapper) -> None:
    for plan in Plan.objects.filter(
        unit__structure=Structure.LEGACY, unit__path__startswith=legacy.path
    ).select_related("unit"):
        old = plan.unit
        assert old is not None
        new = units(old)
        if (
            Plan.objects.filter(
                framework_code=plan.framework_code, level=plan.level, unit=new, year=plan.year
            )
            .exclude(pk=plan.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "unit": _(
                        "Plan “%(plan)s” of %(old)s cannot be carried into %(new)s: %(new)s has "
                        "a plan of the same frame and year %(year)s."
                    )
                    % {"plan": plan.title, "old": old.name, "new": new.name, "year": plan.year}
                }
            )
        plan.unit, plan.unit_path, plan.origin_unit = new, new.path, plan.origin_unit or old
        plan.save(update_fields=["unit", "unit_path", "origin_unit"])
        audit_record(
            actor=actor,
            action="plans.plan.carry_over",
            object_type="plans.plan",
            object_id=plan.pk,
            after=_trail(legacy, old, new),
            unit_path=new.path,
        )
        result.plans.append(plan.pk)


def _carry_strata(campaign: Any, units: _Mapper) -> None:
    """Population cells of legacy communes go to the current commune, cells that meet there
    added up (the unique cell stays unique)."""
    from thuocdo.assessments.models import Stratum

    cells = Stratum.objects.filter(campaign=campaign, commune__structure=Structure.LEGACY)
    if not cells.exists():
        return
    totals: dict[tuple[int, str, str], int] = {}
    for s in Stratum.objects.filter(campaign=campaign).select_related("commune"):
        key = (units(s.commune).pk, s.entity_type, s.size_class)
        totals[key] = totals.get(key, 0) + s.population
    Stratum.objects.filter(campaign=campaign).delete()
    Stratum.objects.bulk_create(
        Stratum(
            campaign=campaign,
            commune_id=commune_id,
            entity_type=etype,
            size_class=size,
            population=population,
        )
        for (commune_id, etype, size), population in sorted(totals.items())
    )


def _carry_campaigns(result: CarryOver, actor: Any, legacy: Unit, units: _Mapper) -> None:
    from thuocdo.analytics.tasks import queue_refresh
    from thuocdo.assessments.models import Campaign, Response
    from thuocdo.assessments.services.campaigns import campaign_snapshot

    for campaign in Campaign.objects.filter(
        area__structure=Structure.LEGACY, area__path__startswith=legacy.path
    ).select_related("area", "framework"):
        before = campaign_snapshot(campaign)
        old = campaign.area
        assert old is not None  # filtered on the area's structure
        new = units(old)
        now = timezone.now()
        legacy_rows = Response.objects.filter(
            campaign=campaign, commune__structure=Structure.LEGACY
        ).select_related("commune")
        count = 0
        for r in legacy_rows:
            commune = units(r.commune)
            Response.objects.filter(pk=r.pk).update(
                commune=commune, unit_path=commune.path, updated_at=now
            )
            count += 1
        # responses already in current communes keep them; their area changes with the campaign
        Response.objects.filter(campaign=campaign).exclude(
            commune__structure=Structure.LEGACY
        ).update(updated_at=now)
        _carry_strata(campaign, units)
        campaign.area, campaign.unit_path = new, new.path
        campaign.origin_unit = campaign.origin_unit or old
        campaign.save(update_fields=["area", "unit_path", "origin_unit"])
        after = campaign_snapshot(campaign) | _trail(legacy, old, new) | {"responses": count}
        audit_record(
            actor=actor,
            action="campaign.carry_over",
            object_type="assessments.campaign",
            object_id=campaign.pk,
            before=before,
            after=after,
            unit_path=new.path,
        )
        queue_refresh(campaign.pk)  # the columnar copy is read again under the new units
        result.campaigns.append(campaign.pk)
        result.responses += count


def _carry_users(result: CarryOver, actor: Any, legacy: Unit, units: _Mapper) -> None:
    from thuocdo.accounts.models import User

    for user in User.objects.filter(
        unit__structure=Structure.LEGACY, unit__path__startswith=legacy.path
    ).select_related("unit"):
        before = user_snapshot(user)
        old = user.unit
        assert old is not None
        new = units(old)
        User.objects.filter(pk=user.pk).update(unit=new)
        user.unit = new
        audit_record(
            actor=actor,
            action="user.carry_over",
            object_type="accounts.user",
            object_id=user.pk,
            before=before,
            after=user_snapshot(user) | _trail(legacy, old, new),
            unit_path=new.path,
        )
        result.users.append(user.pk)
    if result.users:
        transaction.on_commit(token_cache_clear)  # a cached token keeps no old scope


@transaction.atomic
def legacy_carry_over(*, actor: Any, legacy_code: str) -> CarryOver:
    """Carry every plan, campaign (with its responses and population cells) and user account of
    the legacy province ``legacy_code`` (and of its districts and communes) into the current
    units that took them over; each object moved is audited (``*.carry_over``) and plans and
    campaigns keep the legacy unit in ``origin_unit``. Only an administrator (or the system,
    ``actor=None``) carries a province over; a code that is not a legacy province's is
    refused."""
    if actor is not None and getattr(actor, "role", "") != "admin":
        raise PermissionDenied(_("Only an administrator carries a legacy province over."))
    found = legacy_province(legacy_code)
    if found is None:
        raise ValidationError(
            {
                "unit": _(
                    "%(code)s is not the code of a province of the legacy structure (before "
                    "1/7/2025) taken over by a current province."
                )
                % {"code": str(legacy_code or "").strip() or "—"}
            }
        )
    legacy, successor = found
    result = CarryOver(legacy=legacy, successor=successor)
    units = _Mapper(successor)
    _carry_plans(result, actor, legacy, units)
    _carry_campaigns(result, actor, legacy, units)
    _carry_users(result, actor, legacy, units)
    if result.plans or result.campaigns or result.users:
        audit_record(
            actor=actor,
            action="plans.province.carry_over",
            object_type="geo.unit",
            object_id=legacy.pk,
            after=result.as_dict(),
            unit_path=successor.path,
        )
    return result
