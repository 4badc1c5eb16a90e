"""The national roll-up: the published provincial campaigns of one criteria-set version and
year combined into one estimate per sector, entity type and level.

The respondents of every combined campaign are pooled and post-stratified as one campaign
(:func:`~thuocdo.analytics.domain.stats.poststratify` over the pooled population counts, so the
weights and intervals are computed across the strata of all of them). The public roll-up
(:func:`public_rollup`) is made once per set of provincial releases and stored
(``NationalRollup``); its tables are suppressed by the release's one pattern
(:func:`thuocdo.analytics.release.build_tables`), audited together with every released cell of
the provincial releases, so differencing the roll-up with them reveals no small group.
Officers (:func:`officer_rollup`, ministry and admin) read the live, unsuppressed roll-up.
Provinces without a published campaign are listed as such.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors, store
from thuocdo.analytics.dashboard import tile_grid
from thuocdo.analytics.domain.columnar import GROUP_KEYS, Layout, estimate_slice, rank
from thuocdo.analytics.domain.stats import Cube, poststratify
from thuocdo.analytics.models import NationalRollup
from thuocdo.analytics.release import build_tables, release_of, table_key
from thuocdo.assessments.models import Campaign, CampaignStatus
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Level, Structure, Unit

NATIONAL_GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("province",),
    ("sector",),
    ("entity_type",),
    ("size",),
    ("province", "sector"),
    ("province", "entity_type"),
)
_LOCK = threading.Lock()
_STORED: dict[int, NationalRollup] = {}


@dataclass(frozen=True)
class Pooled:
    """The pooled respondents of the combined campaigns, weighted as one campaign."""

    framework: FrameworkVersion
    year: int
    campaigns: list[Campaign]
    frame: pl.DataFrame
    cube: Cube
    layout: Layout
    weighted: bool
    strata: int
    covered: list[dict[str, Any]]
    missing: list[dict[str, str]]


def framework_get(code: str, version: str) -> FrameworkVersion:
    fv = FrameworkVersion.objects.filter(code=(code or "").strip(), version=str(version)).first()
    if fv is None:
        raise ValidationError(
            {
                "version": _("No criteria set %(code)s version %(version)s.")
                % {"code": code, "version": version}
            }
        )
    return fv


def provinces() -> list[tuple[str, str]]:
    """The provinces of the current structure (code, name), in Vietnamese order."""
    return list(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
        .order_by("sort_key")
        .values_list("code", "name")
    )


def provincial_campaigns(framework: FrameworkVersion, year: int) -> list[Campaign]:
    """The published campaigns of ``framework`` and ``year`` over a whole province (the
    latest one per province)."""
    qs = (
        Campaign.objects.select_related("framework", "area")
        .filter(
            framework=framework,
            year=year,
            status=CampaignStatus.PUBLISHED,
            area__structure=Structure.CURRENT,
            area__level=Level.PROVINCE,
        )
        .order_by("area__code", "-id")
    )
    out: dict[str, Campaign] = {}
    for c in qs:
        assert c.area is not None
        out.setdefault(c.area.code, c)
    return list(out.values())


def pool(framework: FrameworkVersion, year: int) -> Pooled:
    """Pool the respondents of the provincial campaigns and post-stratify them as one."""
    from thuocdo.analytics.services import population_frame

    campaigns = provincial_campaigns(framework, year)
    layout = store.layout_for(framework)
    frames: list[pl.DataFrame] = []
    populations: list[pl.DataFrame] = []
    covered: list[dict[str, Any]] = []
    for c in campaigns:
        loaded = selectors.load(c)
        frames.append(store.plain(loaded.frame).drop("weight", "stratum"))
        populations.append(population_frame(c.pk))
        assert c.area is not None
        covered.append(
            {"code": c.area.code, "name": c.area.name, "campaign": c.pk, "n": loaded.frame.height}
        )
    if frames:
        raw = pl.concat(frames, how="vertical_relaxed")
        weighted, summary = poststratify(raw, pl.concat(populations))
        frame = store.finish(store.plain(weighted.drop("collapse")))
    else:
        frame = store.empty(layout)
        weighted, summary = poststratify(frame.drop("weight", "stratum"), pl.DataFrame())
    done = {c["code"] for c in covered}
    missing = [{"code": code, "name": name} for code, name in provinces() if code not in done]
    return Pooled(
        framework,
        year,
        campaigns,
        frame,
        store.cube_of(frame, layout),
        layout,
        summary.weighted,
        summary.cells,
        covered,
        missing,
    )


def _release_key(campaigns: list[Campaign]) -> str:
    parts = []
    for c in campaigns:
        r = release_of(c)
        parts.append(f"{c.pk}:{r.pk}:{r.created_at.isoformat()}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _published_cells(campaigns: list[Campaign]) -> list[dict[str, str]]:
    """Every released cell of the provincial releases, by its keys (a provincial table's
    cells lie in its province)."""
    from thuocdo.analytics.release import _tables

    out: list[dict[str, str]] = []
    for c in campaigns:
        assert c.area is not None
        _weighted, tables = _tables(c)
        for (kind, _key), rows in tables.items():
            if kind != "cells":
                continue
            for row in rows:
                if row.get("suppressed"):
                    continue
                keys = {k: str(row[k]) for k in GROUP_KEYS if k in row and row[k] is not None}
                keys["province"] = c.area.code
                out.append(keys)
    return out


def public_rollup(framework: FrameworkVersion, year: int) -> NationalRollup:
    """The stored public roll-up of the current provincial releases (made on first read)."""
    campaigns = provincial_campaigns(framework, year)
    key = _release_key(campaigns)
    stored = NationalRollup.objects.filter(framework=framework, year=year, key=key).first()
    if stored is not None:
        with _LOCK:
            hit = _STORED.get(stored.pk)
        if hit is not None:
            return hit
        with _LOCK:
            if len(_STORED) > 64:
                _STORED.clear()
            _STORED[stored.pk] = stored
        return stored
    pooled = pool(framework, year)
    names = {c.code: c.name.vi for c in framework.engine().criteria()}
    tables, summary = build_tables(
        pooled.frame,
        pooled.cube,
        pooled.layout,
        names,
        groupings=NATIONAL_GROUPINGS,
        published=_published_cells(pooled.campaigns),
    )
    try:
        with transaction.atomic():
            return NationalRollup.objects.create(
                framework=framework,
                year=year,
                key=key,
                campaigns=[c.pk for c in pooled.campaigns],
                covered=pooled.covered,
                missing=pooled.missing,
                responses=pooled.frame.height,
                weighted=pooled.weighted,
                pattern={**summary, "strata": pooled.strata},
                tables={f"{kind}:{k}": rows for (kind, k), rows in tables.items()},
            )
    except IntegrityError:  # another process made it first
        return NationalRollup.objects.get(framework=framework, year=year, key=key)


def require_national(scope: Scope) -> None:
    """The officers' roll-up is for the ministries and administrators (a nationwide scope)."""
    if not scope.is_officer or scope.unit_path is not None:
        raise PermissionDenied(_("The national roll-up is for ministry officers only."))


def _province_names() -> dict[str, str]:
    return dict(provinces())


def _shape(
    framework: FrameworkVersion,
    year: int,
    tables: dict[str, list[dict[str, Any]]],
    *,
    covered: list[dict[str, Any]],
    missing: list[dict[str, str]],
    weighted: bool,
    public: bool,
) -> dict[str, Any]:
    names = _province_names()
    by_province = [
        {**r, "name": names.get(str(r["province"]), str(r["province"]))}
        for r in tables.get("cells:province", [])
    ]
    overall = tables.get("cells:", [])
    seen = {str(r["province"]) for r in by_province}
    grid = {code: tuple(xy) for code, xy in tile_grid()["tiles"].items()}
    return {
        "framework": framework.label,
        "code": framework.code,
        "version": framework.version,
        "year": year,
        "public": public,
        "suppressed": public,
        "weighted": weighted,
        "overall": overall[0] if overall else None,
        "cells": {
            table_key(g) or "all": tables.get(f"cells:{table_key(g)}", [])
            for g in NATIONAL_GROUPINGS
        },
        "rankings": rank(by_province),
        "map": [
            {
                "province": code,
                "name": name,
                "x": grid.get(code, (None, None))[0],
                "y": grid.get(code, (None, None))[1],
                "mean": next((r["mean"] for r in by_province if r["province"] == code), None),
                "covered": code in seen,
            }
            for code, name in provinces()
        ],
        "provinces_covered": covered,
        "provinces_missing": missing,
    }


TILE = 34  # px per tile of the drawn map


def map_tiles(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The roll-up's tile map as the page draws it (an SVG without scripts or inline styles):
    each province's tile position in pixels and its colour band of the mean score (0: 0–25 …
    3: 75–100; None: no published or released figure)."""
    placed = [e for e in entries if e["x"] is not None and e["y"] is not None]
    tiles = []
    for e in placed:
        mean = e["mean"]
        band = None if mean is None else min(3, max(0, int(float(mean) // 25)))
        tiles.append(
            {
                **e,
                "px": int(e["x"]) * TILE,
                "py": int(e["y"]) * TILE,
                "band": band,
                "label": e["name"].removeprefix("Tỉnh ").removeprefix("Thành phố ")[:4],
            }
        )
    width = (max((int(e["x"]) for e in placed), default=0) + 1) * TILE
    height = (max((int(e["y"]) for e in placed), default=0) + 1) * TILE
    return {"tiles": tiles, "width": width, "height": height, "size": TILE - 2}


def national(*, scope: Scope, code: str, version: str, year: int, public: bool) -> dict[str, Any]:
    """The roll-up as the pages, the API and the CLI show it: the released cells (public) or
    the live unsuppressed cells within the officer's sectors, with rankings, the map, the
    provinces covered and missing and the national figure year on year."""
    framework = framework_get(code, version)
    if public:
        stored = public_rollup(framework, year)
        tables: dict[str, list[dict[str, Any]]] = {
            k: v for k, v in stored.tables.items() if k.startswith("cells:")
        }
        out = _shape(
            framework,
            year,
            tables,
            covered=list(stored.covered),
            missing=list(stored.missing),
            weighted=stored.weighted,
            public=True,
        )
        out["released_at"] = stored.created_at.isoformat()
    else:
        require_national(scope)
        pooled = pool(framework, year)
        filters = selectors.scope_filters(scope, False)
        tables = {
            f"cells:{table_key(g)}": estimate_slice(pooled.cube, g, filters, pooled.layout)
            for g in NATIONAL_GROUPINGS
        }
        out = _shape(
            framework,
            year,
            tables,
            covered=pooled.covered,
            missing=pooled.missing,
            weighted=pooled.weighted,
            public=False,
        )
        out["strata"] = pooled.strata
    out["trend"] = trend(scope=scope, framework=framework, public=public, current=(year, out))
    return out


def trend(
    *,
    scope: Scope,
    framework: FrameworkVersion,
    public: bool,
    current: tuple[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The national figure per year of the criteria-set code (each year's most used
    version), the change from the year before, flagged when the version changed."""
    rows = (
        Campaign.objects.filter(
            framework__code=framework.code,
            status=CampaignStatus.PUBLISHED,
            area__structure=Structure.CURRENT,
            area__level=Level.PROVINCE,
        )
        .values_list("year", "framework_id")
        .order_by("year", "framework_id")
    )
    counts: dict[int, dict[int, int]] = {}
    for y, fid in rows:
        counts.setdefault(y, {})[fid] = counts.get(y, {}).get(fid, 0) + 1
    out: list[dict[str, Any]] = []
    prev: dict[str, Any] | None = None
    for y in sorted(counts):
        fid = max(counts[y], key=lambda f: (counts[y][f], f))
        fv = FrameworkVersion.objects.get(pk=fid)
        if current is not None and y == current[0] and fv.pk == framework.pk:
            overall = current[1]["overall"]
            n_prov = len(current[1]["provinces_covered"])
        elif public:
            stored = public_rollup(fv, y)
            cells = stored.tables.get("cells:", [])
            overall = cells[0] if cells else None
            n_prov = len(stored.covered)
        else:
            pooled = pool(fv, y)
            rows_ = estimate_slice(
                pooled.cube, (), selectors.scope_filters(scope, False), pooled.layout
            )
            overall = rows_[0] if rows_ else None
            n_prov = len(pooled.covered)
        item = {
            "year": y,
            "framework": fv.label,
            "provinces": n_prov,
            "n": (overall or {}).get("n"),
            "mean": (overall or {}).get("mean"),
            "ci_low": (overall or {}).get("ci_low"),
            "ci_high": (overall or {}).get("ci_high"),
            "change": None,
            "version_changed": False,
        }
        if prev is not None:
            item["version_changed"] = prev["framework"] != item["framework"]
            if prev["mean"] is not None and item["mean"] is not None:
                item["change"] = round(item["mean"] - prev["mean"], 2)
        out.append(item)
        prev = item
    return out


def choices() -> list[dict[str, Any]]:
    """The (criteria set, version, year) a roll-up can be made of: published provincial
    campaigns exist for them."""
    rows = (
        Campaign.objects.filter(
            status=CampaignStatus.PUBLISHED,
            area__structure=Structure.CURRENT,
            area__level=Level.PROVINCE,
        )
        .values_list("framework__code", "framework__version", "framework__name_vi", "year")
        .distinct()
        .order_by("-year", "framework__code", "framework__version")
    )
    return [{"code": c, "version": v, "name": n, "year": y} for c, v, n, y in rows]
