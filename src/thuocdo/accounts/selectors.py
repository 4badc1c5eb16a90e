"""Reads for accounts, always filtered by the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import AuditEvent, LoginFailure, User
from thuocdo.accounts.scopes import ANONYMOUS_SCOPE, Scope
from thuocdo.core.text import nfc


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


def require_admin(scope: Scope) -> None:
    if scope.role != "admin":
        raise PermissionDenied(_("This is for system administrators only."))


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


# Failures of one account count for a day (or until its next successful login); failures from
# one address count for an hour.
ACCOUNT_WINDOW = timedelta(hours=24)
ADDRESS_WINDOW = timedelta(hours=1)


def login_delay(failures: int, limit: int) -> int:
    """Seconds to wait before the next try after ``failures`` failures (``limit`` free tries):
    LOGIN_DELAY_SECONDS after the limit, doubled with each further failure, at most
    LOGIN_LOCK_MINUTES."""
    if failures < limit:
        return 0
    longest = int(settings.LOGIN_LOCK_MINUTES) * 60
    return int(min(longest, int(settings.LOGIN_DELAY_SECONDS) * 2 ** min(failures - limit, 30)))


def _wait(rows: Any, limit: int, now: Any) -> int:
    stats = rows.aggregate(n=models.Count("id"), last=models.Max("at"))
    delay = login_delay(stats["n"], limit)
    if not delay or stats["last"] is None:
        return 0
    left = (stats["last"] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(left + 0.999))


def login_throttle_wait(*, username: str, ip: str) -> tuple[int, int]:
    """Seconds the account and the address must still wait before their next login try."""
    now = timezone.now()
    key = nfc(username).strip().lower()
    account = _wait(
        LoginFailure.objects.filter(username=key, at__gte=now - ACCOUNT_WINDOW),
        int(settings.LOGIN_FAILURE_LIMIT),
        now,
    )
    address = _wait(
        LoginFailure.objects.filter(ip=ip, at__gte=now - ADDRESS_WINDOW),
        int(settings.LOGIN_ADDRESS_LIMIT),
        now,
    )
    return account, address


@dataclass(frozen=True)
class Throttle:
    kind: str  # "account" or "address"
    key: str
    failures: int
    wait: int


def login_throttles() -> list[Throttle]:
    """Accounts and addresses with at least their limit of recent failures, with the seconds
    they still wait."""
    now = timezone.now()
    out: list[Throttle] = []
    accounts = (
        LoginFailure.objects.filter(at__gte=now - ACCOUNT_WINDOW)
        .values("username")
        .annotate(n=models.Count("id"), last=models.Max("at"))
        .filter(n__gte=int(settings.LOGIN_FAILURE_LIMIT))
        .order_by("username")
    )
    for row in accounts:
        delay = login_delay(row["n"], int(settings.LOGIN_FAILURE_LIMIT))
        left = (row["last"] + timedelta(seconds=delay) - now).total_seconds()
        out.append(Throttle("account", row["username"], row["n"], max(0, int(left + 0.999))))
    addresses = (
        LoginFailure.objects.filter(at__gte=now - ADDRESS_WINDOW)
        .values("ip")
        .annotate(n=models.Count("id"), last=models.Max("at"))
        .filter(n__gte=int(settings.LOGIN_ADDRESS_LIMIT))
        .order_by("ip")
    )
    for arow in addresses:
        delay = login_delay(arow["n"], int(settings.LOGIN_ADDRESS_LIMIT))
        left = (arow["last"] + timedelta(seconds=delay) - now).total_seconds()
        out.append(Throttle("address", arow["ip"], arow["n"], max(0, int(left + 0.999))))
    return out
