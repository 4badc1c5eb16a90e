"""Pages of the indicators app: dashboard against targets, one indicator across units, the
submission form and the overdue list. Thin: every read and write goes through selectors and
services."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.core.access import access
from thuocdo.geo.models import Level, Structure, Unit
from thuocdo.indicators import registry, selectors, services
from thuocdo.indicators.forecasting import forecast_or_none
from thuocdo.indicators.models import Indicator, IndicatorKind
from thuocdo.indicators.reporting import resolve_unit, unit_code, unit_label

VERDICT_CLASS = {
    "on_track": "ok",
    "far_ahead": "ahead",
    "at_risk": "risk",
    "off_track": "off",
    "target_met": "ahead",
}


def _units_for(scope: Scope) -> list[Unit | None]:
    provinces = Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by(
        "sort_key"
    )
    if scope.unit_path is None:
        return [None, *provinces]
    return [None, *[u for u in provinces if scope.covers_path(u.path)]]


def _pick_unit(request: HttpRequest, scope: Scope) -> Unit | None:
    code = request.GET.get("unit")
    if code is None:
        code = scope.unit_code if scope.unit_path is not None else None
        if (
            code is not None
            and not Unit.objects.filter(
                structure=Structure.CURRENT, level=Level.PROVINCE, code=code
            ).exists()
        ):
            code = None
    try:
        unit = resolve_unit(code)
    except ValidationError:
        unit = None
    selectors.require_read_unit(scope, unit)
    return unit


def _row(ind: Indicator, unit: Unit | None) -> dict[str, Any]:
    latest = selectors.latest_submission(ind, unit)
    fc = forecast_or_none(ind, unit) if latest is not None else None
    target = selectors.target_for(ind, unit)
    history = list(selectors.history_points(ind, unit).items())
    return {
        "indicator": ind,
        "latest": latest,
        "target": target,
        "forecast": fc,
        "light": VERDICT_CLASS.get(fc["verdict"], "none") if fc else "none",
        "chart": {
            "code": ind.code,
            "unit": ind.unit_symbol,
            "points": [[p, v] for p, v in history],
            "annual": fc["history"] if fc else [],
            "target": None if target is None else [target.year, target.value],
            "band": None
            if fc is None or fc["method"] in (None, "observed")
            else [fc["target_year"], fc["interval"][0], fc["forecast"], fc["interval"][1]],
        },
    }


@login_required
@access("officer")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every indicator for one unit against its target, with the verdict as a traffic light."""
    scope = scope_for(request.user)
    require_officer(scope)
    unit = _pick_unit(request, scope)
    rows = [_row(ind, unit) for ind in selectors.indicator_list()]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["light"]] = counts.get(r["light"], 0) + 1
    context = {
        "rows": rows,
        "unit": unit,
        "unit_code": unit_code(unit),
        "unit_name": unit_label(unit),
        "units": [(unit_code(u), unit_label(u)) for u in _units_for(scope)],
        "charts": [r["chart"] for r in rows],
        "counts": counts,
    }
    return render(request, "indicators/dashboard.html", context)


@login_required
@access("officer")
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: national history and forecast, and the comparison across units."""
    scope = scope_for(request.user)
    require_officer(scope)
    ind = selectors.indicator_get(code)
    comparison: list[dict[str, Any]] = []
    bars: list[dict[str, Any]] = []
    for u in _units_for(scope):
        latest = selectors.latest_submission(ind, u)
        if latest is None and u is not None:
            continue
        fc = forecast_or_none(ind, u) if latest is not None else None
        if latest is not None:
            bars.append({"name": unit_label(u), "value": latest.value, "period": latest.period})
        comparison.append(
            {
                "code": unit_code(u),
                "name": unit_label(u),
                "latest": latest,
                "target": selectors.target_for(ind, u),
                "forecast": fc,
                "light": VERDICT_CLASS.get(fc["verdict"], "none") if fc else "none",
            }
        )
    unit = _pick_unit(request, scope)
    row = _row(ind, unit)
    context = {
        "ind": ind,
        "row": row,
        "unit_name": unit_label(unit),
        "comparison": comparison,
        "bars": {"unit": ind.unit_symbol, "bars": bars},
        "charts": [row["chart"]],
        "targets": selectors.target_list(indicator=ind),
        "can_edit": registry.may_define(scope, ind.owner_unit),
    }
    return render(request, "indicators/detail.html", context)


FIELDS = (
    "indicator",
    "unit",
    "period",
    "value",
    "source",
    "unit_symbol",
    "international_value",
    "international_reference",
    "trend_assessment",
    "international_comparison",
    "difficulties",
    "proposals",
)


@login_required
@require_http_methods(["GET", "POST"])
@access("officer")
def submit(request: HttpRequest) -> HttpResponse:
    """The reporting form; errors are shown next to their fields."""
    scope = scope_for(request.user)
    require_officer(scope)
    data: dict[str, Any] = {
        name: request.POST.get(name, request.GET.get(name, "")) for name in FIELDS
    }
    data["provisional"] = bool(request.POST.get("provisional"))
    if not data["unit"]:
        data["unit"] = scope.unit_code if scope.unit_path is not None else "VN"
    errors: dict[str, list[str]] = {}
    status = 200
    result = None
    if request.method == "POST":
        try:
            result = services.submission_submit(
                scope=scope,
                actor=request.user,  # type: ignore[arg-type]
                indicator_code=data["indicator"],
                unit_code=data["unit"],
                period=data["period"],
                value=data["value"],
                provisional=data["provisional"],
                source=data["source"],
                unit_symbol=data["unit_symbol"] or None,
                international_value=data["international_value"] or None,
                international_reference=data["international_reference"],
                trend_assessment=data["trend_assessment"],
                international_comparison=data["international_comparison"],
                difficulties=data["difficulties"],
                proposals=data["proposals"],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 400
        except PermissionDenied as exc:
            errors = {"unit": [str(exc)]}
            status = 403
        else:
            from django.contrib import messages

            messages.success(
                request,
                _("Saved: %(code)s, %(unit)s, %(period)s = %(value)s")
                % {
                    "code": result.submission.indicator.code,
                    "unit": unit_code(result.submission.unit),
                    "period": result.submission.period,
                    "value": f"{result.submission.value:g}",
                },
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(f"{request.path}?indicator={data['indicator']}&unit={data['unit']}")
    context = {
        "data": data,
        "errors": errors,
        "indicators": Indicator.objects.filter(kind=IndicatorKind.INPUT).order_by("position"),
        "units": [(unit_code(u), unit_label(u)) for u in _units_for(scope)],
    }
    return render(request, "indicators/submit.html", context, status=status)


@login_required
@access("officer")
def overdue(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    period = request.GET.get("period") or None
    try:
        rows = selectors.overdue_list(scope=scope, period=period)
        error = None
    except ValidationError as exc:
        rows, error = [], " ".join(exc.messages)
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(r["unit_code"], {"name": r["unit_name"], "items": []})
        g["items"].append(r)
    context = {
        "groups": list(groups.values()),
        "total": len(rows),
        "period": rows[0]["period"] if rows else period,
        "due": rows[0]["due"] if rows else None,
        "error": error,
        "plan": selectors.plan_deadlines(),
    }
    return render(request, "indicators/overdue.html", context)


@login_required
@access("officer")
def digital_economy(request: HttpRequest) -> HttpResponse:
    """Digital-economy measurements in scope, each with its method version and inputs."""
    from thuocdo.indicators.digital_economy import de_result_list

    scope = scope_for(request.user)
    results = list(de_result_list(scope=scope))
    return render(request, "indicators/digital_economy.html", {"results": results})


@login_required
@require_http_methods(["GET", "POST"])
@access("officer")
def proposals(request: HttpRequest) -> HttpResponse:
    """Target-change proposals in scope: open one (from a "propose raising the target"
    warning, pre-filled by the query string) and approve or reject another officer's."""
    from thuocdo.indicators.proposals import proposal_decide, proposal_list, proposal_open

    scope = scope_for(request.user)
    errors: list[str] = []
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("action") == "decide":
                proposal_decide(
                    scope=scope,
                    actor=request.user,  # type: ignore[arg-type]
                    proposal_id=int(data.get("id") or 0),
                    approve=data.get("decision") == "approve",
                    note=data.get("note", ""),
                )
            else:
                year = data.get("year", "")
                proposal_open(
                    scope=scope,
                    actor=request.user,  # type: ignore[arg-type]
                    indicator_code=data.get("indicator", ""),
                    unit_code_=data.get("unit") or None,
                    year=int(year) if year.isdigit() else 0,
                    value=data.get("value", ""),
                    comparator=data.get("comparator") or None,
                    reason=data.get("reason", ""),
                )
            return redirect("indicators:proposals")
        except (ValidationError, PermissionDenied) as exc:
            errors = list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]
    status = request.GET.get("status") or None
    try:
        rows = list(proposal_list(scope=scope, status=status))
    except ValidationError as exc:
        rows, errors = [], [*errors, *exc.messages]
    context = {
        "rows": rows,
        "status": status,
        "errors": errors,
        "indicators": selectors.indicator_list(),
        "initial": request.POST if request.method == "POST" else request.GET,
    }
    return render(request, "indicators/proposals.html", context)


# --------------------------------------------------------------------------- registry forms

DEFINITION_FIELDS = (
    "name_vi",
    "name_en",
    "unit_symbol",
    "unit_kind",
    "unit_min",
    "unit_max",
    "direction",
    "responsible_unit",
    "reporting_unit",
    "data_source",
    "definition_vi",
    "definition_en",
    "kind",
    "formula",
    "survey_source",
    "aggregation",
)
TARGET_ROWS = 3


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _posted_targets(post: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(int(post.get("target_rows") or TARGET_ROWS)):
        year = (post.get(f"target-{i}-year") or "").strip()
        value = (post.get(f"target-{i}-value") or "").strip()
        if not year and not value:
            continue
        rows.append(
            {
                "year": year,
                "value": value,
                "unit": (post.get(f"target-{i}-unit") or "").strip() or None,
                "comparator": (post.get(f"target-{i}-comparator") or "").strip() or None,
            }
        )
    return rows


def _indicator_form(request: HttpRequest, ind: Indicator | None) -> HttpResponse:
    from thuocdo.indicators.models import Aggregation, Direction, UnitKind

    scope = scope_for(request.user)
    require_officer(scope)
    if ind is not None:
        registry.require_definer(scope, ind.owner_unit)
    errors: dict[str, list[str]] = {}
    status = 200
    # commune officers define nothing: the page says so instead of showing the form
    refused = ind is None and scope.role not in ("admin", "ministry", "province")
    if refused:
        errors = {
            "__all__": [_("Only ministry, province officers and administrators define indicators.")]
        }
        status = 403 if request.method == "POST" else 200
    if request.method == "POST" and not refused:
        post = request.POST
        data: dict[str, Any] = {name: post.get(name, "") for name in DEFINITION_FIELDS}
        data["scope"] = post.getlist("scope")
        targets = _posted_targets(post)
        try:
            if ind is None:
                saved = registry.indicator_define(
                    scope=scope,
                    actor=request.user,  # type: ignore[arg-type]
                    code=post.get("code", ""),
                    data=data,
                    targets=targets,
                    owner_unit=post.get("owner_unit") or None,
                )
            else:
                saved = registry.indicator_edit(
                    scope=scope,
                    actor=request.user,  # type: ignore[arg-type]
                    code=ind.code,
                    data=data,
                    targets=targets,
                )
        except ValidationError as exc:
            errors, status = _errors_of(exc), 400
        except PermissionDenied as exc:
            errors, status = {"__all__": [str(exc)]}, 403
        else:
            from django.contrib import messages

            messages.success(
                request,
                _("Saved: %(code)s, version %(n)s.") % {"code": saved.code, "n": saved.version},
            )
            return redirect("indicators:edit", code=saved.code)
        values = {**data, "code": post.get("code", "")}
        target_rows = targets
    else:
        values = {name: getattr(ind, name) if ind else "" for name in DEFINITION_FIELDS}
        values["code"] = ind.code if ind else ""
        values["scope"] = list(ind.scope or []) if ind else []
        if ind is None:
            values.update(unit_symbol="%", unit_kind="percent", direction="higher", kind="input")
            values.update(aggregation="last")
            values["scope"] = ["province"] if scope.role == "province" else ["national", "province"]
        target_rows = (
            [
                {
                    "year": t.year,
                    "value": f"{t.value:g}",
                    "unit": unit_code(t.unit),
                    "comparator": t.comparator,
                }
                for t in selectors.target_list(indicator=ind)
            ]
            if ind
            else []
        )
    for key in ("unit_min", "unit_max"):
        if isinstance(values.get(key), float):
            values[key] = f"{values[key]:g}"
    rows = [*target_rows, *({} for _ in range(TARGET_ROWS))]
    target_errors = {k: v for k, v in errors.items() if k.startswith("targets[")}
    context = {
        "refused": refused,
        "ind": ind,
        "values": values,
        "errors": errors,
        "target_errors": target_errors,
        "targets": rows,
        "target_rows": len(rows),
        "unit_kinds": UnitKind.choices,
        "directions": Direction.choices,
        "kinds": IndicatorKind.choices,
        "aggregations": Aggregation.choices,
        "scopes": [
            ("national", _("National")),
            ("ministry", _("Ministry")),
            ("province", _("Province")),
        ],
        "versions": registry.indicator_versions(code=ind.code) if ind else [],
        "codes": list(Indicator.objects.order_by("code").values_list("code", flat=True)),
    }
    return render(request, "indicators/indicator_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@access("officer")
def indicator_new(request: HttpRequest) -> HttpResponse:
    """Define an indicator: method, units and targets (national: ministries and
    administrators; a province officer: its province's own)."""
    return _indicator_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@access("officer")
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit an indicator; each change adds a version, listed under the form."""
    return _indicator_form(request, selectors.indicator_get(code))


# --------------------------------------------------------------------------- DE form

CORE_ROWS, PLATFORM_ROWS, SECTOR_ROWS = 4, 2, 3
_ROW_FIELD = re.compile(r"^(core|platform|sectoral)\[(\d+)\](?:\.(\w+))?$")


def _field_label(key: str) -> str:
    """The form's name of a field an error names (``core[1].value``: "Core ICT value added,
    row 2: value")."""
    names = {
        "unit": _("Unit"),
        "period": _("Period"),
        "grdp": _("GRDP"),
        "grdp_source": _("Source of GRDP"),
        "currency_unit": _("Currency unit"),
        "core": _("Core ICT value added"),
        "platform": _("Platform value added"),
        "sectoral": _("Digitalised value added of other industries"),
        "core/platform/sectoral": _("Digital-economy value added"),
        "inputs": _("Inputs"),
        "__all__": _("Form"),
    }
    parts = {
        "value": _("value"),
        "source": _("source"),
        "label": _("name"),
        "vsic_codes": _("VSIC codes"),
        "digital_value_added": _("digitalised value added"),
        "sector_value_added": _("value added of the industry"),
        "digital_share_pct": _("digital share (%)"),
        "sector": _("industry"),
    }
    m = _ROW_FIELD.match(key)
    if m:
        group, row, part = m.groups()
        text = _("%(group)s, row %(n)s") % {"group": names[group], "n": int(row) + 1}
        return f"{text}: {parts.get(part, part)}" if part else text
    return names.get(key, key)


def _posted_items(post: Any, prefix: str, rows: int) -> list[dict[str, Any]]:
    out = []
    for i in range(rows):
        label = (post.get(f"{prefix}-{i}-label") or "").strip()
        value = (post.get(f"{prefix}-{i}-value") or "").strip()
        if not label and not value:
            continue
        out.append(
            {
                "label": label,
                "value": value.replace(",", ".") if value.count(",") == 1 else value,
                "source": post.get(f"{prefix}-{i}-source") or "",
                "vsic_codes": [
                    c.strip()
                    for c in (post.get(f"{prefix}-{i}-vsic") or "").replace(";", ",").split(",")
                    if c.strip()
                ],
            }
        )
    return out


def _posted_sectors(post: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(SECTOR_ROWS):
        row = {
            "sector": (post.get(f"sector-{i}-sector") or "").strip(),
            "digital_value_added": (post.get(f"sector-{i}-digital") or "").strip() or None,
            "sector_value_added": (post.get(f"sector-{i}-total") or "").strip() or None,
            "digital_share_pct": (post.get(f"sector-{i}-share") or "").strip() or None,
            "source": post.get(f"sector-{i}-source") or "",
            "vsic_codes": [
                c.strip() for c in (post.get(f"sector-{i}-vsic") or "").split(",") if c.strip()
            ],
        }
        if any(row[k] for k in ("sector", "digital_value_added", "sector_value_added")):
            out.append(row)
    return out


@login_required
@require_http_methods(["GET", "POST"])
@access("officer")
def digital_economy_form(request: HttpRequest) -> HttpResponse:
    """A province officer enters the digital-economy inputs of a period (GRDP, core ICT value
    added by VSIC, platform and digitalised value added, each with its source) and sees the
    shares and their split; errors are named per field and nothing is saved."""
    from thuocdo.indicators.digital_economy import de_declare

    scope = scope_for(request.user)
    require_officer(scope)
    post = request.POST
    default_unit = scope.unit_code if scope.role == "province" else "VN"
    values: dict[str, Any] = {
        "unit": post.get("unit", request.GET.get("unit", default_unit)) or default_unit,
        "period": post.get("period", request.GET.get("period", "")),
        "grdp": post.get("grdp", ""),
        "grdp_source": post.get("grdp_source", ""),
        "currency_unit": post.get("currency_unit", "tỷ đồng"),
    }
    errors: dict[str, list[str]] = {}
    result = None
    status = 200
    if request.method == "POST":
        platform = _posted_items(post, "platform", PLATFORM_ROWS)
        sectoral = _posted_sectors(post)
        try:
            result = de_declare(
                scope=scope,
                actor=request.user,  # type: ignore[arg-type]
                unit_code_=None if values["unit"] == "VN" else values["unit"],
                period=values["period"],
                grdp=(values["grdp"] or "").strip().replace(" ", "") or None,
                grdp_source=values["grdp_source"],
                core=_posted_items(post, "core", CORE_ROWS),
                platform=platform or None,
                sectoral=sectoral or None,
                currency_unit=values["currency_unit"],
            )
        except ValidationError as exc:
            errors, status = _errors_of(exc), 400
        except PermissionDenied as exc:
            errors, status = {"unit": [str(exc)]}, 403

    def posted(prefix: str, n: int, names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"i": i, **{k: post.get(f"{prefix}-{i}-{k}", "") for k in names}} for i in range(n)]

    item = ("label", "vsic", "value", "source")
    rows = {
        "core": posted("core", CORE_ROWS, item),
        "platform": posted("platform", PLATFORM_ROWS, item),
        "sector": posted("sector", SECTOR_ROWS, ("sector", "digital", "total", "share", "source")),
    }
    context = {
        "values": values,
        "errors": errors,
        "error_list": [(_field_label(k), v) for k, v in errors.items()],
        "result": result,
        "rows": rows,
        "units": [(unit_code(u), unit_label(u)) for u in _units_for(scope)],
    }
    return render(request, "indicators/digital_economy_form.html", context, status=status)
