"""One-row queries of the submission path, compiled by the ORM once per process.

Building and compiling a queryset costs more CPU than running it; the submission path runs
the same few queries on every request. ``fetch_row`` builds the queryset once with
placeholder values, keeps its SQL per database vendor, and afterwards runs that SQL with
the request's values in the placeholders' places.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection
from django.db.models import QuerySet

_compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}
_joined: dict[tuple[str, str], str] = {}


def _sql(name: str, build: Callable[[], QuerySet[Any]], placeholders: tuple[Any, ...]) -> Any:
    key = (name, connection.vendor)
    hit = _compiled.get(key)
    if hit is None:
        sql, params = build().query.sql_with_params()
        order = tuple(params)
        if any(p not in placeholders for p in order):
            raise RuntimeError(f"{name}: a parameter is not a placeholder: {order!r}")
        hit = _compiled[key] = (sql, order)
    return hit


def fetch_row(
    name: str, build: Callable[[], QuerySet[Any]], values: Mapping[Any, Any]
) -> tuple[Any, ...] | None:
    """The first row of the query ``build()`` makes with the keys of ``values`` as its
    parameters (distinct placeholder values), run with the values in their places."""
    sql, order = _sql(name, build, tuple(values))
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[p] for p in order])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


Part = tuple[str, Callable[[], QuerySet[Any]], Mapping[Any, Any]]


def fetch_rows_side_by_side(first: Part, second: Part) -> tuple[Any, ...] | None:
    """The first rows of two one-row queries in one round trip: ``first``'s columns, then
    ``second``'s (all ``None`` when it finds nothing); ``None`` when ``first`` finds nothing."""
    (sql_a, order_a), (sql_b, order_b) = (_sql(n, b, tuple(v)) for n, b, v in (first, second))
    key = (f"{first[0]}+{second[0]}", connection.vendor)
    sql = _joined.get(key)
    if sql is None:
        sql = _joined[key] = f"SELECT * FROM ({sql_a}) q0 LEFT JOIN ({sql_b}) q1 ON 1 = 1"  # noqa: S608
    params = [first[2][p] for p in order_a] + [second[2][p] for p in order_b]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None
