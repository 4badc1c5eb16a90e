"""Declared access policies of pages and API endpoints.

Every view and API operation carries the policy it enforces, so the authorization-matrix test
can walk all routes and fail on any route without a declared policy. The decorator only
records the policy; the checks themselves stay in the selectors and services (``Scope``).

Policies:
- ``public``: anyone, including anonymous visitors;
- ``authenticated``: any logged-in user (respondents and providers included);
- ``officer``: admin, ministry, province and commune officers (object checks by scope);
- ``accounts``: officers who manage accounts: administrators, province and commune officers;
- ``ministry``: ministry officers (in their sectors) and system administrators;
- ``respondent``: the organisation's own users, and officers acting on its behalf;
- ``provider``: solution providers (their own listings), and officers;
- ``provider_only``: solution provider accounts only (their own dashboard);
- ``admin``: system administrators only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

POLICIES = frozenset(
    {
        "public",
        "authenticated",
        "officer",
        "accounts",
        "ministry",
        "respondent",
        "provider",
        "provider_only",
        "admin",
    }
)

# The roles of the product (``accounts.scopes``), and the roles each policy lets through. The
# rules table of ``docs/security.md`` and the authorization-matrix test both read this.
ROLES = ("admin", "ministry", "province", "commune", "respondent", "provider", "anonymous")
_OFFICERS = frozenset({"admin", "ministry", "province", "commune"})
POLICY_ROLES: dict[str, frozenset[str]] = {
    "public": frozenset(ROLES),
    "authenticated": frozenset(ROLES) - {"anonymous"},
    "officer": _OFFICERS,
    "accounts": frozenset({"admin", "province", "commune"}),
    "ministry": frozenset({"admin", "ministry"}),
    "respondent": _OFFICERS | {"respondent"},
    "provider": _OFFICERS | {"provider"},
    "provider_only": frozenset({"provider"}),
    "admin": frozenset({"admin"}),
}
assert set(POLICY_ROLES) == POLICIES

F = TypeVar("F", bound=Callable[..., Any])


def access(policy: str) -> Callable[[F], F]:
    """Record the access policy of a view or API operation (see the module docstring)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def mark(func: F) -> F:
        func.access_policy = policy  # type: ignore[attr-defined]
        return func

    return mark


def policy_of(func: Callable[..., Any]) -> str | None:
    return getattr(func, "access_policy", None)
