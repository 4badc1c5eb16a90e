"""Login pages, throttling, password hashing, API tokens and body size limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from thuocdo.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "mật-khẩu-đủ-dài-1"


def test_login_and_logout(client: Client, make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi")
    res = client.post("/accounts/login/", {"username": "so.hanoi", "password": PASSWORD})
    assert res.status_code == 302
    home = client.get("/").content.decode()
    assert "Thành phố Hà Nội" in home
    client.post("/accounts/logout/")
    assert "so.hanoi" not in client.get("/").content.decode()


def test_wrong_password_is_a_clear_vietnamese_error(client: Client, make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi")
    res = client.post("/accounts/login/", {"username": "so.hanoi", "password": "sai"})
    assert res.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in res.content.decode()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(make_user: Any) -> None:
    user = make_user("province", "01")
    assert user.password.startswith("argon2$")


def test_token_authentication(client: Client, make_user: Any, token_for: Any) -> None:
    user = make_user("province", "01")
    token = token_for(user)
    res = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert res.status_code == 200
    assert res.json()["scope"]["unit_code"] == "01"
    assert AuditEvent.objects.filter(action="token.create").exists()


def test_a_checked_token_is_not_read_again(
    make_user: Any, token_for: Any, django_assert_num_queries: Any
) -> None:
    from thuocdo.accounts.services import token_authenticate

    user = make_user("province", "01")
    token = token_for(user)
    with django_assert_num_queries(2):  # the token with its account, and its last use
        first = token_authenticate(token)
    with django_assert_num_queries(0):
        again = token_authenticate(token)
    assert again.pk == first.pk == user.pk and again.unit.code == "01"
    assert again is not first  # each request gets its own copy


def test_disabling_the_account_refuses_its_checked_token(make_user: Any, token_for: Any) -> None:
    from thuocdo.accounts.scopes import Scope
    from thuocdo.accounts.services import TokenError, token_authenticate, user_update

    user = make_user("province", "01")
    token = token_for(user)
    token_authenticate(token)
    user_update(scope=Scope(role="admin"), actor=None, user=user, is_active=False)
    with pytest.raises(TokenError, match=r"khóa|disabled"):
        token_authenticate(token)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer abc", "không đúng định dạng"),
        ("Bearer td_abcdefgh" + "x" * 40, "không hợp lệ"),
        ("Token something", "Bearer"),
    ],
)
def test_bad_tokens_get_clear_401(client: Client, header: str, message: str) -> None:
    res = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header)
    assert res.status_code == 401
    assert message in res.json()["detail"]


def test_revoked_token_is_refused(client: Client, make_user: Any, token_for: Any) -> None:
    user = make_user("province", "01")
    token = token_for(user)
    me = client.get("/api/v1/accounts/tokens", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    res = client.delete(
        f"/api/v1/accounts/tokens/{me[0]['id']}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert res.status_code == 204
    res = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert res.status_code == 401
    assert "thu hồi" in res.json()["detail"]


def test_oversized_body_is_refused(client: Client, make_user: Any, token_for: Any) -> None:
    token = token_for(make_user("admin"))
    body = '{"username": "' + "x" * (3 * 1024 * 1024) + '"}'
    res = client.post(
        "/api/v1/accounts/users",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert res.status_code == 413
    assert "quá lớn" in res.json()["detail"]


def test_validation_errors_name_the_field(client: Client, make_user: Any, token_for: Any) -> None:
    token = token_for(make_user("admin"))
    res = client.post(
        "/api/v1/accounts/users",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert res.status_code == 422
    fields = {e["field"]: e["message"] for e in res.json()["errors"]}
    assert fields["body.payload.username"] == "Trường này là bắt buộc."
    res = client.post(
        "/api/v1/accounts/users",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert res.status_code in (400, 422)
