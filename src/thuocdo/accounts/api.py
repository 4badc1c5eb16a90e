"""Accounts API: who am I, users in my scope, my tokens, the audit log in my scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from thuocdo.accounts import selectors, services
from thuocdo.accounts.models import ApiToken, User
from thuocdo.accounts.schemas import (
    AuditOut,
    MeOut,
    PasswordIn,
    ScopeOut,
    ThrottleLiftOut,
    ThrottleOut,
    TokenIn,
    TokenOut,
    UserCreateIn,
    UserOut,
    UserPatchIn,
)
from thuocdo.api.auth import AUTH
from thuocdo.api.paging import BoundedLimitOffset
from thuocdo.core.access import access
from thuocdo.geo.selectors import unit_get

router = Router(tags=["accounts"], auth=AUTH)


def user_out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.get("/me", response=MeOut)
@access("authenticated")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    scope = selectors.scope_for(user)
    return MeOut(
        **user_out(user).model_dump(),
        scope=ScopeOut(
            role=scope.role,
            unit_code=scope.unit_code,
            unit_name=scope.unit_name,
            sectors=sorted(scope.sectors) if scope.sectors is not None else None,
        ),
    )


@router.get("/users", response=list[UserOut])
@access("accounts")
@paginate(BoundedLimitOffset)
def list_users(request: HttpRequest) -> Any:
    scope = selectors.scope_for(_user(request))
    return selectors.user_list(scope=scope)


@router.get("/users/{user_id}", response=UserOut)
@access("accounts")
def get_user(request: HttpRequest, user_id: int) -> UserOut:
    scope = selectors.scope_for(_user(request))
    return user_out(selectors.user_get(scope=scope, user_id=user_id))


@router.post("/users", response={201: UserOut})
@access("accounts")
def create_user(request: HttpRequest, payload: UserCreateIn) -> Status[UserOut]:
    actor = _user(request)
    unit = unit_get(payload.unit_code) if payload.unit_code else None
    user = services.user_create(
        scope=selectors.scope_for(actor),
        actor=actor,
        username=payload.username,
        password=payload.password,
        role=payload.role,
        unit=unit,
        full_name=payload.full_name,
        email=payload.email,
        sectors=payload.sectors,
        department=payload.department,
    )
    return Status(201, user_out(user))


@router.patch("/users/{user_id}", response=UserOut)
@access("accounts")
def patch_user(request: HttpRequest, user_id: int, payload: UserPatchIn) -> UserOut:
    actor = _user(request)
    scope = selectors.scope_for(actor)
    target = selectors.user_get(scope=scope, user_id=user_id)
    changes = payload.model_dump(exclude_unset=True)
    if "unit_code" in changes:
        code = changes.pop("unit_code")
        changes["unit"] = unit_get(code) if code else None
    user = services.user_update(scope=scope, actor=actor, user=target, **changes)
    return user_out(user)


@router.get("/tokens", response=list[TokenOut])
@access("authenticated")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    tokens = ApiToken.objects.filter(user=_user(request), revoked_at__isnull=True).order_by(
        "-created_at"
    )
    return [TokenOut.model_validate(t, from_attributes=True) for t in tokens]


@router.post("/tokens", response={201: TokenOut})
@access("authenticated")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    user = _user(request)
    token, clear = services.token_create(
        actor=user, user=user, name=payload.name, days=payload.days
    )
    out = TokenOut.model_validate(token, from_attributes=True)
    out.token = clear
    return Status(201, out)


@router.delete("/tokens/{token_id}", response={204: None})
@access("authenticated")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    user = _user(request)
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        from django.http import Http404
        from django.utils.translation import gettext as _

        raise Http404(_("No active token with id %(id)s.") % {"id": token_id})
    services.token_revoke(actor=user, token=token)
    return Status(204, None)


@router.get("/audit", response=list[AuditOut])
@access("officer")
@paginate(BoundedLimitOffset)
def list_audit(
    request: HttpRequest, object_type: str | None = None, object_id: str | None = None
) -> Any:
    scope = selectors.scope_for(_user(request))
    return selectors.audit_list(scope=scope, object_type=object_type, object_id=object_id)


@router.post("/users/{user_id}/password", response={204: None})
@access("accounts")
def set_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> Status[None]:
    """Set an account's password (the password policy applies)."""
    actor = _user(request)
    scope = selectors.scope_for(actor)
    target = selectors.user_get(scope=scope, user_id=user_id)
    services.user_set_password(scope=scope, actor=actor, user=target, password=payload.password)
    return Status(204, None)


@router.get("/throttles", response=list[ThrottleOut])
@access("admin")
def list_throttles(request: HttpRequest) -> list[ThrottleOut]:
    """Accounts and addresses throttled after failed logins."""
    selectors.require_admin(selectors.scope_for(_user(request)))
    return [
        ThrottleOut(kind=t.kind, key=t.key, failures=t.failures, wait_seconds=t.wait)
        for t in selectors.login_throttles()
    ]


@router.delete("/throttles", response=ThrottleLiftOut)
@access("admin")
def lift_throttle(request: HttpRequest, username: str = "", ip: str = "") -> ThrottleLiftOut:
    """Forget the failed logins of an account (``username``) and/or an address (``ip``)."""
    actor = _user(request)
    selectors.require_admin(selectors.scope_for(actor))
    count = services.login_throttle_lift(actor=actor, username=username, ip=ip)
    return ThrottleLiftOut(forgotten=count)
