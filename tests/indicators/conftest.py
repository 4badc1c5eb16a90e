"""Fixtures of the indicators tests: officers of each role and their scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Callable[..., tuple[Any, Scope]]:
    """``officer("province", "01")`` → (user, scope)."""

    def make(role: str = "province", unit: str | None = None, **extra: Any) -> tuple[Any, Scope]:
        user = make_user(role, unit, **extra)
        return user, scope_for(user)

    return make
