"""Writes of the catalogue: providers, solutions (draft → pending → approved/rejected) and
promotions (pending → approved/declined; an edit sends one back to pending). Providers manage
their own listings; officers approve them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import PROVIDER, Scope
from thuocdo.accounts.services import audit_record
from thuocdo.core.collation import vi_collation_key
from thuocdo.core.text import clean, nfc
from thuocdo.ecosystem import vocabulary
from thuocdo.ecosystem.models import (
    PriceModel,
    Promotion,
    PromotionStatus,
    Provider,
    Solution,
    SolutionStatus,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SECTOR_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")

# allowed status changes of a listing: (from, to)
SOLUTION_FLOW = {
    (SolutionStatus.DRAFT, SolutionStatus.PENDING),
    (SolutionStatus.REJECTED, SolutionStatus.PENDING),
    (SolutionStatus.PENDING, SolutionStatus.APPROVED),
    (SolutionStatus.PENDING, SolutionStatus.REJECTED),
}


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def provider_snapshot(p: Provider) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "tax_code": p.tax_code, "email": p.email}


def solution_snapshot(s: Solution) -> dict[str, Any]:
    return {
        "code": s.code,
        "provider": s.provider.code,
        "name_vi": s.name_vi,
        "category": s.category,
        "price_model": s.price_model,
        "price": None if s.price is None else str(s.price),
        "sectors": list(s.sectors),
        "entity_types": list(s.entity_types),
        "solution_tags": list(s.solution_tags),
        "criteria": list(s.criteria),
        "status": s.status,
    }


def promotion_snapshot(p: Promotion) -> dict[str, Any]:
    return {
        "solution": p.solution.code,
        "title": p.title,
        "free_trial_months": p.free_trial_months,
        "discount_percent": str(p.discount_percent),
        "valid_from": p.valid_from.isoformat(),
        "valid_to": p.valid_to.isoformat() if p.valid_to else None,
        "status": p.status,
    }


# ---------------------------------------------------------------- permission helpers


def can_manage_provider(scope: Scope, provider: Provider) -> bool:
    if scope.is_officer:
        return True
    if scope.role == PROVIDER and scope.user_id is not None:
        return provider.users.filter(pk=scope.user_id).exists()
    return False


def require_manage(scope: Scope, provider: Provider) -> None:
    if not can_manage_provider(scope, provider):
        raise PermissionDenied(_("Only this provider's own users or an officer may do this."))


def require_own(scope: Scope, provider: Provider) -> None:
    """A listing's or promotion's content changes only by the provider's own users: officers
    approve or reject it, never rewrite it."""
    if scope.role != PROVIDER or not can_manage_provider(scope, provider):
        raise PermissionDenied(_("Only this provider's own users may change its content."))


# ---------------------------------------------------------------- validation


def check_listing(
    *,
    tags: list[str],
    criteria: list[str],
    sectors: list[str],
    entity_types: list[str],
    known_criteria: frozenset[str] | None = None,
) -> dict[str, list[str]]:
    """Problems of a listing's references, by field (empty when it is valid)."""
    problems: dict[str, list[str]] = {}
    known = vocabulary.known_tags()
    bad = [t for t in tags if t not in known]
    if bad:
        problems["solution_tags"] = [
            _("Unknown solution tag(s): %(tags)s.") % {"tags": ", ".join(bad)}
        ]
    crits = known_criteria if known_criteria is not None else vocabulary.known_criteria()
    bad = [c for c in criteria if c not in crits]
    if bad:
        problems["criteria"] = [
            _(
                "Unknown criterion code(s): %(codes)s (write criteria-set code:criterion, "
                "e.g. sme-dx:S3)."
            )
            % {"codes": ", ".join(bad)}
        ]
    bad = [s for s in sectors if not SECTOR_RE.match(s)]
    if bad:
        problems["sectors"] = [_("Invalid sector code(s): %(codes)s.") % {"codes": ", ".join(bad)}]
    types = vocabulary.entity_types()
    bad = [e for e in entity_types if e not in types]
    if bad:
        problems["entity_types"] = [
            _("Unknown entity type(s): %(codes)s.") % {"codes": ", ".join(bad)}
        ]
    return problems


MAX_PRICE = Decimal(10**14 - 1)  # the column holds 14 digits
_VI_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")  # 150.000, 1.500.000


def parse_price(value: Any) -> Decimal | None:
    """A price in whole đồng. Text may group thousands with dots or spaces as Vietnamese does
    ("150.000", "1 500 000"); a decimal part ("150,5", "150.5") is refused, since prices are
    whole đồng and "150.5" could be read either way."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _invalid("price", _("The price must be a number."))
    text = str(value).replace("\u00a0", "").replace(" ", "")
    if isinstance(value, str) and _VI_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if isinstance(value, str) and "," in text:
        raise _invalid(
            "price", _("The price must be a whole number of đồng, without a decimal part.")
        )
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise _invalid("price", _("The price must be a number.")) from None
    if not price.is_finite():
        raise _invalid("price", _("The price must be a number."))
    if price < 0:
        raise _invalid("price", _("The price cannot be negative."))
    if price != price.to_integral_value():
        raise _invalid(
            "price", _("The price must be a whole number of đồng, without a decimal part.")
        )
    if price > MAX_PRICE:
        raise _invalid(
            "price",
            _("The price cannot be more than %(max)s đồng.") % {"max": "99.999.999.999.999"},
        )
    return price.quantize(Decimal(1))


def _codes(values: Any, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in re.split(r"[;,\s]+", values) if v]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise _invalid(field, _("Give a list of codes."))
    out: list[str] = []
    for v in values:
        v = nfc(v).strip()
        if v and v not in out:
            out.append(v)
    return out


# ---------------------------------------------------------------- providers


@transaction.atomic
def provider_create(
    *,
    scope: Scope,
    actor: User | None,
    code: str,
    name: str,
    tax_code: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    description: str = "",
    users: list[User] | None = None,
    builtin: bool = False,
) -> Provider:
    """Register a provider (officers; the system for built-in entries)."""
    if not (scope.is_officer or builtin):
        raise PermissionDenied(_("Only an officer may register a provider."))
    if not SLUG_RE.match(code or ""):
        raise _invalid("code", _("The code may use lower-case letters, digits and hyphens."))
    name = clean(name or "")
    if not name:
        raise _invalid("name", _("The name is required."))
    if Provider.objects.filter(code=code).exists():
        raise _invalid("code", _("A provider with code %(code)s exists.") % {"code": code})
    provider = Provider(
        code=code,
        name=name,
        sort_key=vi_collation_key(name),
        tax_code=clean(tax_code),
        website=website,
        email=email,
        phone=clean(phone),
        description=nfc(description).strip(),
        builtin=builtin,
    )
    provider.full_clean(exclude=["users"])
    provider.save()
    for user in users or []:
        if user.role != PROVIDER:
            raise _invalid("users", _("%(user)s is not a provider account.") % {"user": user})
        provider.users.add(user)
    audit_record(
        actor=actor,
        action="ecosystem.provider_create",
        object_type="ecosystem.provider",
        object_id=provider.pk,
        after=provider_snapshot(provider),
    )
    return provider


# ---------------------------------------------------------------- solutions


def _solution_fields(data: dict[str, Any], known_criteria: frozenset[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name_vi" in data:
        out["name_vi"] = clean(data["name_vi"] or "")
        if not out["name_vi"]:
            raise _invalid("name_vi", _("The Vietnamese name is required."))
        out["sort_key"] = vi_collation_key(out["name_vi"])
    for key in ("name_en", "category"):
        if key in data:
            out[key] = clean(data[key] or "")
    if "category" in out and not out["category"]:
        raise _invalid("category", _("The category is required."))
    for key in ("description_vi", "description_en", "url"):
        if key in data:
            out[key] = nfc(data[key] or "").strip()
    if "price_model" in data:
        if data["price_model"] not in PriceModel.values:
            raise _invalid(
                "price_model",
                _("Unknown price model %(value)s; use one of: %(allowed)s.")
                % {"value": data["price_model"], "allowed": ", ".join(PriceModel.values)},
            )
        out["price_model"] = data["price_model"]
    if "price" in data:
        out["price"] = parse_price(data["price"])
    for key in ("sectors", "entity_types", "solution_tags", "criteria"):
        if key in data:
            out[key] = _codes(data[key], key)
    problems = check_listing(
        tags=out.get("solution_tags", []),
        criteria=out.get("criteria", []),
        sectors=out.get("sectors", []),
        entity_types=out.get("entity_types", []),
        known_criteria=known_criteria,
    )
    if problems:
        raise ValidationError(problems)
    return out


@transaction.atomic
def solution_create(
    *,
    scope: Scope,
    actor: User | None,
    provider: Provider,
    code: str,
    data: dict[str, Any],
    builtin: bool = False,
    known_criteria: frozenset[str] | None = None,
) -> Solution:
    """A new listing, as a draft (built-in entries are approved at once)."""
    if not builtin:
        require_manage(scope, provider)
    if not SLUG_RE.match(code or ""):
        raise _invalid("code", _("The code may use lower-case letters, digits and hyphens."))
    if Solution.objects.filter(code=code).exists():
        raise _invalid("code", _("A solution with code %(code)s exists.") % {"code": code})
    fields = _solution_fields({"name_vi": "", "category": "", **data}, known_criteria)
    if not builtin and not (fields.get("solution_tags") or fields.get("criteria")):
        raise _invalid(
            "solution_tags",
            _("Give at least one solution tag or criterion the solution helps meet."),
        )
    solution = Solution(provider=provider, code=code, builtin=builtin, **fields)
    if builtin:
        solution.status = SolutionStatus.APPROVED
        solution.reviewed_at = timezone.now()
    solution.save()
    audit_record(
        actor=actor,
        action="ecosystem.solution_create",
        object_type="ecosystem.solution",
        object_id=solution.pk,
        after=solution_snapshot(solution),
    )
    return solution


@transaction.atomic
def solution_update(
    *, scope: Scope, actor: User | None, solution: Solution, data: dict[str, Any]
) -> Solution:
    """Change a listing (its provider's users only); an approved listing goes back to pending
    approval."""
    require_own(scope, solution.provider)
    before = solution_snapshot(solution)
    fields = _solution_fields(data, None)
    for key, value in fields.items():
        setattr(solution, key, value)
    if not (solution.solution_tags or solution.criteria):
        raise _invalid(
            "solution_tags",
            _("Give at least one solution tag or criterion the solution helps meet."),
        )
    if solution.status == SolutionStatus.APPROVED:
        solution.status = SolutionStatus.PENDING
    solution.save()
    audit_record(
        actor=actor,
        action="ecosystem.solution_update",
        object_type="ecosystem.solution",
        object_id=solution.pk,
        before=before,
        after=solution_snapshot(solution),
    )
    return solution


def _stamp_review(obj: Solution | Promotion, actor: User | None, note: str) -> None:
    obj.review_note = nfc(note).strip()
    obj.reviewed_by = actor
    obj.reviewed_at = timezone.now()


def _move(solution: Solution, to: str) -> None:
    if (solution.status, to) not in SOLUTION_FLOW:
        raise _invalid(
            "status",
            _("A listing cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": SolutionStatus(solution.status).label,
                "to": SolutionStatus(to).label,
            },
        )
    solution.status = to


@transaction.atomic
def solution_submit(*, scope: Scope, actor: User | None, solution: Solution) -> Solution:
    """Send a draft (or rejected) listing for approval."""
    require_manage(scope, solution.provider)
    before = solution_snapshot(solution)
    _move(solution, SolutionStatus.PENDING)
    solution.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="ecosystem.solution_submit",
        object_type="ecosystem.solution",
        object_id=solution.pk,
        before=before,
        after=solution_snapshot(solution),
    )
    return solution


@transaction.atomic
def solution_review(
    *, scope: Scope, actor: User | None, solution: Solution, approve: bool, note: str = ""
) -> Solution:
    """An officer of the whole country (the catalogue is national, see
    :func:`can_review_catalogue`) approves (makes public) or rejects a pending listing."""
    if not can_review_catalogue(scope):
        raise PermissionDenied(
            _("Only an officer of the whole country may approve or reject a listing.")
        )
    before = solution_snapshot(solution)
    if not approve and not clean(note):
        raise _invalid("note", _("Say why the listing is rejected."))
    _move(solution, SolutionStatus.APPROVED if approve else SolutionStatus.REJECTED)
    _stamp_review(solution, actor, note)
    solution.save()
    audit_record(
        actor=actor,
        action="ecosystem.solution_approve" if approve else "ecosystem.solution_reject",
        object_type="ecosystem.solution",
        object_id=solution.pk,
        before=before,
        after=solution_snapshot(solution),
    )
    return solution


# ---------------------------------------------------------------- promotions


def _date(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise _invalid(field, _("Write the date as YYYY-MM-DD.")) from None


def _promotion_fields(
    *, title: Any, free_trial_months: Any, discount_percent: Any, valid_from: Any, valid_to: Any
) -> dict[str, Any]:
    """Checked promotion fields; each problem names its field."""
    title = clean(title or "")
    if not title:
        raise _invalid("title", _("The title is required."))
    try:
        months = int(free_trial_months or 0)
    except (TypeError, ValueError):
        raise _invalid("free_trial_months", _("Give a whole number of months.")) from None
    if months < 0 or months > 120:
        raise _invalid("free_trial_months", _("The free trial must be 0 to 120 months."))
    try:
        discount = Decimal(str(discount_percent or 0))
    except InvalidOperation:
        raise _invalid("discount_percent", _("The discount must be a number.")) from None
    if not discount.is_finite() or discount < 0 or discount > 100:
        raise _invalid("discount_percent", _("The discount must be between 0 and 100 %."))
    start = _date(valid_from, "valid_from")
    if start is None:
        raise _invalid("valid_from", _("The start date is required."))
    end = _date(valid_to, "valid_to")
    if end is not None and end < start:
        raise _invalid("valid_to", _("The promotion cannot end before it starts."))
    if months == 0 and discount == 0:
        raise _invalid("free_trial_months", _("Give a free trial or a discount."))
    return {
        "title": title,
        "free_trial_months": months,
        "discount_percent": discount,
        "valid_from": start,
        "valid_to": end,
    }


def _touch(solution: Solution) -> None:
    """Bump the listing's ``updated_at``: the recommendation index is rebuilt on it."""
    Solution.objects.filter(pk=solution.pk).update(updated_at=timezone.now())


def can_review_catalogue(scope: Scope) -> bool:
    """The catalogue is national: officers of the whole country (admin, ministry without an
    area) review listings and promotions; provincial and commune officers do not."""
    return scope.is_officer and scope.unit_path is None


@transaction.atomic
def promotion_create(
    *,
    scope: Scope,
    actor: User | None,
    solution: Solution,
    title: str,
    free_trial_months: Any = 0,
    discount_percent: Any = 0,
    valid_from: Any,
    valid_to: Any = None,
    approved: bool = False,
) -> Promotion:
    """A free trial and/or discount on a listing for a period, pending an officer's approval.
    ``approved`` (demo data and imports by an officer of the whole country) approves it at
    once."""
    require_manage(scope, solution.provider)
    if approved and not can_review_catalogue(scope):
        raise PermissionDenied(_("Only an officer of the whole country may approve a promotion."))
    fields = _promotion_fields(
        title=title,
        free_trial_months=free_trial_months,
        discount_percent=discount_percent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    promotion = Promotion(solution=solution, **fields)
    if approved:
        promotion.status = PromotionStatus.APPROVED
        promotion.reviewed_by = actor
        promotion.reviewed_at = timezone.now()
    promotion.save()
    _touch(solution)
    audit_record(
        actor=actor,
        action="ecosystem.promotion_create",
        object_type="ecosystem.promotion",
        object_id=promotion.pk,
        after=promotion_snapshot(promotion),
    )
    return promotion


@transaction.atomic
def promotion_update(
    *, scope: Scope, actor: User | None, promotion: Promotion, data: dict[str, Any]
) -> Promotion:
    """Change a promotion (its provider's users only); it goes (back) to pending approval."""
    require_own(scope, promotion.solution.provider)
    before = promotion_snapshot(promotion)
    current = {
        "title": promotion.title,
        "free_trial_months": promotion.free_trial_months,
        "discount_percent": promotion.discount_percent,
        "valid_from": promotion.valid_from,
        "valid_to": promotion.valid_to,
    }
    unknown = sorted(set(data) - set(current))
    if unknown:
        raise _invalid(unknown[0], _("This field cannot be changed."))
    fields = _promotion_fields(**{**current, **data})
    for key, value in fields.items():
        setattr(promotion, key, value)
    promotion.status = PromotionStatus.PENDING
    promotion.review_note = ""
    promotion.reviewed_by = None
    promotion.reviewed_at = None
    promotion.save()
    _touch(promotion.solution)
    audit_record(
        actor=actor,
        action="ecosystem.promotion_update",
        object_type="ecosystem.promotion",
        object_id=promotion.pk,
        before=before,
        after=promotion_snapshot(promotion),
    )
    return promotion


@transaction.atomic
def promotion_review(
    *, scope: Scope, actor: User | None, promotion: Promotion, approve: bool, note: str = ""
) -> Promotion:
    """An officer of the whole country approves (makes public) or declines a pending
    promotion; declining needs a reason."""
    if not can_review_catalogue(scope):
        raise PermissionDenied(
            _("Only an officer of the whole country may approve or decline a promotion.")
        )
    if promotion.status != PromotionStatus.PENDING:
        raise _invalid(
            "status",
            _(
                "Only a pending promotion can be approved or declined; this one is “%(status)s” "
                "(edit it to send it for approval again)."
            )
            % {"status": PromotionStatus(promotion.status).label},
        )
    if not approve and not clean(note):
        raise _invalid("note", _("Say why the promotion is declined."))
    before = promotion_snapshot(promotion)
    promotion.status = PromotionStatus.APPROVED if approve else PromotionStatus.DECLINED
    _stamp_review(promotion, actor, note)
    promotion.save()
    _touch(promotion.solution)
    audit_record(
        actor=actor,
        action="ecosystem.promotion_approve" if approve else "ecosystem.promotion_decline",
        object_type="ecosystem.promotion",
        object_id=promotion.pk,
        before=before,
        after=promotion_snapshot(promotion),
    )
    return promotion
