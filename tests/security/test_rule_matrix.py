"""The rules table, requested (the authorization matrix): every operation × every role × an object inside and one outside
the role's reach, through the Django test client, against real objects.

The operations come from the URL conf and the API's routers (``thuocdo.core.routes``), their
rules from ``thuocdo.core.rules``. For each operation and role the rule says allowed or refused:
refused when the policy does not let the role through (anonymous users everywhere but on public
operations), or when an object in the path is outside the role's reach; allowed otherwise. The
answer must agree: allowed is 2xx or 3xx (a write whose content the service judges — 400, 409, or
a 422 that names no body field — got past the rule too); refused is 401, 403, 404 or a redirect
to the login page. An operation without a rule fails (``test_every_operation_has_a_rule``).

Each call runs in a savepoint rolled back afterwards: a write by one role (a revoked token, a
merged organisation) never changes what the next role is called on.

Objects the world below does not make (submissions, proposals, evidence, import jobs, link codes,
some values) are called with a placeholder: for those only the refusals are compared (an allowed
role finds no object); ``MATRIX_COUNTS`` says how many calls are compared in full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone
from tests.assessments.factories import DANANG_COMMUNE, HANOI_COMMUNES
from tests.ecosystem import factories as f

from thuocdo.core import rules as rules_mod
from thuocdo.core.routes import UNSAFE
from thuocdo.core.rules import ANY, LINK_CODE, OWN, SCOPED, VALUE, Rule

pytestmark = pytest.mark.django_db

ROLES = ("admin", "ministry", "province", "commune", "respondent", "provider", "anonymous")
RULES = rules_mod.rules()
IN, OUT = "in", "out"

# The roles that reach the object made inside Đà Nẵng (48) / the retail sector / the provider's
# own listings (IN), and the one made outside: Hà Nội, tourism, another provider (OUT). What the
# rule's text says each object is to each role; a parameter not named here: administrators only
# outside, every officer inside.
OFFICERS = frozenset({"admin", "ministry", "province", "commune"})
# the pages whose ``{pk}`` is a response (the other assessments pages name a campaign)
RESPONSE_PAGES = frozenset({"assessments:response", "assessments:response-decide"})
REACH: dict[str, dict[str, frozenset[str]]] = {
    "organisation_id": {IN: OFFICERS | {"respondent"}, OUT: frozenset({"admin"})},
    "response_id": {IN: OFFICERS | {"respondent"}, OUT: frozenset({"admin"})},
    "user_id": {IN: frozenset({"admin", "province", "commune"}), OUT: frozenset({"admin"})},
    "campaign_id": {IN: OFFICERS | {"respondent"}, OUT: frozenset({"admin", "ministry"})},
    "assessments:pk": {IN: OFFICERS | {"respondent"}, OUT: frozenset({"admin", "ministry"})},
    "solution_id": {IN: OFFICERS | {"provider"}, OUT: OFFICERS},
    "promotion_id": {IN: OFFICERS | {"provider"}, OUT: OFFICERS},
    "plan_id": {
        IN: frozenset({"admin", "province", "ministry"}),
        OUT: frozenset({"admin", "ministry"}),
    },
    "task_id": {
        IN: frozenset({"admin", "province", "ministry"}),
        OUT: frozenset({"admin", "ministry"}),
    },
}


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    values: dict[tuple[str, str], Any]  # (parameter, IN/OUT) → value
    owned: dict[str, int]  # role → its own token's id


@pytest.fixture
def world(make_user: Callable[..., Any], token_for: Callable[[Any], str]) -> World:
    from thuocdo.accounts.models import ApiToken
    from thuocdo.assessments.models import OrganisationMember
    from thuocdo.frameworks.models import FrameworkVersion
    from thuocdo.geo.models import Unit
    from thuocdo.plans.services import plan_instantiate

    danang = Unit.objects.get(structure="2025", code=DANANG_COMMUNE)
    hanoi = Unit.objects.get(structure="2025", code=HANOI_COMMUNES[0])
    users = {
        "admin": make_user("admin"),
        "ministry": make_user("ministry", sectors=["retail"]),
        "province": make_user("province", "48"),
        "commune": make_user("commune", DANANG_COMMUNE),
        "respondent": make_user("respondent", DANANG_COMMUNE),
        "provider": make_user("provider"),
    }
    tokens = {role: token_for(user) for role, user in users.items()}
    owned = {
        role: ApiToken.objects.filter(user=user).latest("pk").pk for role, user in users.items()
    }
    fv = FrameworkVersion.objects.get(code="sme-dx", version="2025.1")
    org_in = f.organisation(unit=danang, sector="retail")
    org_out = f.organisation(unit=hanoi, sector="tourism")
    OrganisationMember.objects.create(user=users["respondent"], organisation=org_in)
    camp_in = f.campaign(fv, area=Unit.objects.get(structure="2025", code="48"))
    camp_out = f.campaign(fv, area=Unit.objects.get(structure="2025", code="01"))
    resp_in, resp_out = f.response(org_in, camp_in), f.response(org_out, camp_out)
    prov_in, prov_out = f.provider(users=[users["provider"]]), f.provider()
    sol_in, sol_out = f.solution(prov_in, tags=["crm"]), f.solution(prov_out, tags=["crm"])
    today = timezone.localdate()
    promo_in = f.promotion(sol_in, start=today - timedelta(days=1))
    promo_out = f.promotion(sol_out, start=today - timedelta(days=1))
    plan_in = plan_instantiate(actor=None, framework="province-dx", unit_code="48", year=2025)
    plan_out = plan_instantiate(actor=None, framework="province-dx", unit_code="01", year=2025)
    target_in = make_user("respondent", DANANG_COMMUNE, username="muc-tieu-trong")
    target_out = make_user("respondent", HANOI_COMMUNES[0], username="muc-tieu-ngoai")
    token_for(target_out)
    stranger_token = ApiToken.objects.filter(user=target_out).latest("pk")
    values: dict[tuple[str, str], Any] = {}
    for param, inside, outside in (
        ("organisation_id", org_in.pk, org_out.pk),
        ("campaign_id", camp_in.pk, camp_out.pk),
        ("response_id", resp_in.pk, resp_out.pk),
        ("solution_id", sol_in.pk, sol_out.pk),
        ("promotion_id", promo_in.pk, promo_out.pk),
        ("plan_id", plan_in.pk, plan_out.pk),
        ("task_id", plan_in.tasks.order_by("pk")[0].pk, plan_out.tasks.order_by("pk")[0].pk),
        ("user_id", target_in.pk, target_out.pk),
        ("provider_id", prov_in.pk, prov_out.pk),
    ):
        values[(param, IN)], values[(param, OUT)] = inside, outside
    values[("token_id", OUT)] = stranger_token.pk
    values[("duplicate_id", IN)] = f.organisation(unit=danang, sector="retail").pk
    return World(users=users, tokens=tokens, values=values, owned=owned)


# Values of the parameters whose objects are reference data or values (ANY, VALUE).
FIXED = {
    "structure": "2025",
    "geo:code": "48",
    "frameworks:code": "sme-dx",
    "version": "2025.1",
    "indicators:code": "de-share-gdp",
    "kind": "province",
    "year": "2025",
    "n": "1",
    "fmt": "csv",
}


def _key(rule: Rule, param: str) -> str:
    for key in (f"{rule.name}:{param}", f"{rule.route.app}:{param}", param):
        if key in rules_mod.OBJECT_RULES:
            return key
    raise AssertionError(f"{rule.name}: no object rule for {param}")


def _value(rule: Rule, param: str, side: str, world: World, role: str) -> tuple[Any, bool]:
    """The value to call with, and whether an object is behind it."""
    key = _key(rule, param)
    if param == "token_id":
        if side == IN:
            return world.owned.get(role, world.owned["admin"]), role != "anonymous"
        return world.values[("token_id", OUT)], True
    if key in FIXED:
        return FIXED[key], True
    if (param, side) in world.values and key not in ("assessments:pk",):
        return world.values[(param, side)], True
    if key == "assessments:pk":
        kind = "response_id" if rule.name in RESPONSE_PAGES else "campaign_id"
        return world.values[(kind, side)], True
    return "1", False


def _expected(rule: Rule, role: str, sides: dict[str, str]) -> bool:
    if role not in rule.roles:
        return False
    if role == "anonymous" and rule.route.policy != "public":
        return False
    for param, side in sides.items():
        kind = rule.object_kind(param)
        if kind in (ANY, VALUE, LINK_CODE):
            continue
        if kind == OWN:  # an import job's author and administrators; a token: its owner only
            if role == "anonymous" or (side == OUT and not (role == "admin" and param == "job_id")):
                return False
            continue
        assert kind == SCOPED
        default = {IN: OFFICERS, OUT: frozenset({"admin"})}
        key = _key(rule, param)
        if key == "assessments:pk" and rule.name in RESPONSE_PAGES:
            key = "response_id"
        reach = REACH.get(key, REACH.get(param, default))
        if role not in reach[side]:
            return False
    return True


# Bodies whose example names objects: the world's own (IN) objects instead.
OVERRIDES: dict[str, Callable[[World], dict[str, Any]]] = {
    "POST /api/v1/accounts/users": lambda w: {
        "username": "moi-trong",
        "role": "respondent",
        "unit_code": DANANG_COMMUNE,
    },
    "POST /api/v1/ecosystem/solutions": lambda w: {
        "provider_id": w.values[("provider_id", IN)],
        "code": "giai-phap-moi",
        "name_vi": "Giải pháp mới",
        "category": "business",
        "solution_tags": ["crm"],
    },
    "POST /api/v1/ecosystem/connections": lambda w: {
        "organisation_id": w.values[("organisation_id", IN)],
        "solution_id": w.values[("solution_id", IN)],
    },
    "POST /api/v1/assessments/organisations/{organisation_id}/merge": lambda w: {
        "duplicate_id": w.values[("duplicate_id", IN)]
    },
}


def _expected_by_policy(rule: Rule, role: str) -> bool:
    return role in rule.roles and (role != "anonymous" or rule.route.policy == "public")


def _body(rule: Rule, schema: dict[str, Any]) -> Any:
    op = schema["paths"].get(rule.route.template, {}).get(rule.route.method.lower(), {})
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    ref = content["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    examples = component.get("examples") or [{}]
    return examples[0]


def _outcome(res: Any, write: bool) -> str:
    """allowed, refused, or unknown (a body the API itself refused: the rule is not reached)."""
    status = res.status_code
    login = resolve_url(settings.LOGIN_URL)
    if status in (401, 403, 404) or (
        status == 302 and res.headers.get("Location", "").startswith(login)
    ):
        return "refused"
    if status == 302 and getattr(res, "written", False):
        return "unknown"  # a form posted empty sends the caller back, allowed or not
    if status < 400:
        return "allowed"
    if status in (400, 409, 415, 422):
        return "unknown"  # the request's content was judged first: the rule is not reached
    return f"error {status}"


def _call(rule: Rule, url: str, role: str, world: World, body: Any) -> Any:
    client = Client()
    headers: dict[str, str] = {}
    if role != "anonymous":
        if rule.route.kind == "api":
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        else:
            client.force_login(world.users[role])
    if rule.route.kind == "page":
        res = client.get(url, headers=headers)
        if res.status_code == 405:
            res = client.post(url, headers=headers)
            res.written = True
        return res
    kwargs: dict[str, Any] = {"headers": headers}
    if rule.route.method in UNSAFE:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, rule.route.method.lower())(url, **kwargs)


MATRIX_COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _counts() -> Any:
    """The size of the matrix, printed when the module ends (``pytest -s``)."""
    yield
    if MATRIX_COUNTS:
        print(
            f"\nmatrix: {len(RULES)} operations × {len(ROLES)} roles: "
            + ", ".join(f"{k} {v}" for k, v in sorted(MATRIX_COUNTS.items()))
        )


def test_every_operation_has_a_rule() -> None:
    assert rules_mod.unruled() == []
    assert len(RULES) == len(rules_mod.all_routes()) >= 190


def test_the_walk_finds_pages_and_api_operations() -> None:
    names = {r.name for r in RULES}
    assert {"core:home", "accounts:users", "geo:unit"} <= names
    assert {"GET /api/v1/geo/units", "DELETE /api/v1/accounts/tokens/{token_id}"} <= names


def test_a_narrowed_operation_names_fewer_roles_than_its_policy() -> None:
    rule = next(r for r in RULES if r.name == "POST /api/v1/assessments/campaigns")
    assert rule.route.policy == "officer" and "commune" not in rule.roles
    stale = rules_mod.unruled([r.route for r in RULES if r.name != rule.name])
    assert stale == ["POST /api/v1/assessments/campaigns: narrowed, but no such operation"]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from thuocdo.api.main import api

    return api.get_openapi_schema()  # type: ignore[no-any-return]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_answer_is_what_the_rule_declares(
    rule: Rule, world: World, openapi: dict[str, Any]
) -> None:
    objects = [p for p, obj in rule.objects if obj.kind != VALUE]
    sides_list = [dict.fromkeys(objects, IN), dict.fromkeys(objects, OUT)] if objects else [{}]
    body = _body(rule, openapi) if rule.route.kind == "api" else None
    if rule.name in OVERRIDES:
        body = OVERRIDES[rule.name](world)
    diffs = []
    for sides in sides_list:
        no_object = False  # administrators reach everything: their 404 means no object here
        for role in ROLES:
            values, real = {}, True
            for param in rule.route.params:
                value, exists = _value(rule, param, sides.get(param, IN), world, role)
                values[param] = value
                real = real and exists
            expected = _expected(rule, role, sides)
            with transaction.atomic():
                res = _call(rule, rule.route.url(values), role, world, body)
                transaction.set_rollback(True)
            write = rule.route.method in UNSAFE or getattr(res, "written", False)
            got = _outcome(res, write)
            MATRIX_COUNTS["requests"] += 1
            if role == "admin" and res.status_code == 404:
                no_object = True
            if not real:  # a placeholder: the policy alone decides what is refused
                expected = _expected_by_policy(rule, role)
            if (
                got == "unknown"
                or (no_object and expected and got == "refused")
                or (not real and expected and got == "refused")
                or (getattr(res, "written", False) and expected and got == "refused")
            ):
                MATRIX_COUNTS["refusals only"] += 1
                continue  # the allowed side cannot be seen: no object, or a body refused
            MATRIX_COUNTS["compared"] += 1
            if got != ("allowed" if expected else "refused"):
                side = "/".join(sides.values()) or "—"
                diffs.append(
                    f"{role} ({side}): {res.status_code}, rule: {'allow' if expected else 'refuse'}"
                )
    MATRIX_COUNTS["diffs"] += len(diffs)
    assert not diffs, f"{rule.name} [{rule.route.policy}]: " + "; ".join(diffs)
