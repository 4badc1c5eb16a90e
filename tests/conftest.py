"""Shared fixtures: the test database gets the built-in data once per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        from thuocdo.core.builtins import load_builtins

        load_builtins()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """Create a user with a role and, optionally, a unit code of the current structure."""
    from thuocdo.accounts.models import User
    from thuocdo.geo.models import Unit

    counter = {"n": 0}

    def make(
        role: str = "province",
        unit: str | None = None,
        sectors: list[str] | None = None,
        password: str = "mật-khẩu-đủ-dài-1",
        **extra: Any,
    ) -> Any:
        counter["n"] += 1
        unit_obj = Unit.objects.get(structure="2025", code=unit) if unit else None
        user = User(
            username=extra.pop("username", f"{role}{counter['n']}"),
            role=role,
            unit=unit_obj,
            sectors=sectors or [],
            is_superuser=role == "admin",
            **extra,
        )
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def token_for(db: Any) -> Callable[[Any], str]:
    from thuocdo.accounts.services import token_create

    def make(user: Any) -> str:
        return token_create(actor=user, user=user, name="test")[1]

    return make
