"""National demo data of the assessments capability, loaded by `thuocdo demo` after the
provincial demo (``assessments.demo``).

A picture of the whole country, synthetic but shaped like a real survey programme:

- a pilot of the household-business criteria set in 2024 over a few communes of Thái Nguyên,
  then its scale-up in 2025 over all 34 current provinces;
- small and medium enterprises (``sme-dx``) surveyed nationally in 2024 and again in 2025, the
  same enterprises answering both years a little more mature, so year-on-year changes and
  trends have shape;
- farms (``farm-dx``) and tourist destinations (``destination-dx``) surveyed nationally in 2025.

Provinces differ (a fixed level per province, cities ahead), sizes and sectors differ, and every
campaign is published with population strata. Organisations, strata and responses are written
with ``bulk_create``; answers are drawn from a fixed seed and scored in one batch per campaign
by the engine's batch scorer (bit-identical to the scalar scorer). Idempotent: keyed on the
campaigns' public tokens.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from thuocdo.accounts.services import audit_record
from thuocdo.assessments.demo import (
    _FORMS,
    _GIVEN,
    _MIDDLE,
    _SHOPS,
    _SURNAMES,
    _TRADES,
    _WORDS,
    _tax_code,
)
from thuocdo.assessments.domain import identity, vsic
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Organisation,
    Response,
    ResponseStatus,
    Stratum,
)
from thuocdo.core.collation import vi_collation_key
from thuocdo.frameworks.engine import BatchScorer
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Level, Structure, Unit

SEED = 2024
NATIONAL_PATH = "2025/"
SME_2024 = "demo-vn-sme-2024"
SME_2025 = "demo-vn-sme-2025"
HKD_PILOT = "demo-thainguyen-hkd-pilot-2024"
HKD_2025 = "demo-vn-hkd-2025"
FARM_2025 = "demo-vn-farm-2025"
DEST_2025 = "demo-vn-destination-2025"
PILOT_PROVINCE = "19"  # Thái Nguyên
BLOCK = 6
#: size classes drawn per block, with their weights
SIZES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "enterprise": (("micro", "small", "medium", "large"), (0.5, 0.32, 0.13, 0.05)),
    "household": (("micro",), (1.0,)),
    "farm": (("micro", "small"), (0.7, 0.3)),
    "destination": (("micro", "small", "medium"), (0.4, 0.4, 0.2)),
}
#: big cities ahead of the rest (a level added to every maturity drawn there)
CITIES = {"01": 0.12, "79": 0.12, "48": 0.08, "31": 0.07, "92": 0.05, "22": 0.05, "24": 0.05}

_FARMS = (
    ("chăn nuôi", "0146"),
    ("trồng rau", "0118"),
    ("cây ăn quả", "0121"),
    ("nuôi tôm", "0322"),
    ("chè", "0127"),
    ("cà phê", "0126"),
    ("lúa", "0111"),
)
_PLACES = (
    "Làng du lịch cộng đồng",
    "Khu du lịch sinh thái",
    "Điểm du lịch làng nghề",
    "Khu di tích",
    "Bản du lịch",
    "Khu nghỉ dưỡng",
)


@dataclass(frozen=True)
class _Plan:
    """One national campaign: who answers it and how many blocks per commune."""

    link: str
    code: str
    year: int
    name: str
    kind: str  # enterprise, household, farm, destination
    blocks: int
    communes: int


PLANS = (
    _Plan(
        HKD_2025,
        "household-dx",
        2025,
        "Khảo sát chuyển đổi số hộ kinh doanh toàn quốc 2025",
        "household",
        2,
        2,
    ),
    _Plan(
        FARM_2025, "farm-dx", 2025, "Đánh giá chuyển đổi số trang trại toàn quốc 2025", "farm", 1, 2
    ),
    _Plan(
        DEST_2025,
        "destination-dx",
        2025,
        "Đánh giá chuyển đổi số điểm đến du lịch toàn quốc 2025",
        "destination",
        1,
        1,
    ),
)


def provinces() -> list[Unit]:
    """The 34 provinces of the current structure, by code."""
    return list(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by("code")
    )


def _communes_of(province: str, n: int) -> list[Unit]:
    units = list(
        Unit.objects.filter(
            structure=Structure.CURRENT, level=Level.COMMUNE, path__startswith=f"2025/{province}/"
        ).order_by("code")
    )
    step = max(1, len(units) // max(n, 1))
    return units[::step][:n]


def _organisation(
    rng: random.Random,
    kind: str,
    commune: Unit,
    used: set[str],
    names: set[Any],
    pick: int,
    size_class: str,
) -> Organisation:
    """One organisation of ``kind`` in ``commune``: ``pick`` chooses its trade (the same for
    every member of a block) and ``size_class`` is the block's."""
    tax: str | None
    if kind == "household":
        trade, code = _SHOPS[pick % len(_SHOPS)]
        owner = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        name, entity_type = f"Hộ kinh doanh {trade} {owner}", "household_business"
        tax = _tax_code(commune.path[5:7], rng, used) if rng.random() < 0.5 else None
    elif kind == "farm":
        trade, code = _FARMS[pick % len(_FARMS)]
        owner = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        name, entity_type = f"Trang trại {trade} {owner}", "farm"
        tax = None
    elif kind == "destination":
        code = "9329"
        name = f"{rng.choice(_PLACES)} {rng.choice(_WORDS)}"
        entity_type = "destination"
        tax = _tax_code(commune.path[5:7], rng, used) if rng.random() < 0.6 else None
    else:
        trade, code = _TRADES[pick % len(_TRADES)]
        name = f"{rng.choice(_FORMS)} {trade} {rng.choice(_WORDS)}"
        entity_type = "enterprise"
        tax = _tax_code(commune.path[5:7], rng, used)
    base = name
    while (name, commune.pk) in names:
        name = f"{base} {rng.choice(_WORDS)}"
    names.add((name, commune.pk))
    key = identity.dedupe_key(name, commune.code)
    return Organisation(
        registry_id=identity.new_registry_id(),
        tax_code=tax,
        name=name,
        name_folded=key.split(":", 1)[1][:300],
        sort_key=vi_collation_key(name)[:900],
        entity_type=entity_type,
        vsic=code,
        sector=vsic.sector_of(code),
        size_class=size_class,
        commune=commune,
        unit_path=commune.path,
        address=f"Thôn {rng.randrange(1, 20)}, {commune.name}",
        contact_name=f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}",
        phone=f"09{rng.randrange(10**8):08d}",
    )


def _campaign(fw: FrameworkVersion, area: Unit, path: str, plan: _Plan, **extra: Any) -> Campaign:
    year = plan.year
    return Campaign.objects.create(
        name=plan.name,
        framework=fw,
        area=area,
        unit_path=path,
        year=year,
        entity_types=list(fw.entity_types),
        public_token=plan.link,
        status=CampaignStatus.PUBLISHED,
        published_at=timezone.make_aware(datetime(year, 12, 15, 9, 0)),
        opens_on=date(year, 8, 1),
        closes_on=date(year, 11, 30),
        **extra,
    )


def _maturity(rng: random.Random, org: Organisation, level: float) -> float:
    bump = {"micro": -0.05, "medium": 0.05, "large": 0.1}.get(org.size_class, 0.0)
    return min(1.0, max(0.0, rng.betavariate(2.2, 2.6) + level + bump))


def _responses(
    *,
    rng: random.Random,
    campaign: Campaign,
    orgs: list[Organisation],
    maturity: dict[int, float],
) -> list[Response]:
    """Responses of ``orgs`` (their maturity given), answers drawn then batch-scored."""
    fw = campaign.framework.engine()
    answers = [synthetic_answers(fw, rng, maturity[o.pk]) for o in orgs]
    scorer = BatchScorer(fw, threads=1)
    res = scorer.score(scorer.encode(answers))
    start = timezone.make_aware(datetime(campaign.year, 8, 1, 8, 0))
    rows = []
    for i, (org, given) in enumerate(zip(orgs, answers, strict=True)):
        scored = res.to_json_dict(i)
        status = ResponseStatus.VERIFIED if rng.random() < 0.7 else ResponseStatus.SUBMITTED
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 100))
        rows.append(
            Response(
                campaign=campaign,
                organisation=org,
                framework_id=campaign.framework_id,
                status=status,
                answers=given,
                overall=scored["overall"],
                level=scored["level"],
                pillar_scores=scored["pillars"],
                criterion_scores=scored["criteria"],
                unmet=scored["unmet"],
                commune_id=org.commune_id,
                unit_path=org.unit_path,
                entity_type=org.entity_type,
                size_class=org.size_class,
                sector=org.sector,
                channel=rng.choice((Channel.WEB, Channel.WEB, Channel.ON_BEHALF, Channel.OFFLINE)),
                submitted_at=at,
                verified_at=at + timedelta(days=3) if status == ResponseStatus.VERIFIED else None,
            )
        )
    return Response.objects.bulk_create(rows, batch_size=1000)


def _strata(rng: random.Random, campaign: Campaign, orgs: list[Organisation]) -> int:
    cells = Counter((o.commune_id, o.entity_type, o.size_class) for o in orgs)
    Stratum.objects.bulk_create(
        Stratum(
            campaign=campaign,
            commune_id=commune_id,
            entity_type=entity_type,
            size_class=size_class,
            population=n * rng.randrange(4, 25),
        )
        for (commune_id, entity_type, size_class), n in cells.items()
    )
    return len(cells)


def _audit(campaign: Campaign, counts: dict[str, int]) -> None:
    audit_record(
        actor=None,
        action="campaign.demo_load",
        object_type="assessments.campaign",
        object_id=campaign.pk,
        after={"name": campaign.name, **counts},
        unit_path=campaign.unit_path,
    )


@transaction.atomic
def load_demo() -> dict[str, Any]:
    """Load (idempotently) the national demo campaigns; returns counts for the report."""
    if Campaign.objects.filter(public_token=SME_2025).exists():
        return {
            "created": False,
            "national_campaigns": Campaign.objects.filter(unit_path=NATIONAL_PATH).count(),
        }
    rng = random.Random(SEED)
    provs = provinces()
    placeholder = provs[0]  # a national campaign covers "2025/"; its area row is a placeholder
    level = {p.code: CITIES.get(p.code, 0.0) + rng.uniform(-0.1, 0.06) for p in provs}
    used: set[str] = {
        c for c in Organisation.objects.values_list("tax_code", flat=True) if c is not None
    }
    names: set[Any] = set()
    counts: dict[str, Any] = {"created": True, "provinces": len(provs)}
    fws = {
        code: FrameworkVersion.objects.get(code=code, version="2025.1")
        for code in ("sme-dx", "household-dx", "farm-dx", "destination-dx")
    }

    def make_orgs(
        kind: str, blocks: int, n_communes: int, only: str | None = None
    ) -> list[list[Organisation]]:
        """``blocks`` blocks of :data:`BLOCK` organisations per commune, each block of one
        trade and one size (so the released cells are rarely too small to publish)."""
        out: list[list[Organisation]] = []
        sizes = SIZES[kind]
        for p in provs:
            if only and p.code != only:
                continue
            for commune in _communes_of(p.code, n_communes):
                for _ in range(blocks):
                    pick = rng.randrange(64)
                    size_class = rng.choices(sizes[0], weights=sizes[1])[0]
                    out.append(
                        [
                            _organisation(rng, kind, commune, used, names, pick, size_class)
                            for _ in range(BLOCK)
                        ]
                    )
        Organisation.objects.bulk_create([o for b in out for o in b], batch_size=1000)
        return out

    def answering(blocks: list[list[Organisation]]) -> list[Organisation]:
        """Everyone of a block answers but, now and then, one."""
        return [o for b in blocks for o in (b if rng.random() < 0.4 else rng.sample(b, BLOCK - 1))]

    def province_of(org: Organisation) -> str:
        return org.unit_path.split("/")[1]

    # small and medium enterprises, the same ones in 2024 and 2025 (a little more mature)
    sme_blocks = make_orgs("enterprise", 2, 3)
    smes = [o for b in sme_blocks for o in b]
    base = {o.pk: _maturity(rng, o, level[province_of(o)]) for o in smes}
    later = {k: min(1.0, v + rng.uniform(-0.02, 0.12)) for k, v in base.items()}
    for link, year, maturity in ((SME_2024, 2024, base), (SME_2025, 2025, later)):
        name = f"Đánh giá chuyển đổi số doanh nghiệp nhỏ và vừa toàn quốc {year}"
        plan = _Plan(link, "sme-dx", year, name, "enterprise", 2, 3)
        campaign = _campaign(fws["sme-dx"], placeholder, NATIONAL_PATH, plan)
        made = _responses(rng=rng, campaign=campaign, orgs=answering(sme_blocks), maturity=maturity)
        counts[link] = {
            "organisations": len(smes),
            "responses": len(made),
            "strata": _strata(rng, campaign, smes),
        }
        _audit(campaign, counts[link])
    # the household pilot of 2024 in a few communes, then its national scale-up in 2025
    pilot_area = Unit.objects.get(structure=Structure.CURRENT, code=PILOT_PROVINCE)
    pilot_plan = _Plan(
        HKD_PILOT,
        "household-dx",
        2024,
        "Thí điểm khảo sát chuyển đổi số hộ kinh doanh Thái Nguyên 2024",
        "household",
        2,
        4,
    )
    for plan in (pilot_plan, *PLANS):
        if plan is pilot_plan:
            campaign = _campaign(fws[plan.code], pilot_area, pilot_area.path, plan, pilot=True)
            blocks = make_orgs(plan.kind, plan.blocks, plan.communes, only=PILOT_PROVINCE)
        else:
            campaign = _campaign(fws[plan.code], placeholder, NATIONAL_PATH, plan)
            blocks = make_orgs(plan.kind, plan.blocks, plan.communes)
        orgs = [o for b in blocks for o in b]
        maturity = {o.pk: _maturity(rng, o, level[province_of(o)]) for o in orgs}
        made = _responses(rng=rng, campaign=campaign, orgs=answering(blocks), maturity=maturity)
        counts[plan.link] = {
            "organisations": len(orgs),
            "responses": len(made),
            "strata": _strata(rng, campaign, orgs),
        }
        _audit(campaign, counts[plan.link])
    return counts
