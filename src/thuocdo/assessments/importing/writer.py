"""Bulk writes of an import: organisations found or created, responses inserted.

Everything runs inside the caller's transaction, so a failure or a kill leaves nothing.
Responses are inserted with ``ON CONFLICT DO NOTHING`` on the (campaign, organisation)
uniqueness, so a row whose organisation already answered the campaign is a *duplicate* and
re-importing a file adds nothing. PostgreSQL: ``COPY`` (psycopg 3) into a temporary staging
table, then ``INSERT … SELECT … ON CONFLICT DO NOTHING``; SQLite: ``executemany`` in chunks.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import numpy as np
from django.db import connection
from django.utils import timezone

from thuocdo.assessments.domain import vsic
from thuocdo.assessments.domain.agency import AGENCY_COMMUNE, AGENCY_MINISTRY_UNIT, province_prefix
from thuocdo.assessments.domain.identity import dedupe_key
from thuocdo.assessments.models import Campaign, Organisation
from thuocdo.core.collation import vi_collation_key
from thuocdo.core.text import fold
from thuocdo.frameworks.engine import BatchResult
from thuocdo.geo.models import Level, Structure, Unit

from .validate import OrgRow, Prepared

Progress = Callable[[str, int, int], None]


def sector_for(code: str, default: str) -> str:
    """The product sector of a row: from its VSIC code when it has a known one (as the web
    registry does), else the criteria set's sector."""
    if not code:
        return default
    try:
        return vsic.sector_of(code)
    except vsic.InvalidVsicError:
        return default


LOOKUP_CHUNK = 500

ORG_COLUMNS = (
    "registry_id",
    "tax_code",
    "agency_code",
    "admin_unit_id",
    "name",
    "name_folded",
    "sort_key",
    "entity_type",
    "vsic",
    "sector",
    "size_class",
    "commune_id",
    "unit_path",
    "address",
    "contact_name",
    "phone",
    "email",
    "created_at",
    "updated_at",
)
RESPONSE_COLUMNS = (
    "campaign_id",
    "organisation_id",
    "framework_id",
    "status",
    "answers",
    "overall",
    "level",
    "pillar_scores",
    "pillar_levels",
    "criterion_scores",
    "unmet",
    "commune_id",
    "unit_path",
    "entity_type",
    "size_class",
    "sector",
    "channel",
    "submitted_by_id",
    "submitted_at",
    "rejection_reason",
    "submission_id",
    "evidence_links",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class WriteResult:
    imported: int
    duplicates: int
    organisations_created: int


_REGISTRY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # as identity.new_registry_id


def registry_ids(n: int) -> list[str]:
    """``n`` registry ids: ``TD-`` and 10 random characters (the format of
    ``identity.new_registry_id``), from one call to the OS random source; 32 symbols, so
    ``byte % 32`` is unbiased."""
    raw = secrets.token_bytes(10 * n)
    table = bytes.maketrans(bytes(range(256)), bytes(_REGISTRY_ALPHABET * 8, "ascii"))
    text = raw.translate(table).decode("ascii")
    return ["TD-" + text[k : k + 10] for k in range(0, 10 * n, 10)]


def registry_id() -> str:
    return registry_ids(1)[0]


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    if word.isascii() and word.isdigit():  # one digit-run syllable, value capped at 36**6 - 1
        value = min(int(word), 36**6 - 1)
        digits = []
        for _ in range(6):
            value, d = divmod(value, 36)
            digits.append(_B36[d])
        return "1" + "".join(reversed(digits)) + "010"
    return vi_collation_key(word)[:-1]


@lru_cache(maxsize=65536)
def _word_fold(word: str) -> str:
    return fold(word)


def _mark_after_space(name: str) -> bool:
    """A word that starts with a combining mark (never in NFC Vietnamese text)."""
    if name.isascii():
        return False
    return any(unicodedata.combining(w[0]) for w in name.split())


def folded(name: str) -> str:
    """``fold(name)`` word by word with a cache (the same string: folding never joins or
    splits words; tested)."""
    if _mark_after_space(name):
        return fold(name)
    return " ".join([_word_fold(w) for w in name.split()])


def collation_key(name: str) -> str:
    """``vi_collation_key(name)``, computed word by word with a cache (names share words);
    syllables never span whitespace, so the concatenation is the same string (tested); a word
    starting with a combining mark takes the full computation."""
    if _mark_after_space(name):
        return vi_collation_key(name)
    return "".join([_word_key(w) for w in name.split()]) + "0"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for a in range(0, len(items), size):
        yield items[a : a + size]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _when(now: dt.datetime) -> Any:
    return now if _is_postgres() else connection.ops.adapt_datetimefield_value(now)


def resolve_organisations(
    orgs: Sequence[OrgRow], *, now: dt.datetime, default_sector: str = "general"
) -> tuple[list[int], int]:
    """The organisation id of every row (found by tax code, else by name + commune; created
    in bulk when absent) and how many were created."""
    ids: list[int | None] = [None] * len(orgs)
    by_tax: dict[str, int] = {}
    taxes = sorted({o.tax_code for o in orgs if o.tax_code})
    for tax, pk, merged in _lookup("tax_code", taxes, "tax_code, id, merged_into_id"):
        by_tax[tax] = merged or pk
    for code, pk, merged in _lookup(
        "agency_code",
        sorted({o.agency_code for o in orgs if o.agency_code}),
        "agency_code, id, merged_into_id",
    ):
        by_tax[code] = merged or pk
    by_key: dict[str, int] = {}
    untaxed_communes = sorted(
        {o.commune.unit_id for o in orgs if not o.tax_code and not o.agency_code}
    )
    for chunk in _chunks(untaxed_communes, LOOKUP_CHUNK):
        for name, code, pk, merged in Organisation.objects.filter(commune_id__in=chunk).values_list(
            "name", "commune__code", "id", "merged_into_id"
        ):
            by_key.setdefault(dedupe_key(name, code), merged or pk)
    new: list[tuple[int, OrgRow, str]] = []
    for i, o in enumerate(orgs):
        code = o.agency_code or o.tax_code
        found = by_tax.get(code) if code else by_key.get(o.key)
        if found is not None:
            ids[i] = found
        else:
            new.append((i, o, ""))
    new = [(i, o, reg) for (i, o, _), reg in zip(new, registry_ids(len(new)), strict=True)]
    if new:
        when = _when(now)
        admin_units = _admin_units([o for _, o, _ in new])
        rows = (  # a generator: on PostgreSQL rows are built while the server ingests
            (
                reg,
                o.tax_code,
                o.agency_code,
                admin_units.get(o.key),
                o.name,
                folded(o.name),
                collation_key(o.name),
                o.entity_type,
                o.vsic,
                sector_for(o.vsic, default_sector),
                o.size_class,
                o.commune.unit_id,
                o.commune.path,
                "",
                "",
                "",
                "",
                when,
                when,
            )
            for _, o, reg in new
        )
        _insert("assessments_organisation", ORG_COLUMNS, rows, conflict=False)
        regs = [reg for _, _, reg in new]
        by_reg: dict[str, int] = dict(_lookup("registry_id", regs, "registry_id, id"))
        for i, _, reg in new:
            ids[i] = by_reg[reg]
    return [int(x) for x in ids if x is not None], len(new)


def _admin_units(orgs: Sequence[OrgRow]) -> dict[str, int | None]:
    """The administrative unit of each new agency (by row key), as the registry service sets it
    by default: the seat commune of a commune People's Committee, the seat's province for the
    other agencies but units of a ministry."""
    wanted = {
        o.key: province_prefix(o.commune.path)
        for o in orgs
        if o.agency_code and o.entity_type not in (AGENCY_COMMUNE, AGENCY_MINISTRY_UNIT)
    }
    provinces = dict(
        Unit.objects.filter(
            structure=Structure.CURRENT, level=Level.PROVINCE, path__in=set(wanted.values())
        ).values_list("path", "id")
    )
    out: dict[str, int | None] = {key: provinces.get(path) for key, path in wanted.items()}
    for o in orgs:
        if o.agency_code and o.entity_type == AGENCY_COMMUNE:
            out[o.key] = o.commune.unit_id
    return out


def _lookup(column: str, values: Sequence[str], select: str) -> list[tuple[Any, ...]]:
    """Organisation rows whose ``column`` is in ``values``: one ``= ANY(array)`` query on
    PostgreSQL, ``IN`` lists of at most LOOKUP_CHUNK values elsewhere."""
    if not values:
        return []
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the driver's cursor: no per-query debug formatting
        if _is_postgres():
            cursor.execute(
                f"SELECT {select} FROM assessments_organisation "  # noqa: S608 - fixed names
                f"WHERE {column} = ANY(%s)",
                [list(values)],
            )
            return list(cursor.fetchall())
        for chunk in _chunks(values, LOOKUP_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {select} FROM assessments_organisation "  # noqa: S608 - fixed names
                f"WHERE {column} IN ({marks})",
                list(chunk),
            )
            out.extend(cursor.fetchall())
    return out


def write_responses(
    *,
    campaign: Campaign,
    prepared: Prepared,
    actor_id: int | None,
    progress: Progress | None = None,
    chunk_size: int = 5000,
    submission_ids: Sequence[str | None] | None = None,
    skip: frozenset[int] = frozenset(),
) -> WriteResult:
    """Write the valid rows of ``prepared`` (inside the caller's transaction), but those in
    ``skip`` (rows already handled as the same field submission); ``submission_ids`` gives the
    field server's id of each row (None: none)."""
    now = timezone.now()
    order = [i for i in range(len(prepared.orgs)) if i not in skip]
    total = len(order)
    if progress:
        progress("organisations", 0, total)
    org_ids, created = resolve_organisations(
        [prepared.orgs[i] for i in order], now=now, default_sector=campaign.framework.sector
    )
    scores = prepared.scores
    when = _when(now)
    sector = campaign.framework.sector
    fw_id = campaign.framework_id
    dumps = json.dumps
    ids = submission_ids or [None] * len(prepared.orgs)

    assert scores is not None
    pillar_codes = scores.pillar_codes
    criterion_codes = scores.criterion_codes

    def rows(a: int, b: int) -> list[tuple[Any, ...]]:
        assert scores is not None
        out = []
        idx = np.asarray(order[a:b], dtype=np.intp)
        overall = scores.overall[idx].tolist()
        levels = scores.level[idx].tolist()
        pillars = _with_nulls(scores.pillars[idx])
        plevels = _levels_with_nulls(scores.pillar_levels[idx])
        criteria = _with_nulls(scores.criteria[idx])
        unmet = _unmet_lists(scores, idx)
        for k, i in enumerate(order[a:b]):
            o = prepared.orgs[i]
            out.append(
                (
                    campaign.pk,
                    org_ids[a + k],
                    fw_id,
                    "submitted",
                    dumps(prepared.answers[i], ensure_ascii=False),
                    overall[k],
                    levels[k],
                    dumps(dict(zip(pillar_codes, pillars[k], strict=True))),
                    dumps(dict(zip(pillar_codes, plevels[k], strict=True))),
                    dumps(dict(zip(criterion_codes, criteria[k], strict=True))),
                    dumps(unmet[k]),
                    o.commune.unit_id,
                    o.commune.path,
                    o.entity_type,
                    o.size_class,
                    sector_for(o.vsic, sector),
                    "import",
                    actor_id,
                    when,
                    "",
                    ids[i],
                    "{}",
                    when,
                    when,
                )
            )
        return out

    imported = 0
    if _is_postgres():
        imported = _copy_responses(rows, total, chunk_size, progress)
    else:
        for a in range(0, total, chunk_size):
            b = min(a + chunk_size, total)
            imported += _insert("assessments_response", RESPONSE_COLUMNS, rows(a, b), conflict=True)
            if progress:
                progress("writing", b, total)
    return WriteResult(
        imported=imported, duplicates=total - imported, organisations_created=created
    )


def _with_nulls(block: np.ndarray) -> list[list[float | None]]:
    """Rows of a score block as lists, NaN (null pillar, not applicable) as None."""
    out = block.astype(object)
    out[np.isnan(block)] = None
    return cast(list[list[float | None]], out.tolist())


def _levels_with_nulls(block: np.ndarray) -> list[list[int | None]]:
    """Rows of a pillar-level block as lists, -1 (null pillar) as None."""
    out = block.astype(object)
    out[block < 0] = None
    return cast(list[list[int | None]], out.tolist())


def _unmet_lists(scores: BatchResult, idx: np.ndarray) -> list[list[str]]:
    """``scores.unmet(i)`` for the rows ``idx`` at once: a stable sort of every row by
    −w·W·(target − s), unmet criteria first (ties keep the order of the file)."""
    mask = scores.unmet_mask[idx]
    keys = -(scores.unmet_weight * (scores.target - scores.criteria[idx]))
    keys = np.where(mask, keys, np.inf)
    order = np.argsort(keys, axis=1, kind="stable").tolist()
    counts = mask.sum(axis=1).tolist()
    codes = scores.criterion_codes
    return [[codes[c] for c in row[:n]] for row, n in zip(order, counts, strict=True)]


def _insert(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], *, conflict: bool
) -> int:
    """Insert rows with one ``executemany`` (PostgreSQL: ``COPY`` when no conflict is expected)."""
    cols = ", ".join(columns)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the driver's cursor: no per-query debug formatting
        if _is_postgres() and not conflict:
            written = 0
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(columns))
        tail = " ON CONFLICT DO NOTHING" if conflict else ""
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}){tail}"  # noqa: S608 - fixed names
        batch = rows if isinstance(rows, list) else list(rows)
        if not batch:
            return 0
        cursor.executemany(sql, batch)
        return max(cursor.rowcount, 0)


def _copy_responses(
    rows: Callable[[int, int], list[tuple[Any, ...]]],
    total: int,
    chunk_size: int,
    progress: Progress | None,
) -> int:
    cols = ", ".join(RESPONSE_COLUMNS)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the driver's cursor: no per-query debug formatting
        cursor.execute(
            f"CREATE TEMP TABLE import_stage ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {cols} FROM assessments_response WITH NO DATA"
        )
        with cursor.copy(f"COPY import_stage ({cols}) FROM STDIN") as copy:
            for a in range(0, total, chunk_size):
                b = min(a + chunk_size, total)
                for row in rows(a, b):
                    copy.write_row(row)
                if progress:
                    progress("writing", b, total)
        cursor.execute(
            f"INSERT INTO assessments_response ({cols}) "  # noqa: S608 - fixed names
            f"SELECT {cols} FROM import_stage ON CONFLICT DO NOTHING"
        )
        inserted = max(cursor.rowcount, 0)
        cursor.execute("DROP TABLE import_stage")
    return inserted
