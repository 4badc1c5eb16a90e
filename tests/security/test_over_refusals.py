"""A ministry officer moves the connection requests of its sectors (the rule: the requests it
can read); another sector's request stays out of reach (404, as for reading it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.ecosystem import factories as f

from thuocdo.ecosystem import connections

pytestmark = pytest.mark.django_db
API = "/api/v1/ecosystem"


def _move(client: Client, cid: int, token: str) -> Any:
    return client.post(
        f"{API}/connections/{cid}/transition",
        json.dumps({"to": "contacted"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_ministry_moves_a_connection_request_of_its_sector(
    client: Client, make_user: Any, token_for: Any
) -> None:
    sol = f.solution(f.provider(), tags=["crm"])
    retail = connections.connection_request(
        scope=f.ADMIN, actor=None, organisation=f.organisation(sector="retail"), solution=sol
    )
    other = connections.connection_request(
        scope=f.ADMIN, actor=None, organisation=f.organisation(sector="tourism"), solution=sol
    )
    ministry = token_for(make_user("ministry", sectors=["retail"]))
    res = _move(client, retail.pk, ministry)
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "contacted"
    assert _move(client, other.pk, ministry).status_code == 404
    assert _move(client, other.pk, token_for(make_user("ministry"))).status_code == 200
