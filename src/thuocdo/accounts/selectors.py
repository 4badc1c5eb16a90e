"""Reads for accounts, always filtered by the viewer's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from thuocdo.accounts.models import AuditEvent, User
from thuocdo.accounts.scopes import ANONYMOUS_SCOPE, Scope


def scope_for(user: Any) -> Scope:
    """The scope of a (possibly anonymous) user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS_SCOPE
    unit = user.unit
    sectors = frozenset(user.sectors) if user.role == "ministry" and user.sectors else None
    if user.is_superuser:
        return Scope(role="admin", user_id=user.pk)
    return Scope(
        role=user.role,
        user_id=user.pk,
        unit_path=unit.path if unit is not None else None,
        unit_code=unit.code if unit is not None else None,
        unit_name=unit.name if unit is not None else None,
        sectors=sectors,
        department=(getattr(user, "department", "") or "").strip() or None,
    )


def require_officer(scope: Scope) -> None:
    if not scope.is_officer:
        raise PermissionDenied(_("This page is for officers only."))


def require_path(scope: Scope, path: str | None) -> None:
    """Refuse access to an object whose unit lies outside the scope."""
    if not scope.covers_path(path):
        raise PermissionDenied(_("This lies outside your administrative area."))


def require_account_manager(scope: Scope) -> None:
    if not scope.manages_accounts:
        raise PermissionDenied(_("Only administrators and local officers manage accounts."))


def user_list(*, scope: Scope) -> QuerySet[User]:
    require_account_manager(scope)
    qs = User.objects.select_related("unit").order_by("username")
    if scope.unit_path is None:
        return qs
    return qs.filter(unit__path__startswith=scope.unit_path)


def user_get(*, scope: Scope, user_id: int) -> User:
    require_account_manager(scope)
    user = User.objects.select_related("unit").filter(pk=user_id).first()
    if user is None:
        from django.http import Http404

        raise Http404(_("No user with id %(id)s.") % {"id": user_id})
    if scope.unit_path is not None:
        require_path(scope, user.unit.path if user.unit else None)
    return user


def audit_list(
    *, scope: Scope, object_type: str | None = None, object_id: str | None = None
) -> QuerySet[AuditEvent]:
    require_officer(scope)
    qs = AuditEvent.objects.select_related("actor")
    if scope.unit_path is not None:
        qs = qs.filter(Q(unit_path__startswith=scope.unit_path))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
