"""Reads of the analytics app: aggregates of a campaign's columnar copy, filtered by scope.

Officers see the campaigns whose area overlaps their scope, and only the rows inside their
scope (a province officer sees its province only). The public (``public=True``) sees only
published campaigns, and reads their release only (:mod:`thuocdo.analytics.release`): tables
computed once at publication under one suppression pattern. :func:`suppress_rows` remains for
the CLI's ``--public`` view of the live copy.

Results are cached per (campaign, snapshot version, slice); a refresh bumps the version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Sum
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import store
from thuocdo.analytics.domain.columnar import (
    Layout,
    apply_filters,
    estimate_slice,
    rank,
    unmet_shares,
)
from thuocdo.analytics.domain.stats import Cube
from thuocdo.analytics.models import Snapshot
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Campaign, CampaignStatus, Response, Stratum

MIN_PUBLIC_N = 5
SUPPRESSED_FIELDS = (
    "mean", "ci_low", "ci_high", "cv", "levels", "levels_ci", "pillars", "pillars_ci",
    "population", "response_rate", "quality",
)  # fmt: skip
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Loaded:
    campaign: Campaign
    snapshot: Snapshot
    frame: pl.DataFrame
    cube: Cube
    layout: Layout


def _hide(row: dict[str, Any]) -> dict[str, Any]:
    hidden = {k: v for k, v in row.items() if k not in SUPPRESSED_FIELDS}
    hidden.update(dict.fromkeys(SUPPRESSED_FIELDS))
    hidden["suppressed"] = True
    return hidden


def _complement(rows: list[dict[str, Any]], by: Sequence[str]) -> bool:
    """One pass of complementary suppression; True when it hid a row."""
    changed = False
    for dim in by:
        others = [k for k in by if k != dim]
        parts: dict[tuple[Any, ...], list[int]] = {}
        for i, row in enumerate(rows):
            parts.setdefault(tuple(row.get(k) for k in others), []).append(i)
        for members in parts.values():
            hidden = [i for i in members if rows[i]["suppressed"]]
            shown = [i for i in members if not rows[i]["suppressed"]]
            if len(hidden) == 1 and shown:
                smallest = min(shown, key=lambda i: (rows[i].get("n") or 0, i))
                rows[smallest] = _hide(rows[smallest])
                changed = True
    return changed


def suppress_rows(
    rows: Sequence[dict[str, Any]], *, by: Sequence[str] = (), minimum: int = MIN_PUBLIC_N
) -> list[dict[str, Any]]:
    """The one place small cells are suppressed: a row with fewer than ``minimum``
    respondents keeps its grouping keys and ``n``; every estimate in it becomes null.

    Complementary suppression: the rows grouped by ``by`` add up (along each grouping key,
    the others fixed) to a total that is itself published; where exactly one row of such a
    set is hidden, the shown row with the fewest respondents is hidden too, so the hidden
    value cannot be worked out by subtraction. Repeated until no set has a single hidden
    row (hiding a row in one direction may leave one alone in another)."""
    out = [
        _hide(row)
        if row.get("n") is not None and row["n"] < minimum
        else {**row, "suppressed": False}
        for row in rows
    ]
    while by and _complement(out, by):
        pass
    return out


def public_slice_check(slice_: Slice) -> None:
    """Public readers choose among the published tables: one value per filter. A list of
    values (a slice made of several communes or sectors) would let two slices be subtracted
    to give the hidden part, so it is refused, naming the parameter."""
    for key, values in slice_.filters:
        if len(values) > 1:
            raise ValidationError(
                {
                    key: _("Public results take one value per filter; %(count)s values were given.")
                    % {"count": len(values)}
                }
            )


_PUBLIC_CAMPAIGNS: dict[tuple[int, int, str], Campaign] = {}


def _public_campaign(campaign_id: int) -> Campaign:
    """A published campaign with its criteria set, kept per process once it has a release (a
    published campaign no longer changes; the key includes the release's identity)."""
    from thuocdo.analytics.release import release_key

    key = release_key(campaign_id)
    if key is not None:
        hit = _PUBLIC_CAMPAIGNS.get((campaign_id, *key))
        if hit is not None:
            return hit
    campaign = Campaign.objects.select_related("framework", "area").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No campaign with id %(id)s.") % {"id": campaign_id})
    if campaign.status != CampaignStatus.PUBLISHED:
        raise Http404(_("No published campaign with id %(id)s.") % {"id": campaign_id})
    if key is not None:
        if len(_PUBLIC_CAMPAIGNS) > 1024:
            _PUBLIC_CAMPAIGNS.clear()
        _PUBLIC_CAMPAIGNS[(campaign_id, *key)] = campaign
    return campaign


def campaign_get(*, scope: Scope, campaign_id: int, public: bool = False) -> Campaign:
    if public:
        return _public_campaign(campaign_id)
    campaign = Campaign.objects.select_related("framework", "area").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No campaign with id %(id)s.") % {"id": campaign_id})
    if public:
        if campaign.status != CampaignStatus.PUBLISHED:
            raise Http404(_("No published campaign with id %(id)s.") % {"id": campaign_id})
        return campaign
    if not scope.is_officer:
        raise PermissionDenied(_("This page is for officers only."))
    if scope.unit_path is not None and not (
        campaign.unit_path.startswith(scope.unit_path)
        or scope.unit_path.startswith(campaign.unit_path)
    ):
        raise PermissionDenied(_("This campaign lies outside your administrative area."))
    return campaign


def campaign_list(*, scope: Scope, public: bool = False) -> list[Campaign]:
    qs = Campaign.objects.select_related("framework", "area", "origin_unit").order_by(
        "-year", "name", "id"
    )
    if public:
        return list(qs.filter(status=CampaignStatus.PUBLISHED))
    if not scope.is_officer:
        raise PermissionDenied(_("This page is for officers only."))
    out = list(qs.exclude(status=CampaignStatus.DRAFT))
    if scope.unit_path is None:
        return out
    path = scope.unit_path
    return [c for c in out if c.unit_path.startswith(path) or path.startswith(c.unit_path)]


def population_key(campaign_id: int) -> str:
    """A fingerprint of the campaign's population counts (count, total, last row id): an
    import replaces every row, so any import changes it."""
    agg = Stratum.objects.filter(campaign_id=campaign_id).aggregate(
        n=Count("id"), total=Sum("population"), last=Max("id")
    )
    return f"{agg['n']}:{agg['total'] or 0}:{agg['last'] or 0}"


def stale_since(snap: Snapshot) -> datetime | None:
    """When the oldest change the copy does not hold was made (None: the copy is current);
    a new import of population counts counts as made now."""
    if snap.population_key != population_key(snap.campaign_id):
        return timezone.now()
    unseen = Response.objects.filter(campaign_id=snap.campaign_id)
    if snap.watermark is not None:
        unseen = unseen.filter(updated_at__gt=snap.watermark)
    first = unseen.aggregate(first=Min("updated_at"))["first"]
    return first if isinstance(first, datetime) else None


def is_stale(snap: Snapshot) -> bool:
    """True when a response of the campaign changed after the columnar copy was made, or the
    population counts were imported again (two indexed queries); the copy is then refreshed
    incrementally before it is read (a refresh recomputes every weight)."""
    if snap.population_key != population_key(snap.campaign_id):
        return True
    if snap.watermark is None:
        return Response.objects.filter(campaign_id=snap.campaign_id).exists()
    return Response.objects.filter(
        campaign_id=snap.campaign_id, updated_at__gt=snap.watermark
    ).exists()


def load(campaign: Campaign) -> Loaded:
    """The campaign's columnar copy, building it the first time.

    Readers in other processes and on other nodes may refresh the copy at any moment, and a
    refresh removes the parts of the version before last: a part found gone is not lost data
    but a newer copy, so the snapshot row is read again; a manifest that still names a gone
    part, or a damaged part, is rebuilt."""
    from thuocdo.analytics.services import refresh_campaign
    from thuocdo.analytics.tasks import request_refresh

    gone: str | None = None
    layout = store.layout_for(campaign.framework)
    for _attempt in range(4):
        snap = Snapshot.objects.filter(campaign=campaign).first()
        if (
            snap is None
            or snap.version == 0
            or snap.framework_hash != campaign.framework.content_hash
            or store.key_of(snap) == gone
        ):
            refresh_campaign(campaign.pk, full=True)
            snap = Snapshot.objects.get(campaign=campaign)
        elif gone is None and (since := stale_since(snap)) is not None:
            # the copy misses a change: a refresh job is asked for and the reader goes on
            # with the copy it has; only a change left waiting longer than
            # ANALYTICS_READER_WAIT_AFTER (no worker running, say) is refreshed here
            waited = (timezone.now() - since).total_seconds()
            if waited > settings.ANALYTICS_READER_WAIT_AFTER or not request_refresh(campaign.pk):
                refresh_campaign(campaign.pk)
            snap = Snapshot.objects.get(campaign=campaign)
        key = store.key_of(snap)
        try:
            frame = store.read_snapshot(snap, layout)
        except store.PartGoneError:
            gone = key
            continue
        except store.CorruptPartError:
            refresh_campaign(campaign.pk, full=True)
            continue
        return Loaded(campaign, snap, frame, store.cube_for(key, frame, layout), layout)
    raise RuntimeError(f"campaign {campaign.pk}: the columnar copy keeps being replaced")


def scope_filters(scope: Scope, public: bool) -> dict[str, list[str]]:
    """Row filters implied by the viewer's scope."""
    out: dict[str, list[str]] = {}
    if public:
        return out
    if scope.sectors is not None:
        out["sector"] = sorted({*scope.sectors, "general"})
    if scope.unit_path is None:
        return out
    parts = scope.unit_path.strip("/").split("/")[1:]
    if parts:
        out["province"] = [parts[0]]
    if len(parts) > 1:
        out["commune"] = [parts[-1]]
    return out


def _merge_filters(
    asked: dict[str, list[str]], forced: dict[str, list[str]]
) -> dict[str, list[str]]:
    merged = dict(asked)
    for key, allowed in forced.items():
        if key in merged:
            merged[key] = [v for v in merged[key] if v in allowed]
            if not merged[key]:
                raise PermissionDenied(_("This lies outside your administrative area."))
        else:
            merged[key] = allowed
    return merged


def _cache_key(kind: str, loaded: Loaded, payload: Any) -> str:
    digest = hashlib.sha1(
        json.dumps(payload, sort_keys=True, default=str).encode(), usedforsecurity=False
    ).hexdigest()
    return f"analytics:{kind}:{store.key_of(loaded.snapshot)}:{digest}"


def _resolve_year(campaign: Campaign, year: int | None, *, scope: Scope, public: bool) -> Campaign:
    if year is None or year == campaign.year:
        return campaign
    # the same criteria set over the same area, as trend() compares
    qs = Campaign.objects.filter(
        framework__code=campaign.framework.code, unit_path=campaign.unit_path, year=year
    )
    if public:
        qs = qs.filter(status=CampaignStatus.PUBLISHED)
    other = qs.order_by("-id").first()
    if other is None:
        raise ValidationError(
            {"year": _("No campaign of this criteria set for year %(year)s.") % {"year": year}}
        )
    return campaign_get(scope=scope, campaign_id=other.pk, public=public)


def aggregate(
    *,
    scope: Scope,
    campaign_id: int,
    slice_: Slice,
    public: bool = False,
    suppress: bool | None = None,
) -> dict[str, Any]:
    """Rows of estimates grouped by ``slice_.by`` within the filters and the viewer's scope.

    ``public`` reads published campaigns only and suppresses small cells; ``suppress``
    (default: same as ``public``) applies the suppression rule on its own (``--public`` of
    the CLI)."""
    suppress = public if suppress is None else suppress
    if public:
        public_slice_check(slice_)
    campaign = campaign_get(scope=scope, campaign_id=campaign_id, public=public)
    campaign = _resolve_year(campaign, slice_.year, scope=scope, public=public)
    if public:
        from thuocdo.analytics.release import released_rows

        weighted, released = released_rows(campaign, slice_.by, slice_.filter_map())
        return {
            "campaign": campaign.pk,
            "year": campaign.year,
            "framework": campaign.framework.label,
            "by": list(slice_.by),
            "filters": slice_.filter_map(),
            "weighted": weighted,
            "suppressed": True,
            "rows": released,
        }
    loaded = load(campaign)
    filters = _merge_filters(slice_.filter_map(), scope_filters(scope, public))
    key = _cache_key("agg", loaded, {"by": slice_.by, "f": filters, "p": suppress})
    rows = cache.get(key)
    if rows is None:
        rows = estimate_slice(loaded.cube, slice_.by, filters, loaded.layout)
        if suppress:
            rows = suppress_rows(rows, by=slice_.by)
        cache.set(key, rows, CACHE_SECONDS)
    return {
        "campaign": campaign.pk,
        "year": campaign.year,
        "framework": campaign.framework.label,
        "by": list(slice_.by),
        "filters": filters,
        "weighted": loaded.snapshot.weighted,
        "suppressed": suppress,
        "as_of": loaded.snapshot.refreshed_at,
        "rows": rows,
    }


def unmet(
    *, scope: Scope, campaign_id: int, slice_: Slice, public: bool = False, limit: int = 10
) -> list[dict[str, Any]]:
    """Most-often-unmet criteria in the slice (suppressed below the public minimum)."""
    if public:
        public_slice_check(slice_)
    campaign = campaign_get(scope=scope, campaign_id=campaign_id, public=public)
    campaign = _resolve_year(campaign, slice_.year, scope=scope, public=public)
    if public:
        from thuocdo.analytics.release import released_unmet

        return released_unmet(campaign, slice_.filter_map(), limit)
    loaded = load(campaign)
    filters = _merge_filters(slice_.filter_map(), scope_filters(scope, public))
    language = "en" if (translation.get_language() or "").startswith("en") else "vi"
    key = _cache_key("unmet", loaded, {"f": filters, "p": public, "l": limit, "lang": language})
    rows = cache.get(key)
    if rows is None:
        frame = apply_filters(
            loaded.frame.with_columns([pl.col(k).cast(pl.Utf8) for k in filters]),
            filters,
        )
        rows = unmet_shares(frame, loaded.layout, limit=limit)
        fw = campaign.framework.engine()
        names = {c.code: c.name.get(language) for c in fw.criteria()}
        pillars = {c.code: fw.pillar_of(c.code).name.get(language) for c in fw.criteria()}
        for r in rows:
            r["name"] = names.get(r["criterion"], r["criterion"])
            r["pillar"] = pillars.get(r["criterion"], "")
        if public:
            rows = [
                {**r, "share": None, "suppressed": True}
                if r["n"] < MIN_PUBLIC_N
                else {**r, "suppressed": False}
                for r in rows
            ]
        cache.set(key, rows, CACHE_SECONDS)
    return list(rows)


def rankings(
    *, scope: Scope, campaign_id: int, slice_: Slice, level: str = "province", public: bool = False
) -> list[dict[str, Any]]:
    """Units of ``level`` (province or commune) ordered by weighted mean score."""
    if level not in ("province", "commune"):
        raise ValidationError({"level": _("Rankings are by province or commune.")})
    by_slice = Slice(by=(level,), filters=slice_.filters, year=slice_.year)
    result = aggregate(scope=scope, campaign_id=campaign_id, slice_=by_slice, public=public)
    return rank(result["rows"])


def _origin(campaign: Campaign) -> dict[str, str] | None:
    unit = campaign.origin_unit if campaign.origin_unit_id else None
    return None if unit is None else {"code": unit.code, "name": unit.name}


def trend(
    *, scope: Scope, campaign_id: int, slice_: Slice, public: bool = False
) -> list[dict[str, Any]]:
    """One row per year of campaigns of the same criteria-set code (the overall estimate of
    the slice), with the change from the previous year, flagged when the version changed;
    ``origin`` names the legacy province a year's campaign was carried over from."""
    campaign = campaign_get(scope=scope, campaign_id=campaign_id, public=public)
    qs = Campaign.objects.filter(
        framework__code=campaign.framework.code, unit_path=campaign.unit_path
    )
    qs = (
        qs.filter(status=CampaignStatus.PUBLISHED)
        if public
        else qs.exclude(status=CampaignStatus.DRAFT)
    )
    by_year: dict[int, int] = {}
    for pk, year in qs.order_by("year", "id").values_list("id", "year"):
        by_year[year] = pk
    out: list[dict[str, Any]] = []
    prev: dict[str, Any] | None = None
    for year in sorted(by_year):
        c = (
            campaign
            if by_year[year] == campaign.pk
            else Campaign.objects.select_related("framework").get(pk=by_year[year])
            if not public
            else campaign_get(scope=scope, campaign_id=by_year[year], public=True)
        )
        res = aggregate(
            scope=scope,
            campaign_id=c.pk,
            slice_=Slice(by=(), filters=slice_.filters),
            public=public,
        )
        row = (
            res["rows"][0]
            if res["rows"]
            else {"n": 0, "mean": None, "ci_low": None, "ci_high": None}
        )
        item = {
            "year": year,
            "campaign": c.pk,
            "framework": c.framework.label,
            "n": row.get("n"),
            "mean": row.get("mean"),
            "ci_low": row.get("ci_low"),
            "ci_high": row.get("ci_high"),
            "change": None,
            "version_changed": False,
            # a legacy province's campaign carried into its successor (Kon Tum, 62)
            "origin": _origin(c),
        }
        if prev is not None:
            item["version_changed"] = prev["framework"] != item["framework"]
            if prev["mean"] is not None and item["mean"] is not None:
                item["change"] = round(item["mean"] - prev["mean"], 2)
        out.append(item)
        prev = item
    return out
