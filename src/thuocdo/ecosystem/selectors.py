"""Reads of the ecosystem app, always filtered by the viewer's scope.

Visibility: approved listings are public; a provider also sees its own listings in every
status and only the connection requests addressed to it; officers see every listing and the
requests of organisations inside their area; a respondent sees the requests it made.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import PROVIDER, RESPONDENT, Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.assessments.models import Response
from thuocdo.assessments.selectors import member_organisation
from thuocdo.core.text import fold
from thuocdo.ecosystem.builtins import PLATFORM_PREFIX
from thuocdo.ecosystem.models import (
    ConnectionRequest,
    ConnectionStatus,
    Promotion,
    PromotionStatus,
    Provider,
    Solution,
    SolutionStatus,
)


def _own_providers(scope: Scope) -> Q:
    return Q(provider__users__id=scope.user_id)


def provider_list(*, scope: Scope) -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if scope.is_officer:
        return qs
    visible = Q(solutions__status=SolutionStatus.APPROVED)
    if scope.role == PROVIDER and scope.user_id is not None:
        visible |= Q(users__id=scope.user_id)
    return qs.filter(visible).distinct()


def provider_get(*, scope: Scope, provider_id: int) -> Provider:
    p = provider_list(scope=scope).filter(pk=provider_id).first()
    if p is None:
        raise Http404(_("No provider with id %(id)s.") % {"id": provider_id})
    return p


def my_providers(*, scope: Scope) -> QuerySet[Provider]:
    if scope.role != PROVIDER or scope.user_id is None:
        return Provider.objects.none()
    return Provider.objects.filter(users__id=scope.user_id)


def solution_list(
    *,
    scope: Scope,
    status: str | None = None,
    q: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    provider_id: int | None = None,
    mine: bool = False,
    sector: str | None = None,
    national: bool | None = None,
) -> QuerySet[Solution]:
    """Listings the viewer may see. ``sector``: those serving it (or every sector);
    ``national``: only the national platforms (True) or only the other products (False)."""
    qs = Solution.objects.select_related("provider")
    if mine:
        qs = qs.filter(_own_providers(scope)) if scope.role == PROVIDER else qs.none()
    elif scope.is_officer:
        pass
    elif scope.role == PROVIDER and scope.user_id is not None:
        qs = qs.filter(Q(status=SolutionStatus.APPROVED) | _own_providers(scope)).distinct()
    else:
        qs = qs.filter(status=SolutionStatus.APPROVED)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    if tag:
        qs = qs.filter(solution_tags__icontains=f'"{tag}"')
    if sector:
        qs = qs.filter(Q(sectors__icontains=f'"{sector}"') | Q(sectors=[]))
    if national is not None:
        platforms = Q(builtin=True, code__startswith=PLATFORM_PREFIX)
        qs = qs.filter(platforms) if national else qs.exclude(platforms)
    if q:
        needle = fold(q).lower()
        ids = [
            pk
            for pk, name, en in qs.values_list("pk", "name_vi", "name_en")
            if needle in fold(name).lower() or needle in fold(en).lower()
        ]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("sort_key", "id")


def solution_get(*, scope: Scope, solution_id: int) -> Solution:
    s = solution_list(scope=scope).filter(pk=solution_id).first()
    if s is None:
        raise Http404(_("No solution with id %(id)s.") % {"id": solution_id})
    return s


def approval_queue(*, scope: Scope) -> QuerySet[Solution]:
    require_officer(scope)
    return Solution.objects.select_related("provider").filter(status=SolutionStatus.PENDING)


def promotion_queue(*, scope: Scope) -> QuerySet[Promotion]:
    """Pending promotions, for the officers' approvals page."""
    require_officer(scope)
    return (
        Promotion.objects.select_related("solution", "solution__provider")
        .filter(status=PromotionStatus.PENDING)
        .order_by("created_at", "id")
    )


def promotion_get(*, scope: Scope, promotion_id: int) -> Promotion:
    p = promotion_list(scope=scope).filter(pk=promotion_id).first()
    if p is None:
        raise Http404(_("No promotion with id %(id)s.") % {"id": promotion_id})
    return p


def promotion_list(*, scope: Scope, solution_id: int | None = None) -> QuerySet[Promotion]:
    """Promotions of the listings the viewer may see: approved ones only, except that officers
    see every promotion and a provider also those of its own listings in every status. Asking
    for those of a listing the viewer may not see (another provider's draft) is refused as for
    the listing itself (404)."""
    if solution_id is not None:
        solution_get(scope=scope, solution_id=solution_id)
    visible = solution_list(scope=scope)
    qs = Promotion.objects.select_related("solution").filter(solution__in=visible)
    if not scope.is_officer:
        shown = Q(status=PromotionStatus.APPROVED)
        if scope.role == PROVIDER and scope.user_id is not None:
            shown |= Q(solution__provider__users__id=scope.user_id)
        qs = qs.filter(shown).distinct()
    if solution_id is not None:
        qs = qs.filter(solution_id=solution_id)
    return qs


def connection_list(
    *,
    scope: Scope,
    status: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    provider_id: int | None = None,
) -> QuerySet[ConnectionRequest]:
    qs = ConnectionRequest.objects.select_related("organisation", "solution", "provider", "commune")
    if scope.role == PROVIDER and scope.user_id is not None:
        qs = qs.filter(provider__users__id=scope.user_id)
    elif scope.is_officer:
        if scope.unit_path is not None:
            qs = qs.filter(unit_path__startswith=scope.unit_path)
        if scope.sectors is not None:
            qs = qs.filter(Q(sector__in=scope.sectors) | Q(sector="general") | Q(sector=""))
    elif scope.role == RESPONDENT and scope.user_id is not None:
        qs = qs.filter(requested_by_id=scope.user_id)
    else:
        raise PermissionDenied(_("Log in to see connection requests."))
    if status:
        qs = qs.filter(status=status)
    if commune:
        qs = qs.filter(commune__code=commune)
    if sector:
        qs = qs.filter(sector=sector)
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    return qs


def connection_get(*, scope: Scope, connection_id: int) -> ConnectionRequest:
    c = connection_list(scope=scope).filter(pk=connection_id).first()
    if c is None:
        raise Http404(_("No connection request with id %(id)s.") % {"id": connection_id})
    return c


def connection_summary(*, scope: Scope, by: str) -> list[dict[str, Any]]:
    """Officers: requests per commune, sector or provider, by status."""
    require_officer(scope)
    field = {"commune": "commune__name", "sector": "sector", "provider": "provider__name"}.get(by)
    if field is None:
        raise Http404(_("Unknown grouping %(by)s.") % {"by": by})
    rows: dict[str, dict[str, Any]] = {}
    qs = (
        connection_list(scope=scope)
        .values(field, "status")
        .annotate(n=Count("id"), anonymous=Count("id", filter=Q(without_account=True)))
    )
    for r in qs.order_by(field):
        key = r[field] or "—"
        row = rows.setdefault(
            key,
            {
                "key": key,
                "total": 0,
                "without_account": 0,
                **dict.fromkeys(ConnectionStatus.values, 0),
            },
        )
        row[r["status"]] += r["n"]
        row["total"] += r["n"]
        row["without_account"] += r["anonymous"]
    return list(rows.values())


def response_get(*, scope: Scope, response_id: int) -> Response:
    """A response whose recommendations the viewer may see."""
    r = Response.objects.select_related("framework", "organisation").filter(pk=response_id).first()
    if r is None:
        raise Http404(_("No response with id %(id)s.") % {"id": response_id})
    if scope.is_officer and scope.covers_path(r.unit_path) and scope.covers_sector(r.sector):
        return r
    if scope.user_id is not None and r.submitted_by_id == scope.user_id:
        return r
    member = member_organisation(scope)
    if member is not None and member.pk == r.organisation_id:
        return r
    raise PermissionDenied(_("You may not see this response."))
