"""Shared fixtures: the test database gets the built-in data once per session."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# The machines running the suite are shared and small: Hypothesis judges examples by their
# outcome only, never by how long one took.
hypothesis_settings.register_profile("thuocdo", deadline=None)
hypothesis_settings.load_profile("thuocdo")

_DB_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_reset_sequences"})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        from thuocdo.core.builtins import load_builtins

        load_builtins()


@pytest.fixture(autouse=True)
def _builtins_present(request: pytest.FixtureRequest) -> None:
    """A transactional test empties every table when it ends; the next database test gets the
    built-in data back before it starts (idempotent, and a single query when it is there)."""
    if request.node.get_closest_marker("django_db") is None and not (
        _DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        from thuocdo.core.builtins import load_builtins
        from thuocdo.geo.models import Unit

        if not Unit.objects.exists():
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


def _skip_allowed_here(reason: str) -> bool:
    """A test that needs the other database runs in that database's pass of CI: its skip is
    the only kind CI accepts."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    return ("SQLite" in reason) if on_postgres else ("PostgreSQL" in reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """In CI (``CI`` set), a skipped test is a failure, unless it needs the other database:
    a browser, PDF or PostgreSQL test that silently skips would hide a missing install."""
    outcome = yield
    report = outcome.get_result()
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if _skip_allowed_here(reason):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which must run every test: {reason}"
