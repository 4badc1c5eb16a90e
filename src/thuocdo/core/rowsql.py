"""Single-row inserts without the ORM's per-call query compilation.

``Model.save()`` on a new object builds and compiles an INSERT every time; on the hot write
paths (a submission writes a response, its idempotency key and an audit event) that costs
more CPU than the database spends on the rows. ``insert`` keeps the INSERT text per model and
database vendor, prepares each value with the field's own ``pre_save`` and
``get_db_prep_save`` (so defaults, ``auto_now_add`` and JSON encoding are exactly the ORM's),
and sets the new primary key on the object. ``insert_linked`` writes a row and a row that
points at it in one statement on PostgreSQL (two on other databases).

Only for models without save() overrides or save signals: callers own that check.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.fields import Field

M = TypeVar("M", bound=Model)

_Fields = tuple["Field[Any, Any]", ...]
_Linked = tuple[str, _Fields, _Fields]
_sql: dict[tuple[str, str], tuple[str, _Fields]] = {}
_linked: dict[tuple[str, str], _Linked] = {}


def _columns(model: type[Model], skip: str = "") -> _Fields:
    meta = model._meta
    return tuple(f for f in meta.local_concrete_fields if f is not meta.pk and f.attname != skip)


def _quote(name: str | None) -> str:
    """A table or column name from the models' metadata, quoted (never user input)."""
    assert name, "a concrete field has a column"
    return connection.ops.quote_name(name)


def _values(obj: Model, fields: _Fields) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _insert_sql(model: type[Model]) -> tuple[str, _Fields]:
    key = (model._meta.label, connection.vendor)
    hit = _sql.get(key)
    if hit is None:
        fields = _columns(model)
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608 (names quoted)
            _quote(model._meta.db_table),
            ", ".join(_quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            _quote(model._meta.pk.column),
        )
        hit = _sql[key] = (sql, fields)
    return hit


def _saved(obj: Model, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert(obj: M) -> M:
    """INSERT ``obj`` (a new object, primary key unset) and set its primary key."""
    assert obj.pk is None, "insert() writes new rows only"
    sql, fields = _insert_sql(type(obj))
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(obj, fields))
        _saved(obj, cursor.fetchone()[0])
    return obj


def _linked_sql(parent: type[Model], child: type[Model], link: str) -> _Linked:
    key = (f"{parent._meta.label}>{child._meta.label}.{link}", connection.vendor)
    hit = _linked.get(key)
    if hit is None:
        parent_sql, parent_fields = _insert_sql(parent)
        child_fields = _columns(child, skip=link)
        link_field = child._meta.get_field(link.removesuffix("_id"))
        assert isinstance(link_field, Field)
        link_column = _quote(link_field.column)
        sql = (
            "WITH p AS ({}) INSERT INTO {} ({}, {}) SELECT {}, p.{} FROM p RETURNING {}, {}".format(  # noqa: S608
                parent_sql,
                _quote(child._meta.db_table),
                ", ".join(_quote(f.column) for f in child_fields),
                link_column,
                ", ".join(["%s"] * len(child_fields)),
                _quote(parent._meta.pk.column),
                _quote(child._meta.pk.column),
                link_column,
            )
        )
        hit = _linked[key] = (sql, parent_fields, child_fields)
    return hit


def insert_linked(parent: Model, child: Model, link: str) -> None:
    """INSERT ``parent``, then ``child`` with its foreign key ``link`` (an attname such as
    ``response_id``) pointing at it; both get their primary keys."""
    if connection.vendor != "postgresql":
        insert(parent)
        setattr(child, link, parent.pk)
        insert(child)
        return
    sql, parent_fields, child_fields = _linked_sql(type(parent), type(child), link)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_values(parent, parent_fields), *_values(child, child_fields)])
        child_pk, parent_pk = cursor.fetchone()
    _saved(parent, parent_pk)
    setattr(child, link, parent_pk)
    _saved(child, child_pk)
