"""API router of the indicators app, mounted at /api/v1/indicators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from thuocdo.accounts.models import User
from thuocdo.accounts.selectors import scope_for
from thuocdo.api.auth import AUTH
from thuocdo.api.paging import MAX_OFFSET
from thuocdo.core.access import access
from thuocdo.indicators import registry, selectors, services
from thuocdo.indicators.consolidation import (
    consolidation_dict,
    consolidation_lock,
    consolidation_status,
    consolidation_unlock,
)
from thuocdo.indicators.digital_economy import de_declare, de_result_list
from thuocdo.indicators.forecasting import early_warnings, forecast_get
from thuocdo.indicators.models import DigitalEconomyResult, Indicator, Submission, Target
from thuocdo.indicators.proposals import (
    proposal_decide,
    proposal_dict,
    proposal_list,
    proposal_open,
)
from thuocdo.indicators.reporting import resolve_unit, unit_code
from thuocdo.indicators.schemas import (
    ConsolidationIn,
    DecisionIn,
    DigitalEconomyIn,
    DigitalEconomyOut,
    ForecastOut,
    IndicatorDefineIn,
    IndicatorDetailOut,
    IndicatorEditIn,
    IndicatorOut,
    IndicatorSavedOut,
    IndicatorVersionOut,
    OverdueReportOut,
    ProposalIn,
    RevisionOut,
    SubmissionDetailOut,
    SubmissionIn,
    SubmissionOut,
    SubmitOut,
    TargetIn,
    TargetOut,
    UnlockIn,
)

router = Router(tags=["indicators"])


def _user(request: HttpRequest) -> User | None:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if isinstance(user, User) else None


def target_out(t: Target) -> TargetOut:
    return TargetOut(
        year=t.year,
        value=t.value,
        comparator=t.comparator,
        kind=t.kind,
        text=t.text,
        unit=unit_code(t.unit),
    )


def indicator_out(ind: Indicator, *, national_only: bool = True) -> dict[str, Any]:
    targets = [t for t in ind.targets.all() if t.unit_id is None or not national_only]
    return {
        "code": ind.code,
        "name": ind.name_vi,
        "name_en": ind.name_en,
        "unit": ind.unit_symbol,
        "unit_kind": ind.unit_kind,
        "direction": ind.direction,
        "scope": list(ind.scope or []),
        "kind": ind.kind,
        "formula": ind.formula,
        "responsible_unit": ind.responsible_unit,
        "reporting_unit": ind.reporting_unit,
        "seed001_row": ind.seed001_row,
        "targets": [target_out(t) for t in sorted(targets, key=lambda t: (t.year, t.unit_id or 0))],
    }


def submission_out(s: Submission) -> SubmissionOut:
    return SubmissionOut(
        id=s.pk,
        indicator=s.indicator.code,
        unit=unit_code(s.unit),
        period=s.period,
        value=s.value,
        provisional=s.provisional,
        source=s.source,
        computed=s.computed,
        late=s.late,
        international_value=s.international_value,
        international_reference=s.international_reference,
        trend_assessment=s.trend_assessment,
        international_comparison=s.international_comparison,
        difficulties=s.difficulties,
        proposals=s.proposals,
        warnings=list(s.warnings or []),
        updated_at=s.updated_at.isoformat(),
        sector=s.sector,
    )


@router.get("/", response=list[IndicatorOut], auth=None, summary="The indicator registry")
@access("public")
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    return [indicator_out(i) for i in selectors.indicator_list()]


@router.get("/{code}", response=IndicatorDetailOut, auth=None, summary="One indicator")
@access("public")
def get_indicator(request: HttpRequest, code: str) -> dict[str, Any]:
    return get_indicator_dict(selectors.indicator_get(code))


def get_indicator_dict(ind: Indicator) -> dict[str, Any]:
    return {
        **indicator_out(ind, national_only=False),
        "definition_vi": ind.definition_vi,
        "definition_en": ind.definition_en,
        "data_source": ind.data_source,
        "international_comparator": ind.international_comparator,
        "international_value": ind.international_value,
        "international_value_source": ind.international_value_source,
        "international_value_year": ind.international_value_year,
        "parent": ind.parent.code if ind.parent else None,
    }


def _definition_of(body: IndicatorEditIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = body.dict(exclude_unset=True)
    targets = [dict(t) for t in data.pop("targets", None) or []]
    data.pop("code", None)
    data.pop("owner_unit", None)
    if "method" in data:
        data["kind"] = data.pop("method")
    return {
        k: ("" if v is None and k not in ("unit_min", "unit_max") else v) for k, v in data.items()
    }, targets


def saved_out(ind: Indicator) -> dict[str, Any]:
    ind = selectors.indicator_get(ind.code)
    return {
        **get_indicator_dict(ind),
        "version": ind.version,
        "owner_unit": unit_code(ind.owner_unit) if ind.owner_unit_id else None,
        "survey_source": ind.survey_source,
        "aggregation": ind.aggregation,
    }


@router.post("/", response=IndicatorSavedOut, auth=AUTH, summary="Define an indicator")
@access("officer")
def define_indicator(request: HttpRequest, body: IndicatorDefineIn) -> dict[str, Any]:
    """Add an indicator (national: ministry officers and administrators; a province's own:
    its officers) with its method and targets; version 1, audited."""
    user = _user(request)
    data, targets = _definition_of(body)
    ind = registry.indicator_define(
        scope=scope_for(user),
        actor=user,
        code=body.code,
        data=data,
        targets=targets,
        owner_unit=body.owner_unit,
    )
    return saved_out(ind)


@router.patch("/{code}", response=IndicatorSavedOut, auth=AUTH, summary="Edit an indicator")
@access("officer")
def edit_indicator(request: HttpRequest, code: str, body: IndicatorEditIn) -> dict[str, Any]:
    """Change an indicator's definition or targets; each change adds a version."""
    user = _user(request)
    data, targets = _definition_of(body)
    ind = registry.indicator_edit(
        scope=scope_for(user), actor=user, code=code, data=data, targets=targets
    )
    return saved_out(ind)


@router.get("/{code}/versions", response=list[IndicatorVersionOut], auth=AUTH, summary="Versions")
@access("officer")
def list_versions(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every version of an indicator's definition, oldest first."""
    from thuocdo.accounts.selectors import require_officer

    require_officer(scope_for(_user(request)))
    return [
        {
            "number": v.number,
            "change": v.change,
            "fields": list(v.fields or []),
            "changed_by": v.changed_by.username if v.changed_by else None,
            "changed_at": v.changed_at.isoformat(),
            "snapshot": v.snapshot,
        }
        for v in registry.indicator_versions(code=code)
    ]


@router.get("/{code}/targets", response=list[TargetOut], auth=None, summary="Targets")
@access("public")
def list_targets(request: HttpRequest, code: str) -> list[TargetOut]:
    ind = selectors.indicator_get(code)
    return [target_out(t) for t in selectors.target_list(indicator=ind)]


@router.post("/{code}/targets", response=TargetOut, auth=AUTH, summary="Set a target")
@access("officer")
def set_target(request: HttpRequest, code: str, body: TargetIn) -> TargetOut:
    user = _user(request)
    target = services.target_set(
        scope=scope_for(user),
        actor=user,
        indicator_code=code,
        unit_code=body.unit,
        year=body.year,
        value=body.value,
        comparator=body.comparator,
        kind=body.kind,
    )
    return target_out(target)


class ForecastQuery(Schema):
    unit: str | None = Field(None, max_length=10)
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/{code}/forecast", response=ForecastOut, auth=AUTH, summary="Forecast and verdict")
@access("officer")
def get_forecast(request: HttpRequest, code: str, q: Query[ForecastQuery]) -> dict[str, Any]:
    return forecast_get(
        scope=scope_for(_user(request)), code=code, unit_code=q.unit, target_year=q.year
    )


class SubmissionFilter(Schema):
    indicator: str | None = Field(None, max_length=80)
    unit: str | None = Field(None, max_length=10, description="province code or VN")
    period: str | None = Field(None, max_length=10)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SubmissionPage(Schema):
    count: int
    items: list[SubmissionOut]


@router.get("/submissions/", response=SubmissionPage, auth=AUTH, summary="Submitted values")
@access("officer")
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilter]) -> SubmissionPage:
    scope = scope_for(_user(request))
    indicator = selectors.indicator_get(filters.indicator) if filters.indicator else None
    unit: Any = "all" if filters.unit is None else resolve_unit(filters.unit)
    qs = selectors.submission_list(
        scope=scope, indicator=indicator, unit=unit, period=filters.period
    )
    page = qs[filters.offset : filters.offset + filters.limit]
    return SubmissionPage(count=qs.count(), items=[submission_out(s) for s in page])


@router.post("/submissions/", response=SubmitOut, auth=AUTH, summary="Report a value")
@access("officer")
def submit(request: HttpRequest, body: SubmissionIn) -> SubmitOut:
    user = _user(request)
    result = services.submission_submit(
        scope=scope_for(user),
        actor=user,
        indicator_code=body.indicator,
        unit_code=body.unit,
        period=body.period,
        value=body.value,
        provisional=body.provisional,
        source=body.source,
        unit_symbol=body.unit_symbol,
        international_value=body.international_value,
        international_reference=body.international_reference,
        trend_assessment=body.trend_assessment,
        international_comparison=body.international_comparison,
        difficulties=body.difficulties,
        proposals=body.proposals,
        sector=body.sector,
    )
    return SubmitOut(
        submission=submission_out(result.submission),
        created=result.created,
        changed=result.changed,
        warnings=result.warnings,
    )


@router.get(
    "/submissions/{submission_id}", response=SubmissionDetailOut, auth=AUTH, summary="One value"
)
@access("officer")
def get_submission(request: HttpRequest, submission_id: int) -> SubmissionDetailOut:
    scope = scope_for(_user(request))
    sub = selectors.submission_get(scope=scope, submission_id=submission_id)
    history = [
        RevisionOut(
            value=r.value,
            status=r.status,
            source=r.source,
            reason=r.reason,
            replaced_at=r.replaced_at.isoformat(),
        )
        for r in selectors.submission_history(scope=scope, submission=sub)
    ]
    return SubmissionDetailOut(
        **submission_out(sub).model_dump(), inputs=dict(sub.inputs or {}), history=history
    )


class WarningQuery(Schema):
    unit: str | None = Field(None, max_length=10, description="province code or VN; empty: all")


@router.get("/reporting/warnings", response=list[dict[str, Any]], auth=AUTH, summary="Warnings")
@access("officer")
def warnings(request: HttpRequest, q: Query[WarningQuery]) -> list[dict[str, Any]]:
    """Indicators off track, at risk or far ahead in the viewer's scope (worst first)."""
    return early_warnings(
        scope=scope_for(_user(request)), unit_code="all" if q.unit is None else q.unit
    )


class OverdueQuery(Schema):
    period: str | None = Field(None, max_length=20)


@router.get("/reporting/overdue", response=list[OverdueReportOut], auth=AUTH, summary="Overdue")
@access("officer")
def overdue(request: HttpRequest, q: Query[OverdueQuery]) -> list[dict[str, Any]]:
    return selectors.overdue_list(scope=scope_for(_user(request)), period=q.period)


def de_out(r: DigitalEconomyResult) -> DigitalEconomyOut:
    return DigitalEconomyOut(
        id=r.pk,
        unit=unit_code(r.unit),
        period=r.period,
        method_version=r.method_version,
        de_share_pct=r.de_share_pct,
        ict_share_pct=r.ict_share_pct,
        platform_share_pct=r.platform_share_pct,
        digitalisation_share_pct=r.digitalisation_share_pct,
        core_fraction_of_de_pct=r.core_fraction_of_de_pct,
        missing=list(r.missing),
        notes=list(r.notes),
        declaration=r.declaration_id,
        inputs=dict(r.inputs),
    )


@router.get(
    "/digital-economy/", response=list[DigitalEconomyOut], auth=AUTH, summary="DE measurements"
)
@access("officer")
def list_measurements(request: HttpRequest) -> list[DigitalEconomyOut]:
    return [de_out(r) for r in de_result_list(scope=scope_for(_user(request)))]


@router.post(
    "/digital-economy/", response=DigitalEconomyOut, auth=AUTH, summary="Declare DE inputs"
)
@access("officer")
def declare_measurement(request: HttpRequest, body: DigitalEconomyIn) -> DigitalEconomyOut:
    user = _user(request)
    result = de_declare(
        scope=scope_for(user),
        actor=user,
        unit_code_=body.unit,
        period=body.period,
        grdp=body.grdp,
        grdp_source=body.grdp_source,
        core=body.core,
        platform=body.platform,
        sectoral=body.sectoral,
        currency_unit=body.currency_unit,
    )
    return de_out(result)


@router.get(
    "/reporting/target-proposals",
    response=list[dict[str, Any]],
    auth=AUTH,
    summary="Target-change proposals",
)
@access("officer")
def list_proposals(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    scope = scope_for(_user(request))
    return [proposal_dict(p) for p in proposal_list(scope=scope, status=status)]


@router.post(
    "/reporting/target-proposals",
    response=dict[str, Any],
    auth=AUTH,
    summary="Propose a target change",
)
@access("officer")
def open_proposal(request: HttpRequest, body: ProposalIn) -> dict[str, Any]:
    user = _user(request)
    p = proposal_open(
        scope=scope_for(user),
        actor=user,
        indicator_code=body.indicator,
        unit_code_=body.unit,
        year=body.year,
        value=body.value,
        comparator=body.comparator,
        reason=body.reason,
    )
    return proposal_dict(p)


@router.post(
    "/reporting/target-proposals/{proposal_id}/decision",
    response=dict[str, Any],
    auth=AUTH,
    summary="Approve or reject a target change",
)
@access("officer")
def decide_proposal(request: HttpRequest, proposal_id: int, body: DecisionIn) -> dict[str, Any]:
    user = _user(request)
    p = proposal_decide(
        scope=scope_for(user),
        actor=user,
        proposal_id=proposal_id,
        approve=body.approve,
        note=body.note,
    )
    return proposal_dict(p)


@router.get(
    "/reporting/consolidation",
    response=list[dict[str, Any]],
    auth=AUTH,
    summary="Consolidation (chốt số liệu) status of a period",
)
@access("officer")
def list_consolidation(
    request: HttpRequest, period: str = "", unit: str | None = None
) -> list[dict[str, Any]]:
    # period is checked by the service after the caller's rights (a 403 before a 422)
    return consolidation_status(scope=scope_for(_user(request)), period=period, unit_code_=unit)


@router.post(
    "/reporting/consolidation",
    response=dict[str, Any],
    auth=AUTH,
    summary="Lock an indicator's figures of a period",
)
@access("officer")
def lock_figures(request: HttpRequest, body: ConsolidationIn) -> dict[str, Any]:
    user = _user(request)
    lock = consolidation_lock(
        scope=scope_for(user),
        actor=user,
        indicator_code=body.indicator,
        unit_code_=body.unit,
        period=body.period,
    )
    return consolidation_dict(lock)


@router.post(
    "/reporting/consolidation/unlock",
    response=dict[str, Any],
    auth=AUTH,
    summary="Unlock consolidated figures for a correction",
)
@access("officer")
def unlock_figures(request: HttpRequest, body: UnlockIn) -> dict[str, Any]:
    user = _user(request)
    consolidation_unlock(
        scope=scope_for(user),
        actor=user,
        indicator_code=body.indicator,
        unit_code_=body.unit,
        period=body.period,
        reason=body.reason,
    )
    return {"indicator": body.indicator, "period": body.period, "locked": False}
