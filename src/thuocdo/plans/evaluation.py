"""Evaluation of the previous year for a plan of year N (the plan frame's first section):
every quantified target of year N−1 with its baseline, plan, achieved value, measurement
method (the indicator behind it), verdict, and the tasks that served it with their status;
as a page, XLSX and PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from thuocdo.accounts.scopes import Scope
from thuocdo.core.spreadsheet import workbook_bytes, xlsx_cell
from thuocdo.indicators.models import Indicator, Submission, Target
from thuocdo.plans.domain.evaluation import target_verdict
from thuocdo.plans.models import Plan, Status, Task
from thuocdo.plans.selectors import plan_get


@dataclass(frozen=True)
class TargetRow:
    code: str
    name: str
    unit_symbol: str
    method: str
    baseline: float | None
    baseline_period: str
    target: float
    comparator: str
    target_scope: str  # own | national
    achieved: float | None
    achieved_period: str
    achieved_status: str
    verdict: str
    tasks: tuple[tuple[str, str, str, int], ...]  # code, title, status label, progress


@dataclass(frozen=True)
class Evaluation:
    plan: Plan
    year: int
    unit_name: str
    source_plan: Plan | None
    rows: tuple[TargetRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        out = {"met": 0, "not_met": 0, "no_data": 0}
        for r in self.rows:
            out[r.verdict] += 1
        return out


def verdict_label(verdict: str) -> str:
    return {"met": _("Met"), "not_met": _("Not met"), "no_data": _("No value reported")}[verdict]


def _value_in(indicator: Indicator, unit: Any, year_from: int, year_to: int) -> Submission | None:
    subs = list(
        Submission.objects.filter(
            indicator=indicator,
            unit=unit,
            period_end__year__gte=year_from,
            period_end__year__lte=year_to,
        ).order_by("-period_end")[:2]
    )
    # the annual value of a year wins over its last quarter (same end date)
    return max(subs, key=lambda s: (s.period_end, s.quarter is None)) if subs else None


def plan_evaluation(*, scope: Scope, plan_id: int) -> Evaluation:
    """The evaluation of year N−1 for the plan ``plan_id`` of year N (scope-checked)."""
    plan = plan_get(scope=scope, plan_id=plan_id)
    year = plan.year - 1
    source = (
        Plan.objects.filter(level=plan.level, unit=plan.unit, year=year).order_by("id").first()
        if plan.unit_id
        else None
    )
    tasks = list(
        Task.objects.filter(plan=source or plan).exclude(indicator_code="").order_by("position")
    )
    by_indicator: dict[str, list[Task]] = {}
    for t in tasks:
        by_indicator.setdefault(t.indicator_code, []).append(t)
    own = (
        {
            t.indicator_id: t
            for t in Target.objects.filter(unit=plan.unit, year=year).select_related("indicator")
        }
        if plan.unit_id
        else {}
    )
    national = {
        t.indicator_id: t
        for t in Target.objects.filter(
            unit__isnull=True, year=year, indicator__code__in=list(by_indicator)
        ).select_related("indicator")
    }
    chosen = {**national, **own}
    labels = dict(Status.choices)
    rows: list[TargetRow] = []
    for target in sorted(chosen.values(), key=lambda t: (t.indicator.position, t.indicator.code)):
        ind = target.indicator
        base = _value_in(ind, plan.unit, 1900, year - 1)
        got = _value_in(ind, plan.unit, year, year)
        method = ind.name_vi + (f" — {ind.data_source}" if ind.data_source else "")
        rows.append(
            TargetRow(
                code=ind.code,
                name=ind.name_vi,
                unit_symbol=ind.unit_symbol,
                method=method,
                baseline=None if base is None else base.value,
                baseline_period=base.period if base else "",
                target=target.value,
                comparator=target.comparator,
                target_scope="own" if target.unit_id else "national",
                achieved=None if got is None else got.value,
                achieved_period=got.period if got else "",
                achieved_status=got.status if got else "",
                verdict=target_verdict(
                    None if got is None else got.value, target.value, target.comparator
                ),
                tasks=tuple(
                    (t.code, t.title_vi, str(labels.get(t.status, t.status)), t.progress)
                    for t in by_indicator.get(ind.code, [])
                ),
            )
        )
    unit_name = plan.unit.name if plan.unit is not None else plan.organisation
    return Evaluation(plan, year, unit_name, source, tuple(rows))


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:g}".replace(".", ",")


def headers() -> list[str]:
    return [
        _("Indicator"),
        _("Measurement method"),
        _("Unit"),
        _("Baseline"),
        _("Plan"),
        _("Achieved"),
        _("Verdict"),
        _("Tasks that served it"),
    ]


def _cells(r: TargetRow) -> list[Any]:
    return [
        f"{r.code}: {r.name}",
        r.method,
        r.unit_symbol,
        r.baseline,
        f"{r.comparator} {r.target:g}",
        r.achieved,
        verdict_label(r.verdict),
        "\n".join(f"{c} {title} ({status}, {p}%)" for c, title, status, p in r.tasks),
    ]


def title(ev: Evaluation) -> str:
    return _("Evaluation of %(year)s for the plan %(plan)s") % {
        "year": ev.year,
        "plan": ev.plan.title,
    }


def render_xlsx(ev: Evaluation) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(ev.year)
    xlsx_cell(ws, 1, 1, title(ev)).font = Font(bold=True, size=13)
    xlsx_cell(ws, 2, 1, ev.unit_name)
    for col, text in enumerate(headers(), start=1):
        xlsx_cell(ws, 4, col, text).font = Font(bold=True)
    for n, r in enumerate(ev.rows, start=5):
        for col, value in enumerate(_cells(r), start=1):
            xlsx_cell(ws, n, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", (40, 40, 10, 12, 12, 12, 16, 60), strict=True):
        ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


def render_pdf(ev: Evaluation) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from thuocdo.analytics.report_pdf import _register_fonts

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=18)
    counts = ev.counts
    story: list[Any] = [
        Paragraph(title(ev), h1),
        Paragraph(ev.unit_name, body),
        Paragraph(
            _("%(met)s met, %(not_met)s not met, %(no_data)s without a reported value.") % counts,
            body,
        ),
        Spacer(1, 0.3 * cm),
    ]
    rows: list[list[Any]] = [[Paragraph(h, body) for h in headers()]]
    for r in ev.rows:
        cells = _cells(r)
        cells[3], cells[5] = _num(r.baseline), _num(r.achieved)
        rows.append([Paragraph(str(c).replace("\n", "<br/>"), body) for c in cells])
    story.append(
        Table(
            rows,
            repeatRows=1,
            colWidths=[c * cm for c in (5, 5, 1.6, 1.8, 1.8, 1.8, 2.2, 7.5)],
            style=TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=landscape(A4), leftMargin=1 * cm, rightMargin=1 * cm, title=title(ev)
    ).build(story)
    return buf.getvalue()
