"""Campaigns, strata and scored responses written directly as ORM rows for analytics tests.

Answers are drawn at random (seeded) for the built-in criteria set and scored with the real
engine, so every stored score, level and unmet list is what the assessment services would
have stored.
"""

from __future__ import annotations

import itertools
import random
import secrets
from typing import Any

from thuocdo.assessments.models import Campaign, Organisation, Response, Stratum
from thuocdo.frameworks.engine import Framework, score
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit

_COUNTER = itertools.count(1)


def framework(code: str = "sme-dx", version: str = "2025.1") -> FrameworkVersion:
    return FrameworkVersion.objects.get(code=code, version=version)


def unit(code: str, structure: str = "2025") -> Unit:
    return Unit.objects.get(structure=structure, code=code)


def communes_of(province: str, k: int) -> list[Unit]:
    prov = unit(province)
    return list(Unit.objects.filter(parent=prov, level="commune").order_by("code")[:k])


def campaign(
    *,
    area: str | None = None,
    year: int = 2025,
    status: str = "open",
    fv: FrameworkVersion | None = None,
    name: str = "Đánh giá DN",
) -> Campaign:
    fv = fv or framework()
    # A national campaign covers the whole structure ("2025/"); its area row is a placeholder.
    area_unit = unit(area or "01")
    path = area_unit.path if area else "2025/"
    return Campaign.objects.create(
        name=name,
        framework=fv,
        area=area_unit,
        unit_path=path,
        year=year,
        entity_types=["enterprise"],
        status=status,
        public_token=secrets.token_hex(8),
    )


def stratum(c: Campaign, commune: Unit, entity_type: str, size: str, population: int) -> Stratum:
    return Stratum.objects.create(
        campaign=c, commune=commune, entity_type=entity_type, size_class=size, population=population
    )


def random_answers(fw: Framework, rnd: random.Random, quality: float = 0.5) -> dict[str, Any]:
    """Valid answers; ``quality`` in [0, 1] shifts choices towards higher-scoring options."""
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        good = rnd.random() < quality
        if q.type == "single":
            opts = sorted(q.options, key=lambda o: o.score)
            pick = opts[-1] if good and rnd.random() < 0.5 else rnd.choice(opts)
            answers[c.code] = pick.code
        elif q.type == "multi":
            normal = [o.code for o in q.options if not o.exclusive]
            k = rnd.randint(1, len(normal)) if good else rnd.randint(0, max(1, len(normal) // 2))
            answers[c.code] = rnd.sample(normal, k)
        elif q.type == "boolean":
            answers[c.code] = good or rnd.random() < 0.3
        elif q.type == "number":
            mins = [t.min for t in q.thresholds] or [0.0]
            answers[c.code] = float(max(mins) if good else rnd.choice(mins))
        else:
            lo, hi = int(q.min or 1), int(q.max or 5)
            answers[c.code] = hi if good else rnd.randint(lo, hi)
    return answers


def response(
    c: Campaign,
    *,
    commune: Unit,
    entity_type: str = "enterprise",
    size: str = "small",
    sector: str = "retail",
    status: str = "submitted",
    answers: dict[str, Any] | None = None,
    seed: int | None = None,
    quality: float = 0.5,
) -> Response:
    n = next(_COUNTER)
    fv = c.framework
    fw = fv.engine()
    rnd = random.Random(seed if seed is not None else n)
    answers = answers if answers is not None else random_answers(fw, rnd, quality)
    result = score(fw, answers)
    org = Organisation.objects.create(
        registry_id=f"T{n:08d}{secrets.token_hex(2)}",
        name=f"Doanh nghiệp {n}",
        name_folded=f"doanh nghiep {n}",
        sort_key=f"doanh nghiep {n:08d}",
        entity_type=entity_type,
        sector=sector,
        size_class=size,
        commune=commune,
        unit_path=commune.path,
    )
    return Response.objects.create(
        campaign=c,
        organisation=org,
        framework=fv,
        status=status,
        answers=answers,
        overall=result.overall,
        level=result.level,
        pillar_scores=result.pillars,
        criterion_scores=result.criteria,
        unmet=result.unmet,
        commune=commune,
        unit_path=commune.path,
        entity_type=entity_type,
        size_class=size,
        sector=sector,
    )


def populated_campaign(
    *,
    provinces: tuple[str, ...] = ("01", "79"),
    per_commune: int = 6,
    communes: int = 2,
    status: str = "open",
    year: int = 2025,
    seed: int = 1,
) -> tuple[Campaign, list[Response]]:
    """A national campaign with strata and responses in a few communes of each province."""
    c = campaign(year=year, status=status)
    rnd = random.Random(seed)
    out: list[Response] = []
    for p_i, prov in enumerate(provinces):
        for commune in communes_of(prov, communes):
            stratum(c, commune, "enterprise", "small", 40 + 10 * p_i)
            stratum(c, commune, "enterprise", "micro", 100)
            for i in range(per_commune):
                size = "small" if i % 2 == 0 else "micro"
                out.append(
                    response(
                        c,
                        commune=commune,
                        size=size,
                        sector="retail" if i % 3 else "tourism",
                        seed=rnd.randint(0, 10**9),
                        quality=0.3 + 0.4 * p_i,
                    )
                )
    return c, out


def survey_indicator(code: str, source: str) -> None:
    """A survey-kind share indicator (0–100%) reading ``source``, national and provincial."""
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.services import indicator_create

    indicator_create(
        scope=Scope(role="admin", user_id=None),
        actor=None,
        code=code,
        name_vi="Tỷ lệ doanh nghiệp bán hàng trực tuyến (từ kết quả tự đánh giá)",
        unit_min=0,
        unit_max=100,
        scopes=["national", "province"],
        kind="survey",
        survey_source=source,
    )
