"""Test factories: organisations, campaigns and scored responses as ORM rows (the scores come
from the engine), plus catalogue entries through the ecosystem services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments.models import Campaign, Organisation, Response, ResponseStatus
from thuocdo.ecosystem import services
from thuocdo.ecosystem.models import Provider, Solution
from thuocdo.frameworks.engine import score
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit

ADMIN = Scope(role="admin")
_seq = itertools.count(1)


def commune(province_index: int = 0, index: int = 0) -> Unit:
    provinces = list(Unit.objects.filter(structure="2025", level="province").order_by("code"))
    prov = provinces[province_index]
    return Unit.objects.filter(
        structure="2025", level="commune", path__startswith=prov.path
    ).order_by("code")[index]


def framework(code: str = "sme-dx") -> FrameworkVersion:
    return FrameworkVersion.objects.filter(code=code).order_by("-published_at").first()  # type: ignore[return-value]


def organisation(
    *,
    unit: Unit | None = None,
    sector: str = "general",
    entity_type: str = "enterprise",
    name: str | None = None,
) -> Organisation:
    unit = unit or commune()
    n = next(_seq)
    return Organisation.objects.create(
        registry_id=f"T{n:08d}",
        name=name or f"Doanh nghiệp thử {n}",
        name_folded=f"doanh nghiep thu {n}",
        sort_key=f"{n:08d}",
        entity_type=entity_type,
        sector=sector,
        commune=unit,
        unit_path=unit.path,
    )


def campaign(fv: FrameworkVersion, *, year: int = 2025, area: Unit | None = None) -> Campaign:
    area = area or Unit.objects.filter(structure="2025", level="province").order_by("code").first()
    assert area is not None
    n = next(_seq)
    return Campaign.objects.create(
        name=f"Đợt {n}",
        framework=fv,
        area=area,
        unit_path=area.path,
        year=year,
        status="open",
        public_token=f"tok{n:029d}",
    )


def low_answers(fv: FrameworkVersion) -> dict[str, Any]:
    """A complete response answering every applicable criterion with its lowest answer."""
    fw = fv.engine()
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            answers[c.code] = min(q.options, key=lambda o: o.score).code
        elif q.type == "multi":
            answers[c.code] = []
        elif q.type == "boolean":
            answers[c.code] = False
        else:
            answers[c.code] = q.min if q.min is not None else 0
    r = score(fw, answers, validate=False)
    return {k: v for k, v in answers.items() if r.criteria.get(k) is not None}


def response(
    org: Organisation,
    camp: Campaign,
    answers: dict[str, Any] | None = None,
    *,
    submitted_at: datetime | None = None,
    by: Any = None,
) -> Response:
    fv = camp.framework
    answers = answers if answers is not None else low_answers(fv)
    result = score(fv.engine(), answers)
    return Response.objects.create(
        campaign=camp,
        organisation=org,
        framework=fv,
        status=ResponseStatus.SUBMITTED,
        answers=answers,
        overall=result.overall,
        level=result.level,
        pillar_scores=result.pillars,
        criterion_scores=result.criteria,
        unmet=result.unmet,
        commune=org.commune,
        unit_path=org.unit_path,
        entity_type=org.entity_type,
        sector=org.sector,
        submitted_by=by,
        submitted_at=submitted_at or timezone.now(),
    )


def provider(*, users: list[Any] | None = None, code: str | None = None) -> Provider:
    n = next(_seq)
    return services.provider_create(
        scope=ADMIN,
        actor=None,
        code=code or f"nha-cung-cap-{n}",
        name=f"Công ty Công nghệ {n}",
        email=f"p{n}@example.vn",
        users=users or [],
    )


def solution(
    prov: Provider,
    *,
    approved: bool = True,
    tags: list[str] | None = None,
    criteria: list[str] | None = None,
    **data: Any,
) -> Solution:
    n = next(_seq)
    s = services.solution_create(
        scope=ADMIN,
        actor=None,
        provider=prov,
        code=data.pop("code", f"giai-phap-{n}"),
        data={
            "name_vi": f"Giải pháp {n}",
            "category": "business",
            "solution_tags": tags or [],
            "criteria": criteria or [],
            **data,
        },
    )
    if approved:
        services.solution_submit(scope=ADMIN, actor=None, solution=s)
        services.solution_review(scope=ADMIN, actor=None, solution=s, approve=True)
    return s


def promotion(
    s: Solution,
    *,
    months: int = 6,
    discount: float = 0,
    start: date | None = None,
    end: date | None = None,
    approved: bool = True,
) -> Any:
    today = timezone.localdate()
    return services.promotion_create(
        scope=ADMIN,
        actor=None,
        solution=s,
        title="Dùng thử miễn phí",
        free_trial_months=months,
        discount_percent=discount,
        valid_from=start or today - timedelta(days=1),
        valid_to=end,
        approved=approved,
    )
