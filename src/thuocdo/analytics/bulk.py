"""Bulk reads of a campaign's responses for the columnar copy, without a Python loop per row.

PostgreSQL streams the rows through ``COPY … TO STDOUT (FORMAT csv)``; the bytes are cut into
chunks of about :data:`CHUNK_BYTES` at a row boundary and each chunk is parsed by Polars.
SQLite (no COPY) fetches :data:`CHUNK_ROWS` rows at a time from one cursor into a Polars
frame. Either way each chunk arrives as a frame of :data:`~thuocdo.analytics.domain.columnar.
RAW_SCHEMA` (the JSON columns still text, decoded later by Polars), so memory is bounded by
the chunk, not by the campaign.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import Field

from thuocdo.analytics.domain.columnar import RAW_SCHEMA
from thuocdo.assessments.models import Response

CHUNK_BYTES = 64 << 20
CHUNK_ROWS = 50_000
# (raw column, model field); the order of the SELECT list
_FIELDS: tuple[tuple[str, str], ...] = (
    ("response_id", "id"),
    ("status", "status"),
    ("updated_at", "updated_at"),
    ("unit", "commune"),
    ("sector", "sector"),
    ("entity_type", "entity_type"),
    ("size", "size_class"),
    ("level", "level"),
    ("overall", "overall"),
    ("pillar_scores", "pillar_scores"),
    ("criterion_scores", "criterion_scores"),
)
WINDOW_SCHEMA: dict[str, Any] = {
    "response_id": pl.Int64,
    "updated_at": pl.Datetime("us", "UTC"),
    "counted": pl.Int64,
    "eligible": pl.Int64,
}


def _col(field: str) -> str:
    model_field = Response._meta.get_field(field)
    assert isinstance(model_field, Field)
    return connection.ops.quote_name(str(model_field.column))


def _select(columns: Sequence[str], where: str) -> str:
    """``SELECT columns FROM the response table WHERE where``: every part is a quoted column
    name or a fixed expression of this module; values travel as parameters."""
    table = connection.ops.quote_name(Response._meta.db_table)
    return f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"  # noqa: S608


def _where(
    campaign_id: int, since: datetime | None, ids: Sequence[int] | None
) -> tuple[str, list[Any]]:
    clauses = [f"{_col('campaign')} = %s"]
    params: list[Any] = [campaign_id]
    if since is not None:
        clauses.append(f"{_col('updated_at')} >= %s")
        params.append(since if connection.vendor == "postgresql" else _sqlite_time(since))
    if ids is not None:
        if connection.vendor == "postgresql":
            clauses.append(f"{_col('id')} = ANY(%s::bigint[])")
            params.append(list(ids))
        else:
            clauses.append(f"{_col('id')} IN (SELECT value FROM json_each(%s))")  # noqa: S608
            params.append(json.dumps(list(ids)))
    return " AND ".join(clauses), params


def _sqlite_time(value: datetime) -> str:
    return str(connection.ops.adapt_datetimefield_value(value))


def _pg_time(column: str) -> str:
    # microseconds since the epoch: exact (EXTRACT gives numeric) and parsed as an integer
    return f"(extract(epoch from {column}) * 1000000)::bigint"


def _copy_chunks(sql: str, params: Sequence[Any]) -> Iterator[bytes]:
    """The CSV output of ``COPY (sql) TO STDOUT`` in chunks of whole rows.

    A chunk is cut at a newline outside quotes: CSV doubles quotes inside quoted values, so a
    prefix with an even number of quote characters ends outside any quoted value."""
    buf = bytearray()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for block in copy:
                buf += block
                if len(buf) < CHUNK_BYTES:
                    continue
                cut = buf.rfind(b"\n")
                while cut >= 0 and buf.count(b'"', 0, cut) % 2:
                    cut = buf.rfind(b"\n", 0, cut)
                if cut < 0:
                    continue
                yield bytes(buf[: cut + 1])
                del buf[: cut + 1]
    if buf:
        yield bytes(buf)


def _parse_csv(data: bytes, schema: dict[str, Any], times: Sequence[str]) -> pl.DataFrame:
    read_schema = {k: (pl.Int64 if k in times else v) for k, v in schema.items()}
    frame = pl.read_csv(
        io.BytesIO(data), has_header=False, new_columns=list(schema), schema=read_schema
    )
    return frame.with_columns(
        pl.col(t).cast(pl.Datetime("us")).dt.replace_time_zone("UTC") for t in times
    )


def _sqlite_rows(
    sql: str, params: Sequence[Any], schema: dict[str, Any], times: Sequence[str]
) -> Iterator[pl.DataFrame]:
    # the backend's converters give naive UTC datetimes for datetime columns
    naive = {k: (pl.Datetime("us") if k in times else v) for k, v in schema.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            frame = pl.DataFrame(rows, schema=naive, orient="row")
            yield frame.with_columns(pl.col(t).dt.replace_time_zone("UTC") for t in times)


def response_chunks(
    campaign_id: int, *, since: datetime | None = None, ids: Sequence[int] | None = None
) -> Iterator[pl.DataFrame]:
    """The campaign's responses (all, changed at or after ``since``, or those of ``ids``) as
    frames of :data:`RAW_SCHEMA`, a bounded chunk at a time."""
    where, params = _where(campaign_id, since, ids)
    if connection.vendor == "postgresql":
        cols = [_pg_time(_col(f)) if f == "updated_at" else _col(f) for _k, f in _FIELDS]
        sql = _select(cols, where)
        for data in _copy_chunks(sql, params):
            yield _parse_csv(data, RAW_SCHEMA, ["updated_at"])
    else:
        sql = _select([_col(f) for _k, f in _FIELDS], where)
        yield from _sqlite_rows(sql, params, RAW_SCHEMA, ["updated_at"])


def changed_window(
    campaign_id: int, since: datetime | None, counted: Sequence[str]
) -> pl.DataFrame:
    """Id, ``updated_at``, whether its status is counted and whether it belongs in the copy
    (counted with an overall score) of every response changed at or after ``since``: the
    narrow read an incremental refresh compares with its copy to find what really changed."""
    where, params = _where(campaign_id, since, None)
    marks = ", ".join(["%s"] * len(counted))
    is_counted = f"{_col('status')} IN ({marks})"
    flags = (
        f"CASE WHEN {is_counted} THEN 1 ELSE 0 END, "
        f"CASE WHEN {is_counted} AND {_col('overall')} IS NOT NULL THEN 1 ELSE 0 END"
    )
    params = [*counted, *counted, *params]
    if connection.vendor == "postgresql":
        time_col = _pg_time(_col("updated_at"))
        sql = _select([_col("id"), time_col, flags], where)
        parts = [_parse_csv(d, WINDOW_SCHEMA, ["updated_at"]) for d in _copy_chunks(sql, params)]
    else:
        sql = _select([_col("id"), _col("updated_at"), flags], where)
        parts = list(_sqlite_rows(sql, params, WINDOW_SCHEMA, ["updated_at"]))
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=WINDOW_SCHEMA)
    return frame.with_columns(pl.col("counted") == 1, pl.col("eligible") == 1)


def counted_total(campaign_id: int, counted: Sequence[str]) -> int:
    """How many of the campaign's responses have a counted status (an index-only count)."""
    return Response.objects.filter(campaign_id=campaign_id, status__in=list(counted)).count()


def counted_ids(campaign_id: int, counted: Sequence[str]) -> pl.DataFrame:
    """The ids (``response_id``) of the campaign's responses with a counted status."""
    ids = Response.objects.filter(campaign_id=campaign_id, status__in=list(counted)).values_list(
        "id", flat=True
    )
    return pl.DataFrame({"response_id": list(ids)}, schema={"response_id": pl.Int64})
