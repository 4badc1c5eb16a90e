"""Hostile input is a 4xx, never a 500; tokens expire and a revocation holds at once."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.ops.fresh import FreshDb

HUGE = "99999999999999999999999"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
def test_a_null_full_name_is_refused_and_the_user_list_still_answers(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    admin = make_user("admin")
    target = make_user("respondent", "00004")
    token = token_for(admin)
    for field in ("full_name", "email", "role", "is_active"):
        res = client.patch(
            f"/api/v1/accounts/users/{target.pk}",
            {field: None},
            content_type="application/json",
            headers=_h(token),
        )
        assert res.status_code == 422, (field, res.content)
        assert res.json()["errors"][0]["field"] == field
    assert client.get("/api/v1/accounts/users", headers=_h(token)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/accounts/audit?offset={HUGE}",
        f"/api/v1/accounts/users?offset={HUGE}",
        f"/api/v1/plans/tasks?offset={HUGE}",
        f"/api/v1/ecosystem/solutions?offset={HUGE}",
    ],
)
def test_a_huge_offset_is_refused(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str], url: str
) -> None:
    res = client.get(url, headers=_h(token_for(make_user("admin"))))
    assert res.status_code == 422, res.content
    assert res.json()["errors"][0]["field"].endswith("offset")


@pytest.mark.django_db
def test_a_huge_id_in_a_body_is_refused(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    res = client.post(
        "/api/v1/assessments/responses",
        {"campaign_id": int(HUGE), "organisation_id": 1, "answers": {}},
        content_type="application/json",
        headers=_h(token_for(make_user("admin"))),
    )
    assert res.status_code in (404, 422), res.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/assessments/responses?commune=%ff%fe", "/analytics/?commune=%C3"]
)
def test_non_utf8_query_bytes_are_a_400(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str], url: str
) -> None:
    admin = make_user("admin")
    client.force_login(admin)
    res = client.get(url, headers=_h(token_for(admin)))
    assert res.status_code == 400
    assert "UTF-8" in res.content.decode()
    assert client.get("/analytics/?commune=%C3%A0").status_code != 400  # "à" is fine


@pytest.mark.django_db
@pytest.mark.parametrize("days", [None, 0, 366, 100000])
def test_every_token_expires_within_a_year(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str], days: Any
) -> None:
    res = client.post(
        "/api/v1/accounts/tokens",
        json.dumps({"name": "mãi mãi", "days": days}),
        content_type="application/json",
        headers=_h(token_for(make_user("province", "01"))),
    )
    assert res.status_code == 422, res.content
    from thuocdo.accounts.models import ApiToken

    assert not ApiToken.objects.filter(expires_at__isnull=True).exists()
    assert not ApiToken.objects.filter(name="mãi mãi").exists()


HOLDER = """
import json, pathlib, sys, time
from thuocdo.accounts.services import TokenError, token_authenticate
raw, folder = sys.argv[1], pathlib.Path(sys.argv[2])
token_authenticate(raw)
(folder / "ready").touch()
while not (folder / "go").exists():
    time.sleep(0.05)
try:
    token_authenticate(raw)
    print(json.dumps("accepted"))
except TokenError as exc:
    print(json.dumps(str(exc)))
"""

MAKE = """
import json
from thuocdo.accounts.models import User
from thuocdo.accounts.services import token_create
user = User.objects.create(username="tinh", role="admin", is_superuser=True)
token, raw = token_create(actor=user, user=user, name="t")
print(json.dumps([token.pk, raw]))
"""

REVOKE = """
import json
from thuocdo.accounts.models import ApiToken
from thuocdo.accounts.services import token_revoke
token = ApiToken.objects.get(pk={pk})
token_revoke(actor=token.user, token=token)
print(json.dumps(True))
"""


def test_a_revoked_token_is_refused_at_once_by_another_process(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.ops.fresh import ROOT

    db = fresh_db("revoke")
    assert db.run("migrate").returncode == 0
    pk, raw = db.python(MAKE)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import django; django.setup()\n" + HOLDER, raw, str(tmp_path)],
        env=db.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "ready").exists():
        assert holder.poll() is None, holder.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert db.python(REVOKE.format(pk=pk)) is True
    (tmp_path / "go").touch()
    out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) != "accepted"
