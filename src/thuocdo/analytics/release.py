"""The public release of a published campaign: every table the public may see, computed once.

At publication (:func:`publish_release`, called by the campaign's publish transition) the
campaign's columnar copy is grouped by each of :data:`GROUPINGS`, one suppression pattern is
chosen over all the cells of all the tables together
(:func:`thuocdo.analytics.domain.disclosure.protect`), and the tables are stored in the
database (``Release``, ``ReleasedTable``), so every web process reads the same figures and a
response arriving afterwards moves nothing. Public reads (:func:`released_rows`,
:func:`released_unmet`) choose among those tables; any other grouping is refused, naming the
parameter. Tables are kept per process, keyed by the release, since a release never changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import polars as pl
from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from thuocdo.analytics.domain.columnar import (
    GROUP_KEYS,
    apply_filters,
    estimate_slice,
    unmet_shares,
)
from thuocdo.analytics.domain.disclosure import protect
from thuocdo.analytics.models import Release, ReleasedTable
from thuocdo.assessments.models import Campaign, CampaignStatus

T = TypeVar("T")
MIN_PUBLIC_N = 5
GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("province",),
    ("province", "commune"),
    ("sector",),
    ("province", "sector"),
    ("province", "commune", "sector"),
    ("entity_type",),
    ("province", "entity_type"),
    ("size",),
    ("province", "size"),
    ("province", "entity_type", "size"),
)
HIDDEN_FIELDS = (
    "mean", "ci_low", "ci_high", "cv", "levels", "levels_ci", "pillars", "pillars_ci",
    "population", "response_rate", "quality",
)  # fmt: skip

_LOCK = threading.Lock()
_TABLES: dict[tuple[int, str], dict[tuple[str, str], list[dict[str, Any]]]] = {}


def table_key(keys: Sequence[str]) -> str:
    return ",".join(keys)


def grouping_of(by: Sequence[str], filters: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The released grouping a request reads: its grouping keys and filtered keys (a commune
    lies in one province), in the order of ``GROUP_KEYS``."""
    keys = set(by) | {k for k, v in filters.items() if v}
    if "commune" in keys:
        keys.add("province")
    return tuple(k for k in GROUP_KEYS if k in keys)


def _hide(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in HIDDEN_FIELDS}
    out.update(dict.fromkeys(HIDDEN_FIELDS))
    out["suppressed"] = True
    return out


def _mask(frame: pl.DataFrame, row: Mapping[str, Any], keys: Sequence[str]) -> pl.DataFrame:
    return apply_filters(frame, {k: [str(row[k])] for k in keys})


def build_tables(
    frame: pl.DataFrame,
    cube: Any,
    layout: Any,
    names: Mapping[str, str] | None = None,
    *,
    groupings: Sequence[tuple[str, ...]] = GROUPINGS,
    published: Sequence[Mapping[str, str]] = (),
) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], dict[str, int]]:
    """Every released table of a columnar copy, suppressed by one pattern.

    ``published``: cells already released elsewhere, each named by its keys (a national
    roll-up is audited with the provincial releases' cells): they count as known to the
    reader, so no combination of them with the new tables discloses a small group."""
    frame = frame.with_columns([pl.col(k).cast(pl.Utf8) for k in GROUP_KEYS])
    atoms_df = frame.group_by(list(GROUP_KEYS)).agg(pl.len().alias("n"))
    atoms = atoms_df.select(GROUP_KEYS).rows()
    counts = atoms_df["n"].to_list()
    col = {k: i for i, k in enumerate(GROUP_KEYS)}
    tables: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    cells: list[list[int]] = []
    refs: list[tuple[tuple[str, ...], int]] = []

    def atoms_in(keys: Mapping[str, Any]) -> list[int]:
        want = [(col[k], str(v)) for k, v in keys.items()]
        return [i for i, a in enumerate(atoms) if all(a[c] == v for c, v in want)]

    for g in groupings:
        rows = estimate_slice(cube, g, {}, layout)
        tables[g] = rows
        for j, row in enumerate(rows):
            cells.append(atoms_in({k: row[k] for k in g}))
            refs.append((g, j))
    known = [atoms_in(keys) for keys in published]
    pattern = protect(
        cells + known,
        counts,
        minimum=MIN_PUBLIC_N,
        fixed=[False] * len(cells) + [True] * len(known),
    )
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in groupings:
        out[("cells", table_key(g))] = []
        out[("unmet", table_key(g))] = []
    for (g, j), released in zip(refs, pattern.released[: len(refs)], strict=True):
        row = tables[g][j]
        if not released:
            out[("cells", table_key(g))].append(_hide(row))
            continue
        part = _mask(frame, row, g)
        n = part.height
        # a pillar or criterion that does not apply to everyone of the cell would be a
        # smaller group than the cell: its figure is withheld
        pillars = dict(row.get("pillars") or {})
        pillars_ci = dict(row.get("pillars_ci") or {})
        for p in layout.pillars:
            if part[layout.pillar_col(p)].null_count() > 0:
                pillars[p] = None
                pillars_ci[p] = [None, None]
        shown = {**row, "pillars": pillars, "pillars_ci": pillars_ci, "suppressed": False}
        out[("cells", table_key(g))].append(shown)
        unmet = unmet_shares(part, layout, limit=len(layout.criteria))
        for r in unmet:
            r["name"] = (names or {}).get(r["criterion"], r["criterion"])
            if r["n"] != n:
                r["share"] = None
                r["suppressed"] = True
            else:
                r["suppressed"] = False
        out[("unmet", table_key(g))].append({**{k: row[k] for k in g}, "criteria": unmet})
    summary = {
        "atoms": pattern.atoms,
        "cells": len(cells),
        "primary": pattern.primary,
        "secondary": pattern.secondary,
    }
    return out, summary


def publish_release(campaign: Campaign) -> Release:
    """Compute and store the release of ``campaign`` (once: an existing release is kept)."""
    from thuocdo.analytics import selectors

    existing = Release.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    loaded = selectors.load(campaign)
    names = {c.code: c.name.vi for c in campaign.framework.engine().criteria()}
    tables, summary = build_tables(loaded.frame, loaded.cube, loaded.layout, names)
    try:
        with transaction.atomic():
            release = Release.objects.create(
                campaign=campaign,
                responses=loaded.frame.height,
                weighted=loaded.snapshot.weighted,
                pattern=summary,
            )
            ReleasedTable.objects.bulk_create(
                ReleasedTable(release=release, kind=kind, key=key, rows=rows)
                for (kind, key), rows in tables.items()
            )
    except IntegrityError:  # another process released it first
        return Release.objects.get(campaign=campaign)
    return release


class _RequestMemo(threading.local):
    """Release identities looked up during the current request (none outside a request)."""

    active = False
    keys: dict[int, tuple[int, str] | None]
    epoch: tuple[int, int, str] | None = None


_MEMO = _RequestMemo()


def _request_started(**_kwargs: Any) -> None:
    _MEMO.active = True
    _MEMO.keys = {}
    _MEMO.epoch = None


def _request_finished(**_kwargs: Any) -> None:
    _MEMO.active = False
    _MEMO.keys = {}
    _MEMO.epoch = None


def public_epoch() -> tuple[int, int, str]:
    """Identity of the set of releases (count, last id, last time): a page made of several
    releases (a dashboard with its years) is the same while it is the same."""
    if _MEMO.active and _MEMO.epoch is not None:
        return _MEMO.epoch
    agg = Release.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("created_at"))
    epoch = (int(agg["n"] or 0), int(agg["last"] or 0), agg["at"].isoformat() if agg["at"] else "")
    if _MEMO.active:
        _MEMO.epoch = epoch
    return epoch


_RESULTS: dict[tuple[Any, ...], Any] = {}


def cached_public(kind: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """A public result made only of released tables, kept per process for the current set of
    releases (so a new release, of any campaign, makes it again)."""
    full = (kind, public_epoch(), key)
    if full in _RESULTS:
        return cast(T, _RESULTS[full])
    value = compute()
    if _MEMO.active:
        _MEMO.epoch = None
    if public_epoch() != full[1]:  # a release was made meanwhile (by this read, maybe)
        return value
    with _LOCK:
        if len(_RESULTS) > 2048:
            _RESULTS.clear()
        _RESULTS[full] = value
    return value


request_started.connect(_request_started, dispatch_uid="analytics-release-memo-start")
request_finished.connect(_request_finished, dispatch_uid="analytics-release-memo-end")


def release_key(campaign_id: int) -> tuple[int, str] | None:
    """Identity of the release of a published campaign (one indexed query, once per
    request), or None."""
    if _MEMO.active and campaign_id in _MEMO.keys:
        return _MEMO.keys[campaign_id]
    row = (
        Release.objects.filter(campaign_id=campaign_id, campaign__status=CampaignStatus.PUBLISHED)
        .values_list("id", "created_at")
        .first()
    )
    key = None if row is None else (int(row[0]), row[1].isoformat())
    if _MEMO.active and key is not None:
        _MEMO.keys[campaign_id] = key
    return key


def release_of(campaign: Campaign) -> Release:
    """The campaign's release; a campaign published before releases existed gets its release
    on the first public read."""
    release = Release.objects.filter(campaign=campaign).first()
    return release if release is not None else publish_release(campaign)


def _tables(campaign: Campaign) -> tuple[bool, dict[tuple[str, str], list[dict[str, Any]]]]:
    """Whether the release is weighted, and its tables (kept per process: a release never
    changes, and its identity includes when it was made)."""
    key = release_key(campaign.pk)
    if key is None:
        release = release_of(campaign)
        key = (release.pk, release.created_at.isoformat())
    tables = _TABLES.get(key)
    if tables is None:
        tables = {
            (kind, k): rows
            for kind, k, rows in ReleasedTable.objects.filter(release_id=key[0]).values_list(
                "kind", "key", "rows"
            )
        }
        weighted = Release.objects.filter(pk=key[0]).values_list("weighted", flat=True).first()
        tables[("meta", "weighted")] = [{"weighted": bool(weighted)}]
        with _LOCK:
            if len(_TABLES) > 256:
                _TABLES.clear()
            _TABLES[key] = tables
    return bool(tables[("meta", "weighted")][0]["weighted"]), tables


def _not_released(by: Sequence[str], filters: Mapping[str, Sequence[str]]) -> ValidationError:
    names = ", ".join(table_key(g) or "—" for g in GROUPINGS)
    asked = [k for k in GROUP_KEYS if filters.get(k)]
    param = "by" if by else (asked[-1] if asked else "by")
    return ValidationError(
        {
            param: _(
                "This grouping and these filters are not a published table; published "
                "groupings: %(tables)s."
            )
            % {"tables": names}
        }
    )


def _matches(row: Mapping[str, Any], filters: Mapping[str, Sequence[str]]) -> bool:
    return all(str(row.get(k)) in set(v) for k, v in filters.items() if v)


def released_rows(
    campaign: Campaign, by: Sequence[str], filters: Mapping[str, Sequence[str]]
) -> tuple[bool, list[dict[str, Any]]]:
    """Whether the release is weighted, and the released rows of the table ``by`` within ``filters`` (one value per filter)."""
    g = grouping_of(by, filters)
    if g not in GROUPINGS:
        raise _not_released(by, filters)
    weighted, tables = _tables(campaign)
    rows = tables.get(("cells", table_key(g)), [])
    return weighted, [dict(r) for r in rows if _matches(r, filters)]


def released_unmet(
    campaign: Campaign, filters: Mapping[str, Sequence[str]], limit: int
) -> list[dict[str, Any]]:
    """Unmet criteria of the released cell the filters name (none for a hidden cell)."""
    g = grouping_of((), filters)
    if g not in GROUPINGS:
        raise _not_released((), filters)
    _weighted, tables = _tables(campaign)
    for row in tables.get(("unmet", table_key(g)), []):
        if _matches(row, filters):
            shown = [c for c in row["criteria"] if c.get("share") is not None]
            return _named(campaign, [dict(c) for c in shown[:limit]])
    return []


def _named(campaign: Campaign, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each criterion's name and pillar in the reader's language (the release keeps codes)."""
    from django.utils import translation

    language = "en" if (translation.get_language() or "").startswith("en") else "vi"
    fw = campaign.framework.engine()
    for r in rows:
        code = r["criterion"]
        crit = next((c for c in fw.criteria() if c.code == code), None)
        if crit is not None:
            r["name"] = crit.name.get(language)
            r["pillar"] = fw.pillar_of(code).name.get(language)
        else:
            r.setdefault("pillar", "")
    return rows


def released_values(campaign: Campaign, key: str) -> list[str]:
    """The values of one grouping key in the release (for the public filter options)."""
    _weighted, rows = released_rows(campaign, (key,), {})
    return sorted({str(r[key]) for r in rows})
