"""Writes of the analytics app: refreshing the columnar copy of a campaign's responses.

``refresh_campaign(campaign_id, since=None)`` is what the assessment services call (through
``transaction.on_commit``, or the ``refresh_campaign_task`` huey job) after responses are
submitted, verified, rejected or changed. It reads the responses whose ``updated_at`` is at or
after ``since`` (default: the snapshot's watermark minus a safety overlap), replaces their rows
in the wide frame (dropping those no longer counted), recomputes the post-stratification
weights over the whole frame, writes a new Parquet file and bumps the snapshot version, which
invalidates every cached slice of the campaign.
"""

from __future__ import annotations

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
from thuocdo.analytics.models import Snapshot
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

    All or nothing: the new file only counts once the snapshot row naming it is committed.
    A refresh that fails (or whose transaction is rolled back) forgets its file, so no
    process keeps a frame that no snapshot names."""
    written: list[str] = []
    try:
        with transaction.atomic():
            return _refresh(campaign_id, since, full=full, actor=actor, written=written)
    except BaseException:
        for path in written:
            store.forget(path)
        raise


def _refresh(
    campaign_id: int,
    since: datetime | None,
    *,
    full: bool,
    actor: User | None,
    written: list[str],
) -> RefreshResult:
    campaign = Campaign.objects.select_related("framework").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No campaign with id %(id)s.") % {"id": campaign_id})
    layout = store.layout_for(campaign.framework)
    snap, _created = Snapshot.objects.select_for_update().get_or_create(campaign=campaign)
    # under the snapshot's lock no other refresh of this campaign is writing: every other
    # file of the campaign is superseded or left by a refresh that never committed
    for leftover in store.leftovers(campaign.pk, keep=snap.file):
        store.forget(str(leftover))
    base = None
    if not full and snap.file and snap.framework_hash == campaign.framework.content_hash:
        base = store.read_frame(snap.file)
    delta = None
    if base is not None:
        if since is None and snap.watermark is not None:
            since = snap.watermark - OVERLAP
        delta = _incremental(
            campaign.pk, base.drop("weight", "stratum"), since, snap.outside, layout
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
    # rows in grain order (commune × sector × entity type × size): cube cells are contiguous
    weighted = weighted.sort(["commune", "sector", "entity_type", "size", "response_id"])
    weighted = weighted.with_columns(
        pl.col("stratum").cast(pl.Categorical),
        *[
            pl.col(k).cast(pl.Categorical)
            for k in ("province", "commune", "sector", "entity_type", "size")
        ],
    ).drop("collapse")
    # Every response read counts for the watermark, counted or not (a draft saved after the
    # last submission must not make the copy look stale for ever).
    candidates = [t for t in (frame["updated_at"].max() if frame.height else None, latest) if t]
    watermark = max(candidates) if candidates else None
    old_file = snap.file
    snap.version += 1
    path = store.file_for(campaign.pk, snap.version)
    written.append(str(path))
    store.write_frame(weighted, path)
    snap.file = str(path)
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
    if old_file and old_file != snap.file:
        transaction.on_commit(lambda: store.forget(old_file))
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
        },
        unit_path=campaign.unit_path,
    )
    return RefreshResult(campaign.pk, snap.version, snap.rows, changed, is_full)
