"""Role × endpoint matrix, generated from the declared access policies.

1. Every page and API operation carries a policy from ``thuocdo.core.access``; a route
   without one fails with its name.
2. Every route that needs no object id is called as each role, and the answer must be what
   the policy implies: deny = 401, 403 or a redirect to the login page; allow = anything else.
3. Routes with ids in ``geo`` and ``accounts`` are called with objects made here; the object's
   scope narrows the allowed roles (e.g. a province officer of another province is refused).
   Routes with ids in other apps must have a policy and, unless public, refuse anonymous users.
4. State-changing API calls need a body: the few here get one from ``PAYLOADS``; the others
   (new endpoints included) are checked for refusing anonymous users. POST-only pages posted
   without their form, and routes called with a placeholder id, cannot show that an allowed
   role is allowed (the service refuses the empty form or the missing object): for them only
   the refusals are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from tests.security.routes import ALLOWED, OFFICERS, ROLES, UNSAFE, Route, all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
FIXTURE_APPS = frozenset({"geo", "accounts"})
PROVINCE_IN, PROVINCE_OUT = "48", "01"  # Đà Nẵng, Hà Nội


@dataclass
class World:
    """The users of each role and the objects the routes with ids are called on."""

    users: dict[str, Any]
    tokens: dict[str, str]
    commune_code: str
    target: Any  # a respondent account inside the commune officer's commune


@pytest.fixture
def world(make_user: Callable[..., Any], token_for: Callable[[Any], str]) -> World:
    from thuocdo.geo.models import Unit

    commune = (
        Unit.objects.filter(structure="2025", level="commune", path__startswith="2025/48/")
        .order_by("code")
        .first()
    )
    assert commune is not None
    users = {
        "respondent": make_user("respondent", commune.code),
        "provider": make_user("provider"),
        "commune": make_user("commune", commune.code),
        "province_in": make_user("province", PROVINCE_IN),
        "province_out": make_user("province", PROVINCE_OUT),
        "ministry_in": make_user("ministry", sectors=["retail"]),
        "ministry_out": make_user("ministry", sectors=["tourism"]),
        "admin": make_user("admin"),
    }
    target = make_user("respondent", commune.code, username="doanh-nghiep-muc-tieu")
    return World(
        users=users,
        tokens={role: token_for(user) for role, user in users.items()},
        commune_code=commune.code,
        target=target,
    )


# Roles whose scope covers the object a route with ids is called on (beyond the policy).
def _object_roles(route: Route) -> frozenset[str]:
    if route.name.startswith(("geo:", "GET /api/v1/geo/")):
        return frozenset(ROLES)
    if "{user_id}" in route.template:
        # the roles that manage accounts and whose area holds the target (ministries do not)
        return frozenset({"commune", "province_in", "admin"})
    if "{token_id}" in route.template:  # each role revokes a token of its own
        return frozenset(ROLES)
    raise AssertionError(f"no fixture object for {route.name}")


def _object_values(route: Route, world: World, role: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in route.params:
        if param == "structure":
            values[param] = "2025"
        elif param == "code":
            values[param] = PROVINCE_IN
        elif param == "user_id":
            values[param] = world.target.pk
        elif param == "token_id":
            from thuocdo.accounts.services import token_create

            owner = world.users.get(role) or world.users["admin"]
            values[param] = token_create(actor=owner, user=owner, name="matrix")[0].pk
        else:
            raise AssertionError(f"no fixture value for {param} in {route.name}")
    return values


# Bodies for state-changing operations, per role; roles the service itself refuses are listed.
def _create_user_body(world: World, role: str) -> dict[str, Any]:
    unit = {"commune": world.commune_code, "province_out": PROVINCE_OUT}.get(role, PROVINCE_IN)
    return {"username": f"moi-{role}", "role": "respondent", "unit_code": unit}


PAYLOADS: dict[str, tuple[Callable[[World, str], dict[str, Any]], frozenset[str]]] = {
    "POST /api/v1/accounts/users": (
        _create_user_body,
        OFFICERS - {"ministry_in", "ministry_out"},  # ministries do not manage accounts
    ),
    "PATCH /api/v1/accounts/users/{user_id}": (
        lambda world, role: {"full_name": f"Tên mới {role}"},
        frozenset(ROLES),
    ),
    "POST /api/v1/accounts/tokens": (lambda world, role: {"name": "khóa"}, frozenset(ROLES)),
}


def _client(world: World, role: str, route: Route) -> tuple[Client, dict[str, str]]:
    client = Client()
    headers: dict[str, str] = {}
    if role == "anonymous":
        return client, headers
    if route.kind == "api":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    else:
        client.force_login(world.users[role])
    return client, headers


def _call(client: Client, route: Route, url: str, body: Any, headers: dict[str, str]) -> Any:
    method = route.method.lower()
    if route.kind == "page":
        res = client.get(url, headers=headers)
        if res.status_code == 405:  # POST-only pages (log out, forms)
            res = client.post(url, headers=headers)
            res.posted_without_form = True
        return res
    kwargs: dict[str, Any] = {"headers": headers}
    if route.method in UNSAFE:
        kwargs.update(data=body if body is not None else {}, content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def _denied(res: Any, *, with_object: bool) -> bool:
    if res.status_code in (401, 403) or (with_object and res.status_code == 404):
        return True
    login = resolve_url(settings.LOGIN_URL)
    return res.status_code == 302 and res.headers.get("Location", "").startswith(login)


def test_every_route_declares_a_policy() -> None:
    missing = sorted(r.name for r in ROUTES if r.policy is None)
    assert not missing, "routes without @access(...): " + ", ".join(missing)
    assert len(ROUTES) >= 20  # the walk found pages and API operations


def test_the_walk_finds_pages_and_api_operations() -> None:
    names = {r.name for r in ROUTES}
    assert {"core:home", "accounts:users", "geo:unit"} <= names
    assert {"GET /api/v1/geo/units", "DELETE /api/v1/accounts/tokens/{token_id}"} <= names


def _cases() -> list[Any]:
    cases = []
    for route in ROUTES:
        if route.policy is None:
            continue
        needs_object = bool(route.params)
        full = not needs_object or route.app in FIXTURE_APPS
        if route.method in UNSAFE and route.name not in PAYLOADS:
            full = False
        cases.append(pytest.param(route, full, id=route.name))
    return cases


@pytest.mark.parametrize(("route", "full"), _cases())
def test_route_answers_each_role_as_its_policy_says(route: Route, full: bool, world: World) -> None:
    assert route.policy is not None
    roles = ROLES if full else ("anonymous",)
    allowed = ALLOWED[route.policy]
    if route.params and route.app in FIXTURE_APPS:
        allowed = allowed & _object_roles(route)
    payload = PAYLOADS.get(route.name)
    if payload is not None:
        allowed = allowed & payload[1]
    wrong = []
    for role in roles:
        if route.params and route.app in FIXTURE_APPS:
            values = _object_values(route, world, role)
        else:
            values = dict.fromkeys(route.params, "1")
        body = payload[0](world, role) if payload is not None else None
        client, headers = _client(world, role, route)
        res = _call(client, route, route.url(values), body, headers)
        posted_empty = getattr(res, "posted_without_form", False)
        denied = _denied(res, with_object=bool(route.params) or posted_empty)
        expected_allowed = role in allowed
        if route.policy != "public" and role == "anonymous":
            expected_allowed = False
        if (
            getattr(res, "posted_without_form", False)
            and expected_allowed
            and res.status_code
            in (
                400,
                403,
                404,
            )
        ):
            continue  # a form posted empty: only the refusal of other roles can be checked
        placeholder = bool(route.params) and route.app not in FIXTURE_APPS
        if placeholder and expected_allowed and res.status_code == 404:
            continue  # no object behind the placeholder id: only refusals can be checked here
        if denied == expected_allowed or res.status_code >= 500:
            wrong.append(
                f"{role}: {res.status_code} (expected {'allow' if expected_allowed else 'deny'})"
            )
    assert not wrong, f"{route.name} [{route.policy}]: " + "; ".join(wrong)
