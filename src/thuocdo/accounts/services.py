"""Writes for accounts: users, tokens, login throttling and the single audit writer."""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import ApiToken, AuditEvent, LoginFailure, Role, User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import ACCOUNT_WINDOW, ADDRESS_WINDOW, login_throttle_wait
from thuocdo.core import rowsql
from thuocdo.core.text import nfc

TOKEN_RE = re.compile(r"^td_(?P<prefix>[a-z0-9]{8})(?P<secret>[A-Za-z0-9_-]{32,64})$")

# Tokens that passed every check, per process: the API's hot path then authenticates without
# a query. Revoking a token, or changing or disabling an account, touches the token
# generation file (in the data directory, shared by every process of the installation); a
# cached token is used only while that file is unchanged, so a revocation takes effect at
# once in every process. Expiry is checked on every request.
TOKEN_CACHE_SECONDS = 60.0
TOKEN_MAX_DAYS = 365
_TOKEN_CACHE_MAX = 1000
_token_cache: dict[str, tuple[float, int, Any, User]] = {}


def _generation_file() -> Path:
    return Path(settings.DATA_DIR) / "token-generation"


def _token_generation() -> int:
    try:
        return _generation_file().stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def token_cache_clear() -> None:
    """Forget every authenticated token, in this process and (through the generation file)
    in every other process of the installation."""
    _token_cache.clear()
    path = _generation_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    before = _token_generation()
    path.write_text(secrets.token_hex(8), encoding="utf-8")
    if _token_generation() == before:  # a file system with coarse timestamps
        os.utime(path, ns=(before + 1, before + 1))


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit_path: str = "",
) -> AuditEvent:
    """Write one audit event. Every write path of the product calls this inside its transaction."""
    label = "" if actor is None else f"{actor.username} ({actor.role})"
    event = AuditEvent(
        actor=actor,
        actor_label=label or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        unit_path=unit_path or "",
    )
    return rowsql.insert(event)


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "sectors": list(user.sectors or []),
        "department": user.department,
        "is_active": user.is_active,
    }


def check_password(password: str, user: User | None = None) -> None:
    """The password policy (``AUTH_PASSWORD_VALIDATORS``), applied on every path that sets a
    password: a ValidationError on the ``password`` field naming each rule it breaks."""
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc


def _check_scope_for(scope: Scope, *, role: str, unit: Any) -> None:
    if not scope.is_officer or not scope.can_manage_role(role):
        raise PermissionDenied(_("You may not manage accounts with this role."))
    if scope.unit_path is not None and (unit is None or not scope.covers_path(unit.path)):
        raise PermissionDenied(_("This lies outside your administrative area."))


@transaction.atomic
def user_create(
    *,
    scope: Scope,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    unit: Any = None,
    full_name: str = "",
    email: str = "",
    sectors: list[str] | None = None,
    department: str = "",
) -> User:
    """Create an account inside the creator's scope."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(role)s.") % {"role": role}})
    _check_scope_for(scope, role=role, unit=unit)
    username = nfc(username).strip()
    if not username:
        raise ValidationError({"username": _("A user name is required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name %(name)s is taken.") % {"name": username}}
        )
    user = User(
        username=username,
        full_name=nfc(full_name),
        email=email,
        role=role,
        unit=unit,
        sectors=sorted(set(sectors or [])),
        department=department,
        is_staff=False,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        object_type="accounts.user",
        object_id=user.pk,
        after=user_snapshot(user),
        unit_path=unit.path if unit else "",
    )
    return user


@transaction.atomic
def user_update(*, scope: Scope, actor: User | None, user: User, **changes: Any) -> User:
    """Change an account's profile, role, unit, sectors or activity inside the scope."""
    allowed = {"full_name", "email", "role", "unit", "sectors", "department", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    empty = sorted(name for name, value in changes.items() if value is None and name != "unit")
    if empty:
        raise ValidationError({name: _("This field cannot be empty.") for name in empty})
    _check_scope_for(scope, role=user.role, unit=user.unit)
    new_role = changes.get("role", user.role)
    new_unit = changes.get("unit", user.unit)
    _check_scope_for(scope, role=new_role, unit=new_unit)
    before = user_snapshot(user)
    for name, value in changes.items():
        setattr(user, name, nfc(value) if isinstance(value, str) else value)
    user.is_superuser = user.role == Role.ADMIN
    user.full_clean(exclude=["password"])
    user.save()
    transaction.on_commit(token_cache_clear)
    token_cache_clear()
    audit_record(
        actor=actor,
        action="user.update",
        object_type="accounts.user",
        object_id=user.pk,
        before=before,
        after=user_snapshot(user),
        unit_path=user.unit.path if user.unit else "",
    )
    return user


@transaction.atomic
def user_set_password(
    *, scope: Scope | None, actor: User | None, user: User, password: str
) -> None:
    """Set a password under the policy: the account's owner, or an officer who manages the
    account in their scope (``scope=None``: the command line). Every session and token of the
    account ends (Django's session hash changes with the password); API tokens stay."""
    if scope is not None and not (actor is not None and actor.pk == user.pk):
        _check_scope_for(scope, role=user.role, unit=user.unit)
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    token_cache_clear()
    audit_record(
        actor=actor,
        action="user.password",
        object_type="accounts.user",
        object_id=user.pk,
        unit_path=user.unit.path if user.unit else "",
    )


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, user: User, name: str, days: int = TOKEN_MAX_DAYS
) -> tuple[ApiToken, str]:
    """Create an API token and return it with its clear text, shown once. Every token
    expires, after at most TOKEN_MAX_DAYS days."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    if not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts from 1 to %(max)s days.") % {"max": TOKEN_MAX_DAYS}}
        )
    while True:
        prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=days)
    token = ApiToken.objects.create(
        user=user,
        name=nfc(name)[:100] or "token",
        prefix=prefix,
        key_hash=_hash_secret(secret),
        expires_at=expires,
    )
    audit_record(
        actor=actor,
        action="token.create",
        object_type="accounts.apitoken",
        object_id=token.pk,
        after={"user": user.username, "name": token.name, "prefix": prefix},
        unit_path=user.unit.path if user.unit else "",
    )
    return token, f"td_{prefix}{secret}"


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    token_cache_clear()
    transaction.on_commit(token_cache_clear)
    audit_record(
        actor=actor,
        action="token.revoke",
        object_type="accounts.apitoken",
        object_id=token.pk,
        before={"prefix": token.prefix},
        after={"revoked": True},
    )


class TokenError(Exception):
    """A bearer token that is malformed, unknown, expired or revoked."""


def token_authenticate(raw: str) -> User:
    """Return the active user a bearer token belongs to, or raise TokenError with a reason."""
    match = TOKEN_RE.match(raw.strip())
    if match is None:
        raise TokenError(
            _("The API token is malformed: expected td_ followed by 40 or more letters and digits.")
        )
    digest = _hash_secret(match["secret"])
    cache_key = f"{match['prefix']}:{digest}"
    now = timezone.now()
    hit = _token_cache.get(cache_key)
    generation = _token_generation()
    if hit is not None:
        until, seen, expires_at, cached = hit
        if (
            time.monotonic() < until
            and seen == generation
            and (expires_at is None or expires_at > now)
        ):
            return copy.copy(cached)
        _token_cache.pop(cache_key, None)
    token = (
        ApiToken.objects.select_related("user", "user__unit").filter(prefix=match["prefix"]).first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        raise TokenError(_("The API token is not valid."))
    if token.revoked_at is not None:
        raise TokenError(_("The API token has been revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenError(_("The API token has expired."))
    if not token.user.is_active:
        raise TokenError(_("The account of this API token is disabled."))
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if len(_token_cache) >= _TOKEN_CACHE_MAX:
        _token_cache.clear()
    user = token.user
    _token_cache[cache_key] = (
        time.monotonic() + TOKEN_CACHE_SECONDS,
        generation,
        token.expires_at,
        user,
    )
    return copy.copy(user)


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None = None
    locked: bool = False
    retry_after: int = 0


def _throttled_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "Too many failed attempts. Try again in %(minutes)s minutes; the right password "
        "works after this wait."
    ) % {"minutes": minutes}


def _user_named(key: str) -> User | None:
    return User.objects.filter(username__iexact=key).select_related("unit").first()


def _unit_path(user: User | None) -> str:
    return user.unit.path if user is not None and user.unit else ""


def _notify_attack(*, key: str, user: User | None, ip: str, failures: int) -> None:
    """Tell the owner of the account and every administrator that the account is throttled."""
    from django.utils import translation

    from thuocdo.core.mail import mail_allowed, mail_queue

    recipients: list[str] = []
    if user is not None and user.email:
        recipients.append(user.email)
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(email="")
    recipients += [a.email for a in admins]
    seen: set[str] = set()
    for address in recipients:
        if address.lower() in seen or not mail_allowed(address):
            continue
        seen.add(address.lower())
        with translation.override("vi"):
            subject = _("Thước đo: failed logins on the account %(name)s") % {"name": key}
            body = _(
                "%(count)s wrong passwords were tried for the account %(name)s in the last "
                "24 hours, the last one from the address %(ip)s. Each further try now waits "
                "longer. If it was not the owner, an administrator can see the attempts in the "
                "audit log and lift the throttle with: thuocdo accounts unthrottle %(name)s"
            ) % {"count": failures, "name": key, "ip": ip}
        mail_queue(to=address, subject=subject, body=body, kind="login.attack", ref=key)


@transaction.atomic
def _record_failure(*, key: str, ip: str) -> None:
    LoginFailure.objects.create(username=key, ip=ip)
    user = _user_named(key)
    failures = LoginFailure.objects.filter(
        username=key, at__gte=timezone.now() - ACCOUNT_WINDOW
    ).count()
    audit_record(
        actor=None,
        action="login.failure",
        object_type="accounts.user",
        object_id=user.pk if user else key[:100],
        after={"username": key, "ip": ip, "failures": failures},
        unit_path=_unit_path(user),
    )
    if failures == int(settings.LOGIN_FAILURE_LIMIT):
        audit_record(
            actor=None,
            action="login.throttle",
            object_type="accounts.user",
            object_id=user.pk if user else key[:100],
            after={"username": key, "ip": ip, "failures": failures, "scope": "account"},
            unit_path=_unit_path(user),
        )
        _notify_attack(key=key, user=user, ip=ip, failures=failures)
    address_failures = LoginFailure.objects.filter(
        ip=ip, at__gte=timezone.now() - ADDRESS_WINDOW
    ).count()
    if address_failures == int(settings.LOGIN_ADDRESS_LIMIT):
        audit_record(
            actor=None,
            action="login.throttle",
            object_type="accounts.address",
            object_id=ip,
            after={"ip": ip, "failures": address_failures, "scope": "address"},
        )


def login_attempt(*, username: str, password: str, ip: str, request: Any = None) -> LoginResult:
    """Check credentials with throttling (OWASP ASVS v4 2.2.1): after LOGIN_FAILURE_LIMIT
    failures of one account, from any address, each further try waits a growing delay; after
    LOGIN_ADDRESS_LIMIT failures from one address, across user names, so does that address.
    A try during the wait is refused without looking at the password; the right password
    after the wait logs in. No hard lock: the owner is never shut out for good."""
    key = nfc(username).strip().lower()
    account_wait, address_wait = login_throttle_wait(username=key, ip=ip)
    wait = max(account_wait, address_wait)
    if wait:
        user = _user_named(key)
        with transaction.atomic():
            audit_record(
                actor=None,
                action="login.throttled",
                object_type="accounts.user",
                object_id=user.pk if user else key[:100],
                after={"username": key, "ip": ip, "wait": wait},
                unit_path=_unit_path(user),
            )
        return LoginResult(None, _throttled_message(wait), locked=True, retry_after=wait)
    user = authenticate(request, username=nfc(username).strip(), password=password)
    if user is None:
        _record_failure(key=key, ip=ip)
        account_wait, address_wait = login_throttle_wait(username=key, ip=ip)
        wait = max(account_wait, address_wait)
        if wait:
            return LoginResult(None, _throttled_message(wait), locked=True, retry_after=wait)
        return LoginResult(None, _("Wrong user name or password."))
    assert isinstance(user, User)
    with transaction.atomic():
        LoginFailure.objects.filter(username=key).delete()
        audit_record(
            actor=user,
            action="login.success",
            object_type="accounts.user",
            object_id=user.pk,
            after={"ip": ip},
            unit_path=_unit_path(user),
        )
    return LoginResult(user)


def logout_record(*, user: User, ip: str) -> None:
    """Audit a logout."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action="logout",
            object_type="accounts.user",
            object_id=user.pk,
            after={"ip": ip},
            unit_path=_unit_path(user),
        )


def session_expired(*, user: User) -> None:
    """Audit a session ended by the idle timeout."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action="logout.idle",
            object_type="accounts.user",
            object_id=user.pk,
            unit_path=_unit_path(user),
        )


@transaction.atomic
def login_throttle_lift(*, actor: User | None, username: str = "", ip: str = "") -> int:
    """Forget the failed logins of an account and/or an address (system administrators only;
    ``actor=None`` is the command line); returns how many were forgotten."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator may lift a login throttle."))
    key = nfc(username).strip().lower()
    if not key and not ip:
        raise ValidationError({"username": _("Name an account or an address.")})
    rows = LoginFailure.objects.all()
    if key:
        rows = rows.filter(username=key)
    if ip:
        rows = rows.filter(ip=ip)
    count, _detail = rows.delete()
    user = _user_named(key) if key else None
    audit_record(
        actor=actor,
        action="login.unthrottle",
        object_type="accounts.user" if key else "accounts.address",
        object_id=(user.pk if user else key[:100]) if key else ip,
        after={"username": key, "ip": ip, "forgotten": count},
        unit_path=_unit_path(user),
    )
    return count
