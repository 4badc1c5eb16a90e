"""Writes of the analytics app: refreshing the columnar copy of a campaign's responses.

``refresh_campaign(campaign_id, since=None)`` is what the assessment services call (through
``transaction.on_commit``, or the ``refresh_campaign_task`` huey job) after responses are
submitted, verified, rejected or changed. It reads the responses whose ``updated_at`` is at or
after ``since`` (default: the snapshot's watermark minus a safety overlap), replaces their rows
in the wide frame (dropping those no longer counted), recomputes the post-stratification
weights over the whole frame, writes a new Parquet part for each province whose rows or weights
changed (the others keep theirs) and commits the new manifest with a new version, which
invalidates every cached slice of the campaign on every node (see ``store``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.analytics import bulk, selectors, store
from thuocdo.analytics.domain.columnar import (
    CELL_COLUMNS,
    PLACES_SCHEMA,
    Layout,
    place,
    raw_to_frame,
    upsert,
)
from thuocdo.analytics.domain.stats import poststratify
from thuocdo.analytics.models import Snapshot, SnapshotPart
from thuocdo.assessments.models import Campaign, ResponseStatus, Stratum
from thuocdo.geo.models import Structure, Unit, UnitMapping

COUNTED = (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED)
# Responses committed slightly out of updated_at order are still picked up.
OVERLAP = timedelta(minutes=10)


@dataclass(frozen=True)
class RefreshResult:
    campaign_id: int
    version: int
    rows: int
    changed: int
    full: bool
    parts_written: int = 0


def _province_of(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else ""


def _current_communes(unit_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Unit id → (province code, commune code) in the current structure; legacy units go to
    the current unit that took them over (the primary mapping)."""
    units = {
        u["id"]: u
        for u in Unit.objects.filter(id__in=unit_ids).values("id", "code", "path", "structure")
    }
    legacy_ids = [i for i, u in units.items() if u["structure"] != Structure.CURRENT]
    mapped: dict[int, dict[str, Any]] = {}
    if legacy_ids:
        rows = (
            UnitMapping.objects.filter(legacy_id__in=legacy_ids)
            .order_by("legacy_id", "-primary", "current__sort_key")
            .values("legacy_id", "current__code", "current__path")
        )
        for m in rows:
            mapped.setdefault(
                m["legacy_id"], {"code": m["current__code"], "path": m["current__path"]}
            )
    out: dict[int, tuple[str, str]] = {}
    for i, u in units.items():
        target = u if u["structure"] == Structure.CURRENT else mapped.get(i)
        if target is None:
            continue
        out[i] = (_province_of(target["path"]), target["code"])
    return out


def _population(campaign_id: int) -> pl.DataFrame:
    rows = list(
        Stratum.objects.filter(campaign_id=campaign_id).values(
            "commune_id", "entity_type", "size_class", "population"
        )
    )
    places = _current_communes({r["commune_id"] for r in rows})
    data: dict[str, list[Any]] = {k: [] for k in (*CELL_COLUMNS, "population")}
    for r in rows:
        place = places.get(r["commune_id"])
        if place is None:
            continue
        data["province"].append(place[0])
        data["commune"].append(place[1])
        data["entity_type"].append(r["entity_type"])
        data["size"].append(r["size_class"] or "")
        data["population"].append(int(r["population"]))
    return pl.DataFrame(
        data,
        schema={
            "province": pl.Utf8,
            "commune": pl.Utf8,
            "entity_type": pl.Utf8,
            "size": pl.Utf8,
            "population": pl.Int64,
        },
    )


def population_frame(campaign_id: int) -> pl.DataFrame:
    """The campaign's population counts by current cell (what its weights are made from)."""
    return _population(campaign_id)


def _read_rows(
    campaign_id: int, layout: Layout, *, ids: Sequence[int] | None = None
) -> tuple[pl.DataFrame, pl.Series, datetime | None]:
    """Wide rows of the campaign's responses (all of them, or those of ``ids``) read through
    the database's bulk path a chunk at a time; also every id read and the latest
    ``updated_at`` read (counted or not)."""
    # the units are resolved once the stream is over (no other query while COPY runs)
    units: set[int] = set()
    wides: list[pl.DataFrame] = []
    seen: list[pl.Series] = []
    latest: datetime | None = None
    for raw in bulk.response_chunks(campaign_id, ids=ids):
        units.update(raw["unit"].unique().to_list())
        wides.append(raw_to_frame(raw, layout, COUNTED))
        seen.append(raw["response_id"])
        top = raw["updated_at"].max()
        if isinstance(top, datetime) and (latest is None or top > latest):
            latest = top
    places = _current_communes(units)
    place_frame = pl.DataFrame(
        {
            "unit": list(places),
            "province": [v[0] for v in places.values()],
            "commune": [v[1] for v in places.values()],
        },
        schema=PLACES_SCHEMA,
    )
    wides = [place(w, place_frame, layout) for w in wides]
    frame = pl.concat(wides) if wides else pl.DataFrame(schema=layout.schema())
    read = pl.concat(seen) if seen else pl.Series("response_id", [], dtype=pl.Int64)
    return frame, read, latest


@dataclass(frozen=True)
class _Delta:
    frame: pl.DataFrame
    changed: int
    latest: datetime | None
    outside: list[int]


def _incremental(
    campaign_id: int, base: pl.DataFrame, since: datetime | None, outside: Sequence[int],
    layout: Layout,
) -> _Delta | None:  # fmt: skip
    """Apply the responses that really changed since ``since`` to ``base``; None when the
    copy cannot be brought up to date that way (a counted response was deleted).

    A narrow read of the window (id, ``updated_at``, whether counted) is compared with the
    copy: a response belongs to the change when it should be in the copy and is not there
    with that ``updated_at``, or is there and should not be. Only those are read in full, so
    the work is that of the change, not of the campaign. ``outside`` are the responses with a
    counted status that the copy leaves out (no overall score, no current unit); with them
    the count of counted responses must add up, otherwise a deletion happened."""
    window = bulk.changed_window(campaign_id, since, COUNTED)
    known = base.select("response_id", pl.col("updated_at").alias("seen"))
    w = window.join(known, on="response_id", how="left")
    present = pl.col("seen").is_not_null()
    stale = pl.col("eligible") & (~present | (pl.col("seen") != pl.col("updated_at")))
    reread = w.filter(stale)["response_id"]
    removed = w.filter(present & ~pl.col("eligible"))["response_id"]
    rows, _read, _latest = (
        _read_rows(campaign_id, layout, ids=reread.to_list())
        if reread.len()
        else (pl.DataFrame(schema=layout.schema()), reread, None)
    )
    changed = pl.concat([reread, removed])
    frame = upsert(base, changed.to_list(), rows) if changed.len() else base
    in_window = set(window["response_id"].to_list())
    still_outside = {i for i in outside if i not in in_window}
    now_outside = set(
        window.filter(pl.col("counted"))
        .join(frame.select("response_id"), on="response_id", how="anti")["response_id"]
        .to_list()
    )
    outside_now = sorted(still_outside | now_outside)
    if bulk.counted_total(campaign_id, COUNTED) != frame.height + len(outside_now):
        return None
    top = window["updated_at"].max() if window.height else None
    return _Delta(frame, changed.len(), top if isinstance(top, datetime) else None, outside_now)


def refresh_campaign(
    campaign_id: int,
    since: datetime | None = None,
    *,
    full: bool = False,
    actor: User | None = None,
) -> RefreshResult:
    """Bring the campaign's columnar copy up to date (see the module docstring).

    All or nothing: the new parts and the manifest naming them commit together; a refresh
    that fails (or whose transaction is rolled back) leaves the previous version served. A
    damaged part of the previous version is not read: the copy is rebuilt from the responses."""
    try:
        with transaction.atomic():
            return _refresh(campaign_id, since, full=full, actor=actor)
    except store.CorruptPartError:
        with transaction.atomic():
            return _refresh(campaign_id, None, full=True, actor=actor)


def _base(snap: Snapshot, campaign: Campaign, layout: Layout) -> pl.DataFrame | None:
    """The current copy to bring up to date, or None when it must be read again in full."""
    if snap.version == 0 or snap.framework_hash != campaign.framework.content_hash:
        return None
    try:
        return store.read_snapshot(snap, layout)
    except store.PartGoneError:
        return None


def _write_parts(
    campaign: Campaign, snap: Snapshot, weighted: pl.DataFrame, *, rewrite: bool
) -> tuple[dict[str, list[Any]], int]:
    """The manifest of ``weighted`` and the number of parts written: an unchanged province
    keeps its part, a changed one gets a new part (``rewrite``: every province does)."""
    manifest: dict[str, list[Any]] = {}
    old = snap.parts or {}
    written = 0
    for key, part in weighted.partition_by("province", as_dict=True).items():
        province = str(key[0] or "")
        mark = store.fingerprint(part)
        kept = old.get(province)
        if kept is not None and not rewrite and kept[2] == mark:
            manifest[province] = kept
            continue
        data, sha = store.encode(part.sort(store.GRAIN))
        row = SnapshotPart.objects.create(
            campaign=campaign, province=province, rows=part.height, sha256=sha, data=data
        )
        manifest[province] = [row.pk, sha, mark]
        written += 1
    return manifest, written


def _refresh(
    campaign_id: int,
    since: datetime | None,
    *,
    full: bool,
    actor: User | None,
) -> RefreshResult:
    campaign = Campaign.objects.select_related("framework").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No campaign with id %(id)s.") % {"id": campaign_id})
    layout = store.layout_for(campaign.framework)
    snap, _created = Snapshot.objects.select_for_update().get_or_create(campaign=campaign)
    base = None if full else _base(snap, campaign, layout)
    delta = None
    if base is not None:
        if since is None and snap.watermark is not None:
            since = snap.watermark - OVERLAP
        delta = _incremental(
            campaign.pk,
            store.plain(base.drop("weight", "stratum")),
            since,
            snap.outside,
            layout,
        )
    is_full = delta is None
    if delta is None:
        frame, read, latest = _read_rows(campaign.pk, layout)
        changed = read.len()
        outside = (
            (
                bulk.counted_ids(campaign.pk, COUNTED)
                .join(frame.select("response_id"), on="response_id", how="anti")["response_id"]
                .to_list()
            )
            if bulk.counted_total(campaign.pk, COUNTED) != frame.height
            else []
        )
    else:
        frame, changed, latest, outside = delta.frame, delta.changed, delta.latest, delta.outside
    population_key = selectors.population_key(campaign.pk)
    weighted, summary = poststratify(frame, _population(campaign.pk))
    weighted = store.plain(weighted.drop("collapse"))
    # Every response read counts for the watermark, counted or not (a draft saved after the
    # last submission must not make the copy look stale for ever).
    candidates = [t for t in (frame["updated_at"].max() if frame.height else None, latest) if t]
    watermark = max(candidates) if candidates else None
    manifest, written = _write_parts(campaign, snap, weighted, rewrite=is_full)
    live = {int(p[0]) for p in manifest.values()}
    # parts of the version before the previous one: no reader can still be fetching them
    SnapshotPart.objects.filter(campaign=campaign).exclude(
        pk__in=live | {int(i) for i in (p[0] for p in (snap.parts or {}).values())}
    ).delete()
    snap.previous = sorted({int(p[0]) for p in (snap.parts or {}).values()} - live)
    snap.parts = manifest
    snap.version += 1
    snap.token = secrets.token_hex(8)
    snap.rows = weighted.height
    snap.weighted = summary.weighted
    snap.collapsed = {str(k): v for k, v in summary.collapsed.items()}
    snap.strata = summary.cells
    snap.unrepresented = summary.unrepresented
    snap.framework_hash = campaign.framework.content_hash
    snap.population_key = population_key
    snap.outside = [int(i) for i in outside]
    if isinstance(watermark, datetime):
        snap.watermark = max(watermark, snap.watermark) if snap.watermark else watermark
    snap.save()
    key = store.key_of(snap)
    finished = store.finish(weighted)
    transaction.on_commit(lambda: store.remember(key, finished))
    audit_record(
        actor=actor,
        action="analytics.refresh",
        object_type="analytics.snapshot",
        object_id=campaign.pk,
        after={
            "version": snap.version,
            "rows": snap.rows,
            "changed": changed,
            "full": is_full,
            "parts_written": written,
        },
        unit_path=campaign.unit_path,
    )
    return RefreshResult(campaign.pk, snap.version, snap.rows, changed, is_full, written)
