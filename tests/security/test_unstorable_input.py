"""Values the database cannot store are refused as invalid input, never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_token_name_is_not_a_server_error(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    user = make_user("province", "48")
    res = client.post(
        "/api/v1/accounts/tokens",
        {"name": "khóa\x00thử", "days": 30},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(user)}"},
    )
    if connection.vendor == "postgresql":  # PostgreSQL text cannot hold NUL
        assert res.status_code == 422
        assert res.json()["detail"] == "Yêu cầu không hợp lệ."
    else:
        assert res.status_code == 201


@pytest.mark.parametrize("url", ["/geo/?q=h%00a", "/api/v1/geo/units?q=h%00a"])
def test_a_nul_character_in_a_search_is_not_a_server_error(client: Client, url: str) -> None:
    assert client.get(url).status_code < 500
