"""Login protection (OWASP ASVS v4 2.2): growing delays per account from any address, per
address across user names, the client address from a trusted proxy only, the owner and
administrators told, an administrator lifts a throttle, the audit log, the idle timeout and
the password policy on every path that sets a password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from thuocdo.accounts.models import AuditEvent, LoginFailure
from thuocdo.cli import main as cli_main
from thuocdo.core.models import MailMessage

pytestmark = pytest.mark.django_db

PASSWORD = "mật-khẩu-đủ-dài-1"
LOGIN = "/accounts/login/"


def _post(addr: str, username: str, password: str, **headers: Any) -> Any:
    return Client(REMOTE_ADDR=addr).post(
        LOGIN, {"username": username, "password": password}, **headers
    )


def _age_failures(seconds: int, **filters: Any) -> None:
    """Move the recorded failures back in time, as if ``seconds`` had passed."""
    for row in LoginFailure.objects.filter(**filters):
        LoginFailure.objects.filter(pk=row.pk).update(at=row.at - timedelta(seconds=seconds))


def test_account_waits_growing_delays_across_addresses_and_the_right_password_then_works(
    make_user: Any,
) -> None:
    make_user("province", "01", username="so.hanoi")
    for n in range(5):  # five addresses, one wrong password each
        res = _post(f"10.0.1.{n}", "so.hanoi", "sai")
    assert res.status_code == 429  # the fifth failure starts the wait
    assert int(res["Retry-After"]) == 30
    # during the wait even the right password from a fresh address is refused
    res = _post("10.0.2.1", "so.hanoi", PASSWORD)
    assert res.status_code == 429
    assert "mật khẩu đúng" in res.content.decode()
    # after the wait: one more wrong try doubles the wait
    _age_failures(31, username="so.hanoi")
    res = _post("10.0.2.2", "so.hanoi", "sai")
    assert res.status_code == 429 and int(res["Retry-After"]) == 60
    _age_failures(61, username="so.hanoi")
    # the right password after the wait logs in, and forgets the failures
    res = _post("10.0.2.3", "so.hanoi", PASSWORD)
    assert res.status_code == 302
    assert not LoginFailure.objects.filter(username="so.hanoi").exists()


@override_settings(LOGIN_LOCK_MINUTES=2)
def test_the_delay_is_capped() -> None:
    from thuocdo.accounts.selectors import login_delay

    assert [login_delay(n, 5) for n in (4, 5, 6, 7, 8, 20)] == [0, 30, 60, 120, 120, 120]


@override_settings(LOGIN_ADDRESS_LIMIT=20)
def test_one_address_trying_many_user_names_is_throttled(make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi")
    codes = [_post("10.0.3.3", f"nguoi{n}", "password123").status_code for n in range(20)]
    assert codes[:19] == [401] * 19 and codes[19] == 429
    # the address waits, whichever name it tries next
    assert _post("10.0.3.3", "so.hanoi", PASSWORD).status_code == 429
    # another address is not concerned
    assert _post("10.0.3.4", "so.hanoi", PASSWORD).status_code == 302


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi")
    with override_settings(LOGIN_ADDRESS_LIMIT=3):
        # no trusted proxy: a forged header does not change the counted address
        for n in range(3):
            _post("10.0.4.4", f"x{n}", "sai", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"10.0.4.4"}
        LoginFailure.objects.all().delete()
        with override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.9.0.0/16"]):
            # behind the proxies, the client is the last address they did not add
            _post("127.0.0.1", "y", "sai", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.9.1.1")
            assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.7"]
            # the proxy's own address is never what is throttled
            for n in range(3):
                _post("127.0.0.1", f"z{n}", "sai", HTTP_X_FORWARDED_FOR="203.0.113.8")
            res = _post("127.0.0.1", "so.hanoi", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
            assert res.status_code == 302


def test_owner_and_administrators_are_told_once(make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi", email="so.hanoi@example.vn")
    make_user("admin", username="quantri", email="quantri@example.vn")
    make_user("admin", username="quantri2")  # no address: not told
    for n in range(8):
        _age_failures(3600, username="so.hanoi")  # each try after the wait
        _post(f"10.0.5.{n}", "so.hanoi", "sai")
    told = MailMessage.objects.filter(kind="login.attack")
    assert sorted(m.recipient.address for m in told) == [
        "quantri@example.vn",
        "so.hanoi@example.vn",
    ]
    body = told.first().body
    assert "so.hanoi" in body and "thuocdo accounts unthrottle so.hanoi" in body


def test_login_logout_failure_and_throttle_are_audited(make_user: Any) -> None:
    user = make_user("province", "01", username="so.hanoi")
    client = Client(REMOTE_ADDR="10.0.6.1")
    client.post(LOGIN, {"username": "so.hanoi", "password": "sai"})
    client.post(LOGIN, {"username": "so.hanoi", "password": PASSWORD})
    client.post("/accounts/logout/")
    for _ in range(5):
        client.post(LOGIN, {"username": "so.hanoi", "password": "sai"})
    client.post(LOGIN, {"username": "so.hanoi", "password": PASSWORD})
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk))
    actions = list(events.order_by("at", "id").values_list("action", flat=True))
    assert actions == [
        "login.failure",
        "login.success",
        "logout",
        *["login.failure"] * 5,
        "login.throttle",
        "login.throttled",
    ] or sorted(actions) == sorted(
        ["login.failure", "login.success", "logout"]
        + ["login.failure"] * 5
        + ["login.throttle", "login.throttled"]
    )
    failure = events.filter(action="login.failure").first()
    assert failure.after["ip"] == "10.0.6.1" and failure.unit_path  # seen by Hà Nội's officers
    # an unknown name is audited too (for administrators)
    _post("10.0.6.2", "khong.ai", "sai")
    assert AuditEvent.objects.filter(action="login.failure", object_id="khong.ai").exists()


def test_an_administrator_lifts_a_throttle_through_the_api(
    client: Client, make_user: Any, token_for: Any
) -> None:
    make_user("province", "01", username="so.hanoi")
    officer = token_for(make_user("province", "01"))
    admin = token_for(make_user("admin"))
    for n in range(5):
        _post(f"10.0.7.{n}", "so.hanoi", "sai")
    assert _post("10.0.7.9", "so.hanoi", PASSWORD).status_code == 429
    res = client.get("/api/v1/accounts/throttles", HTTP_AUTHORIZATION=f"Bearer {admin}")
    assert res.status_code == 200
    assert {k: v for k, v in res.json()[0].items() if k != "wait_seconds"} == {
        "kind": "account",
        "key": "so.hanoi",
        "failures": 5,
    }
    url = "/api/v1/accounts/throttles?username=so.hanoi"
    assert client.delete(url, HTTP_AUTHORIZATION=f"Bearer {officer}").status_code == 403
    res = client.delete(url, HTTP_AUTHORIZATION=f"Bearer {admin}")
    assert res.status_code == 200 and res.json() == {"forgotten": 5}
    assert AuditEvent.objects.filter(action="login.unthrottle").count() == 1
    assert _post("10.0.7.9", "so.hanoi", PASSWORD).status_code == 302


def test_an_administrator_lifts_a_throttle_from_the_command_line(
    make_user: Any, capsys: Any
) -> None:
    make_user("province", "01", username="so.hanoi")
    for _n in range(5):
        _post("10.0.8.8", "so.hanoi", "sai")
    assert cli_main(["accounts", "throttles"]) == 0
    assert '"key": "so.hanoi"' in capsys.readouterr().out
    assert cli_main(["accounts", "unthrottle", "so.hanoi"]) == 0
    assert '"forgotten": 5' in capsys.readouterr().out
    assert cli_main(["accounts", "unthrottle"]) == 1
    assert _post("10.0.8.8", "so.hanoi", PASSWORD).status_code == 302


@override_settings(SESSION_IDLE_MINUTES=30)
def test_an_idle_session_ends(make_user: Any) -> None:
    from thuocdo.core.middleware import IdleSessionMiddleware

    user = make_user("province", "01", username="so.hanoi")
    client = Client()
    assert client.post(LOGIN, {"username": "so.hanoi", "password": PASSWORD}).status_code == 302
    assert client.get("/api/v1/accounts/me").status_code == 200
    session = client.session
    session[IdleSessionMiddleware.KEY] -= 29 * 60  # still active
    session.save()
    assert client.get("/api/v1/accounts/me").status_code == 200
    session = client.session
    session[IdleSessionMiddleware.KEY] -= 31 * 60
    session.save()
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert AuditEvent.objects.filter(action="logout.idle", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("weak", ["1234567890", "password123", "qwertyuiop"])
def test_the_password_policy_applies_on_every_path(
    client: Client, make_user: Any, token_for: Any, weak: str
) -> None:
    target = make_user("province", "01", username="so.hanoi")
    admin = token_for(make_user("admin"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {admin}"}
    # API: creating an account, setting a password
    res = client.post(
        "/api/v1/accounts/users",
        {"username": "moi", "password": weak, "role": "province", "unit_code": "01"},
        content_type="application/json",
        **auth,
    )
    assert res.status_code == 422, res.content
    url = f"/api/v1/accounts/users/{target.pk}/password"
    res = client.post(url, {"password": weak}, content_type="application/json", **auth)
    assert res.status_code == 422 and "password" in res.content.decode()
    # command line: setting a password, creating an administrator
    assert cli_main(["accounts", "password", "so.hanoi", "--password", weak]) == 1
    assert cli_main(["createadmin", "--username", "qt", "--password", weak]) == 1
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    # a good one is accepted and works
    good = "một câu mật khẩu dài"
    res = client.post(url, {"password": good}, content_type="application/json", **auth)
    assert res.status_code == 204
    assert _post("10.0.9.1", "so.hanoi", good).status_code == 302
    assert cli_main(["accounts", "password", "so.hanoi", "--password", good + "!"]) == 0


def test_setting_a_password_stays_in_the_officers_scope(
    client: Client, make_user: Any, token_for: Any
) -> None:
    other = make_user("province", "79")
    officer = token_for(make_user("province", "01"))
    res = client.post(
        f"/api/v1/accounts/users/{other.pk}/password",
        {"password": "một câu mật khẩu dài"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer}",
    )
    assert res.status_code == 403
