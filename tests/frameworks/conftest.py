"""Fixtures for the frameworks tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.frameworks.sets import set_text


@pytest.fixture
def write_set(tmp_path: Path) -> Callable[..., Path]:
    def write(filename: str = "set.yaml", **kw: object) -> Path:
        path = tmp_path / filename
        path.write_text(set_text(**kw), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return write


@pytest.fixture
def forget_sets(db: object) -> Callable[..., None]:
    """Bring the database back to before ``load-builtins`` for some (or all) criteria sets.

    No product path removes a published version (``save``, ``delete`` and the queryset's
    ``update``/``delete`` refuse), so the rows go by plain SQL, inside the test's transaction.
    """
    from django.db import connection

    from thuocdo.frameworks.models import FrameworkVersion

    def forget(*codes: str) -> None:
        table = connection.ops.quote_name(FrameworkVersion._meta.db_table)
        with connection.cursor() as cursor:
            if codes:
                marks = ", ".join(["%s"] * len(codes))
                sql = f"DELETE FROM {table} WHERE code IN ({marks})"  # noqa: S608 - values bound
                cursor.execute(sql, list(codes))
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table

    return forget
