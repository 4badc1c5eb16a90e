"""A province officer sees and changes only its province, through pages and the API;
every write leaves an audit record."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db

HANOI, DANANG = "01", "48"


def _commune_of(province: str) -> str:
    from thuocdo.geo.models import Unit

    unit = Unit.objects.filter(
        structure="2025", level="commune", path__startswith=f"2025/{province}/"
    ).first()
    assert unit is not None
    return unit.code


@pytest.fixture
def world(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {
        "officer": make_user("province", HANOI, username="so.hanoi"),
        "inside": make_user("commune", _commune_of(HANOI), username="xa.hanoi"),
        "outside": make_user("commune", _commune_of(DANANG), username="xa.danang"),
    }


def _api(
    client: Client, token: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method)(path, **kwargs)


def test_api_lists_only_users_in_the_province(
    client: Client, world: dict[str, Any], token_for: Any
) -> None:
    token = token_for(world["officer"])
    res = _api(client, token, "get", "/api/v1/accounts/users")
    names = {u["username"] for u in res.json()["items"]}
    assert names == {"so.hanoi", "xa.hanoi"}


def test_api_refuses_reading_and_changing_outside(
    client: Client, world: dict[str, Any], token_for: Any
) -> None:
    token = token_for(world["officer"])
    outside = world["outside"]
    res = _api(client, token, "get", f"/api/v1/accounts/users/{outside.pk}")
    assert res.status_code == 403
    assert "ngoài phạm vi" in res.json()["detail"]
    res = _api(client, token, "patch", f"/api/v1/accounts/users/{outside.pk}", {"full_name": "X"})
    assert res.status_code == 403
    outside.refresh_from_db()
    assert outside.full_name == ""


def test_api_refuses_creating_or_moving_users_outside(
    client: Client, world: dict[str, Any], token_for: Any
) -> None:
    token = token_for(world["officer"])
    res = _api(
        client,
        token,
        "post",
        "/api/v1/accounts/users",
        {"username": "xa.moi", "role": "commune", "unit_code": _commune_of(DANANG)},
    )
    assert res.status_code == 403
    assert not User.objects.filter(username="xa.moi").exists()
    inside = world["inside"]
    res = _api(client, token, "patch", f"/api/v1/accounts/users/{inside.pk}", {"unit_code": DANANG})
    assert res.status_code == 403
    res = _api(client, token, "patch", f"/api/v1/accounts/users/{inside.pk}", {"role": "admin"})
    assert res.status_code == 403


def test_api_change_inside_is_audited(
    client: Client, world: dict[str, Any], token_for: Any
) -> None:
    token = token_for(world["officer"])
    inside = world["inside"]
    res = _api(
        client, token, "patch", f"/api/v1/accounts/users/{inside.pk}", {"full_name": "Nguyễn Văn A"}
    )
    assert res.status_code == 200
    event = AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(inside.pk), action="user.update"
    ).get()
    assert event.actor == world["officer"]
    assert event.before["full_name"] == "" and event.after["full_name"] == "Nguyễn Văn A"
    assert event.unit_path.startswith("2025/01/")


def test_api_create_inside_is_audited(
    client: Client, world: dict[str, Any], token_for: Any
) -> None:
    token = token_for(world["officer"])
    res = _api(
        client,
        token,
        "post",
        "/api/v1/accounts/users",
        {
            "username": "xa.moi",
            "role": "commune",
            "unit_code": _commune_of(HANOI),
            "password": "mot-mat-khau-dai-123",
        },
    )
    assert res.status_code == 201, res.content
    user = User.objects.get(username="xa.moi")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_audit_log_is_scoped(
    client: Client, world: dict[str, Any], token_for: Any, make_user: Any
) -> None:
    from thuocdo.accounts.services import audit_record

    audit_record(actor=None, action="x.change", object_type="x", object_id=1, unit_path="2025/48/")
    audit_record(actor=None, action="x.change", object_type="x", object_id=2, unit_path="2025/01/")
    token = token_for(world["officer"])
    items = _api(client, token, "get", "/api/v1/accounts/audit?object_type=x").json()["items"]
    assert [i["object_id"] for i in items] == ["2"]
    admin_token = token_for(make_user("admin"))
    items = _api(client, admin_token, "get", "/api/v1/accounts/audit?object_type=x").json()["items"]
    assert {i["object_id"] for i in items} == {"1", "2"}


def test_pages_are_scoped(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["officer"])
    page = client.get("/accounts/users/").content.decode()
    assert "xa.hanoi" in page and "xa.danang" not in page
    assert client.get(f"/accounts/users/{world['inside'].pk}/").status_code == 200
    res = client.get(f"/accounts/users/{world['outside'].pk}/")
    assert res.status_code == 403
    assert "ngoài phạm vi" in res.content.decode()


def test_respondents_and_anonymous_see_no_user_lists(
    client: Client, make_user: Any, token_for: Any
) -> None:
    respondent = make_user("respondent")
    res = _api(client, token_for(respondent), "get", "/api/v1/accounts/users")
    assert res.status_code == 403
    assert client.get("/api/v1/accounts/users").status_code == 401
    assert client.get("/accounts/users/").status_code == 302


def test_ministry_scope_is_national_but_sectoral(make_user: Any) -> None:
    from thuocdo.accounts.selectors import scope_for

    scope = scope_for(make_user("ministry", sectors=["retail"]))
    assert scope.covers_path("2025/48/")
    assert scope.covers_sector("retail") and not scope.covers_sector("tourism")
