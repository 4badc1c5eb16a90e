"""Pages of the indicators app: dashboard against targets, one indicator across units, the
submission form and the overdue list. Thin: every read and write goes through selectors and
services."""

from __future__ import annotations

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
from thuocdo.indicators import selectors, services
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
