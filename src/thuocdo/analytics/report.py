"""Annual report of a campaign for the nation or a province (XLSX; PDF in report_pdf)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors
from thuocdo.analytics.params import Slice, parse_filters
from thuocdo.core.spreadsheet import workbook_bytes
from thuocdo.geo.models import Structure, Unit


@dataclass
class ReportData:
    title: str
    campaign: Any
    area_name: str
    summary: dict[str, Any]
    by_unit: list[dict[str, Any]]
    unit_level: str
    unmet: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    level_names: dict[str, str]
    pillar_names: dict[str, str]
    unit_names: dict[str, str]
    weighted: bool


def report_data(
    *, scope: Scope, campaign_id: int, area: str | None, public: bool = False
) -> ReportData:
    filters: dict[str, list[str]] = {}
    area_name = _("Whole country")
    if not area:
        # a province officer's (or a province campaign's) report is that province's
        own = selectors.campaign_get(scope=scope, campaign_id=campaign_id, public=public)
        own_area = own.unit_path.strip("/").split("/")[1:2]
        provinces = selectors.scope_filters(scope, public).get("province") or own_area
        area = provinces[0] if len(provinces) == 1 else None
    if area:
        filters = parse_filters({"province": area})
        area_name = Unit.objects.get(structure=Structure.CURRENT, code=area).name
    slice_ = Slice(filters=tuple(sorted((k, tuple(v)) for k, v in filters.items())))
    total = selectors.aggregate(
        scope=scope, campaign_id=campaign_id, slice_=slice_, public=public, suppress=public
    )
    if not total["rows"] or not total["rows"][0].get("n"):
        raise ValidationError({"area": _("No counted responses in this area.")})
    level = "commune" if area else "province"
    by_unit = selectors.rankings(
        scope=scope, campaign_id=campaign_id, slice_=slice_, level=level, public=public
    )
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id, public=public)
    fw = campaign.framework.engine()
    codes = [r[level] for r in by_unit]
    names = dict(
        Unit.objects.filter(structure=Structure.CURRENT, code__in=codes).values_list("code", "name")
    )
    return ReportData(
        title=_("Digital transformation results %(year)s") % {"year": campaign.year},
        campaign=campaign,
        area_name=area_name,
        summary=total["rows"][0],
        by_unit=by_unit,
        unit_level=level,
        unmet=selectors.unmet(scope=scope, campaign_id=campaign_id, slice_=slice_, public=public),
        trend=selectors.trend(scope=scope, campaign_id=campaign_id, slice_=slice_, public=public),
        level_names={str(lv.code): lv.name.vi for lv in fw.levels},
        pillar_names={p.code: p.name.vi for p in fw.pillars},
        unit_names=names,
        weighted=bool(total["weighted"]),
    )


def _xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Summary")[:31]
    s = data.summary
    ws.append([data.title])
    ws.append([_("Campaign"), data.campaign.name])
    ws.append([_("Area"), data.area_name])
    ws.append([_("Criteria set"), data.campaign.framework.label])
    ws.append([_("Respondents"), s.get("n")])
    ws.append([_("Mean score"), s.get("mean")])
    ws.append([_("95% interval"), s.get("ci_low"), s.get("ci_high")])
    ws.append([])
    ws.append([_("DX level"), _("Share")])
    for code, share in (s.get("levels") or {}).items():
        ws.append([data.level_names.get(code, code), share])
    ws.append([])
    ws.append([_("Pillar"), _("Mean score")])
    for code, mean in (s.get("pillars") or {}).items():
        ws.append([data.pillar_names.get(code, code), mean])
    ws.append([])
    ws.append([_("Method"), method_note(data)])
    rk = wb.create_sheet(_("Rankings")[:31])
    rk.append(
        [
            _("Rank"),
            _("Code"),
            _("Unit"),
            _("Respondents"),
            _("Mean score"),
            _("95% interval low"),
            _("95% interval high"),
        ]
    )
    for r in data.by_unit:
        code = r[data.unit_level]
        rk.append(
            [
                r.get("rank"),
                code,
                data.unit_names.get(code, code),
                r.get("n"),
                r.get("mean"),
                r.get("ci_low"),
                r.get("ci_high"),
            ]
        )
    gaps = wb.create_sheet(_("Top gaps")[:31])
    gaps.append([_("Criterion"), _("Code"), _("Share unmet")])
    for g in data.unmet:
        gaps.append([g.get("name") or g["criterion"], g["criterion"], g.get("share")])
        gaps.cell(row=gaps.max_row, column=3).number_format = "0.0%"
    tr = wb.create_sheet(_("Trend")[:31])
    tr.append([_("Year"), _("Criteria set"), _("Mean score"), _("Change"), _("Version changed")])
    for t in data.trend:
        tr.append([t["year"], t["framework"], t["mean"], t["change"], t["version_changed"]])
    return workbook_bytes(wb)


def method_note(data: ReportData) -> str:
    if data.weighted:
        weighting = _(
            "Results are weighted by post-stratification on the campaign's population counts "
            "(commune × entity type × size), collapsing empty cells to coarser ones."
        )
    else:
        weighting = _("The campaign has no population counts: results are unweighted.")
    return " ".join(
        [
            weighting,
            _(
                "95% intervals: Taylor linearisation for means; Wilson intervals on the "
                "effective sample size for level shares. Cells with fewer than 5 respondents "
                "are not published."
            ),
        ]
    )


def build_report(
    *, scope: Scope, campaign_id: int, area: str | None, fmt: str, public: bool = False
) -> bytes:
    data = report_data(scope=scope, campaign_id=campaign_id, area=area, public=public)
    if fmt == "xlsx":
        return _xlsx(data)
    if fmt == "pdf":
        from thuocdo.analytics.report_pdf import render_pdf

        return render_pdf(data)
    raise ValidationError(
        {"format": _("Unknown format %(value)s: use pdf or xlsx.") % {"value": fmt}}
    )
