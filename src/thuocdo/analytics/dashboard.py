"""What a dashboard page shows, built from the selectors (shared by officer and public pages).

The same context feeds the HTML, the JSON blocks the charts read, and every CSV download, so
a suppressed cell is suppressed everywhere (the selectors have already blanked it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors
from thuocdo.analytics.params import Slice, parse_slice
from thuocdo.assessments.models import Campaign, CampaignStatus, EntityType, SizeClass
from thuocdo.core.spreadsheet import neutralise_row
from thuocdo.geo.models import Structure, Unit

CHARTS = ("map", "levels", "pillars", "unmet", "units", "trend")
DASH = "—"


@lru_cache(maxsize=1)
def tile_grid() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).resolve().parent / "data" / "tilegrid.json").read_text(encoding="utf-8")
    )
    return data


def _names(codes: Sequence[str]) -> dict[str, str]:
    return dict(
        Unit.objects.filter(structure=Structure.CURRENT, code__in=list(codes)).values_list(
            "code", "short_name"
        )
    )


def _first(values: Sequence[str] | None) -> str | None:
    return values[0] if values else None


def _years(campaign: Campaign, public: bool) -> list[int]:
    qs = Campaign.objects.filter(
        framework__code=campaign.framework.code, unit_path=campaign.unit_path
    )
    qs = (
        qs.filter(status=CampaignStatus.PUBLISHED)
        if public
        else qs.exclude(status=CampaignStatus.DRAFT)
    )
    return sorted(set(qs.values_list("year", flat=True)))


def dashboard_context(
    *, scope: Scope, campaign_id: int, params: Mapping[str, Any], public: bool = False
) -> dict[str, Any]:
    """Everything the dashboard of a campaign shows for the filters in ``params``. A public
    dashboard is made of released tables only, so it is kept per process for the current
    releases (see ``release.cached_public``)."""
    if not public:
        return _dashboard_context(scope=scope, campaign_id=campaign_id, params=params, public=False)
    from django.utils import translation

    from thuocdo.analytics.release import cached_public, release_key

    released = release_key(campaign_id)
    if released is None:  # not published, or its release not made yet
        return _dashboard_context(scope=scope, campaign_id=campaign_id, params=params, public=True)
    lists = params.lists() if hasattr(params, "lists") else params.items()
    key = (
        campaign_id,
        released,
        translation.get_language(),
        tuple(sorted((k, tuple(v) if isinstance(v, list) else (v,)) for k, v in lists)),
    )
    ctx = cached_public(
        "dashboard",
        key,
        lambda: _dashboard_context(
            scope=scope, campaign_id=campaign_id, params=params, public=True
        ),
    )
    return dict(ctx)


def _dashboard_context(
    *, scope: Scope, campaign_id: int, params: Mapping[str, Any], public: bool
) -> dict[str, Any]:
    asked = parse_slice(params)
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id, public=public)
    forced = selectors.scope_filters(scope, public)
    fmap = asked.filter_map()
    province = _first(fmap.get("province") or forced.get("province"))
    commune = _first(fmap.get("commune"))
    if commune and not province:
        unit = Unit.objects.filter(structure=Structure.CURRENT, code=commune).first()
        province = unit.path.split("/")[1] if unit else None
    unit_level = "commune" if province else "province"
    base = Slice(filters=asked.filters, year=asked.year)
    summary_res = selectors.aggregate(
        scope=scope, campaign_id=campaign_id, slice_=base, public=public
    )
    summary = summary_res["rows"][0] if summary_res["rows"] else None
    shown = (
        selectors.campaign_get(scope=scope, campaign_id=summary_res["campaign"], public=True)
        if public
        else Campaign.objects.select_related("framework").get(pk=summary_res["campaign"])
    )
    fw = shown.framework.engine()
    units = selectors.rankings(
        scope=scope, campaign_id=campaign_id, slice_=base, level=unit_level, public=public
    )
    # the map: provinces within the other filters
    map_filters = tuple((k, v) for k, v in asked.filters if k not in ("province", "commune"))
    map_rows = selectors.aggregate(
        scope=scope,
        campaign_id=campaign_id,
        slice_=Slice(by=("province",), filters=map_filters, year=asked.year),
        public=public,
    )["rows"]
    unmet = selectors.unmet(scope=scope, campaign_id=campaign_id, slice_=base, public=public)
    trend = selectors.trend(
        scope=scope, campaign_id=shown.pk, slice_=Slice(filters=asked.filters), public=public
    )
    names = _names([*[r[unit_level] for r in units], *tile_grid()["tiles"]])
    for r in units:
        r["name"] = names.get(r[unit_level], r[unit_level])
    level_names = {str(lv.code): lv.name.vi for lv in fw.levels}
    pillar_names = {p.code: p.name.vi for p in fw.pillars}
    levels = [
        {
            "code": code,
            "name": level_names[code],
            "share": summary["levels"].get(code) if summary and summary.get("levels") else None,
            "ci": summary["levels_ci"].get(code) if summary and summary.get("levels_ci") else None,
        }
        for code in level_names
    ]
    pillars = [
        {
            "code": code,
            "name": pillar_names[code],
            "mean": summary["pillars"].get(code) if summary and summary.get("pillars") else None,
            "ci": summary["pillars_ci"].get(code)
            if summary and summary.get("pillars_ci")
            else None,
        }
        for code in pillar_names
    ]
    grid = tile_grid()
    by_code = {r["province"]: r for r in map_rows}
    tiles = []
    for code, (x, y) in grid["tiles"].items():
        cell: dict[str, Any] = by_code.get(code) or {}
        tiles.append(
            {
                "code": code,
                "name": names.get(code) or code,
                "x": x,
                "y": y,
                "mean": cell.get("mean"),
                "n": cell.get("n") or 0,
                "suppressed": bool(cell.get("suppressed")),
            }
        )
    if public:
        from thuocdo.analytics.release import released_values

        sectors = released_values(shown, "sector")
    else:
        sectors = sorted(set(shown.responses.values_list("sector", flat=True)) - {""})
    if forced.get("sector"):
        sectors = [s for s in sectors if s in forced["sector"]]
    chart_data = {
        "map": {"columns": grid["columns"], "rows": grid["rows"], "tiles": tiles},
        "levels": levels,
        "pillars": pillars,
        "unmet": unmet,
        "units": [
            {"code": r[unit_level], "name": r["name"], "mean": r.get("mean"), "n": r.get("n")}
            for r in units
        ],
        "trend": trend,
    }
    return {
        "campaign": campaign,
        "shown": shown,
        # the year after the name, unless the name already says it ("… Hà Nội 2025")
        "shown_year_apart": str(shown.year) not in shown.name,
        "public": public,
        "slice": asked,
        "province": province,
        "commune": commune,
        "province_name": _names([province])[province] if province else None,
        "unit_level": unit_level,
        "summary": summary,
        "weighted": summary_res["weighted"],
        "as_of": summary_res.get("as_of"),
        "units": units,
        "levels": levels,
        "pillars": pillars,
        "unmet": unmet,
        "trend": trend,
        "tiles": sorted(tiles, key=lambda t: t["code"]),
        "chart_data": chart_data,
        "options": {
            "sectors": sectors,
            "entity_types": EntityType.choices,
            "sizes": SizeClass.choices,
            "years": _years(campaign, public),
        },
        "scoped_province": _first(forced.get("province")),
    }


def chart_table(ctx: Mapping[str, Any], chart: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one chart's table view (also its CSV download)."""

    def v(x: Any) -> Any:
        return "" if x is None else x

    if chart == "map":
        return (
            [_("Province code"), _("Province"), _("Respondents"), _("Mean score"), _("Suppressed")],
            [
                [t["code"], t["name"], v(t["n"]), v(t["mean"]), t["suppressed"]]
                for t in ctx["tiles"]
            ],
        )
    if chart == "levels":
        return (
            [_("DX level"), _("Name"), _("Share"), _("95% interval low"), _("95% interval high")],
            [
                [
                    lv["code"],
                    lv["name"],
                    v(lv["share"]),
                    v((lv["ci"] or [None, None])[0]),
                    v((lv["ci"] or [None, None])[1]),
                ]
                for lv in ctx["levels"]
            ],
        )
    if chart == "pillars":
        return (
            [
                _("Pillar"),
                _("Name"),
                _("Mean score"),
                _("95% interval low"),
                _("95% interval high"),
            ],
            [
                [
                    p["code"],
                    p["name"],
                    v(p["mean"]),
                    v((p["ci"] or [None, None])[0]),
                    v((p["ci"] or [None, None])[1]),
                ]
                for p in ctx["pillars"]
            ],
        )
    if chart == "unmet":
        return (
            [_("Criterion"), _("Pillar"), _("Code"), _("Share unmet"), _("Respondents")],
            [
                [u["name"], u.get("pillar", ""), u["criterion"], v(u["share"]), u["n"]]
                for u in ctx["unmet"]
            ],
        )
    if chart == "units":
        level = ctx["unit_level"]
        return (
            [
                _("Rank"),
                _("Code"),
                _("Unit"),
                _("Respondents"),
                _("Mean score"),
                _("95% interval low"),
                _("95% interval high"),
                _("Suppressed"),
            ],
            [
                [
                    v(r.get("rank")),
                    r[level],
                    r["name"],
                    v(r.get("n")),
                    v(r.get("mean")),
                    v(r.get("ci_low")),
                    v(r.get("ci_high")),
                    bool(r.get("suppressed")),
                ]
                for r in ctx["units"]
            ],
        )
    if chart == "trend":
        return (
            [
                _("Year"),
                _("Criteria set"),
                _("Respondents"),
                _("Mean score"),
                _("Change"),
                _("Version changed"),
                _("Carried over from"),
            ],
            [
                [
                    t["year"],
                    t["framework"],
                    v(t["n"]),
                    v(t["mean"]),
                    v(t["change"]),
                    t["version_changed"],
                    origin_label(t.get("origin")),
                ]
                for t in ctx["trend"]
            ],
        )
    raise KeyError(chart)


def origin_label(origin: dict[str, str] | None) -> str:
    """“Tỉnh Kon Tum (62)” for a campaign carried over from a legacy province, else ""."""
    return "" if not origin else f"{origin['name']} ({origin['code']})"


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(neutralise_row(header))
    writer.writerows(neutralise_row(row) for row in rows)
    return "\ufeff" + buf.getvalue()
