"""Demo data of the assessments capability, loaded by `thuocdo demo`.

Two published 2025 campaigns with scored responses, so dashboards have data:
- ``sme-dx`` over Hà Nội (01): enterprises in twelve wards and communes;
- ``household-dx`` over Đà Nẵng (48): household businesses in ten wards and communes;
plus population strata (commune × entity type × size) and one open pilot campaign in Hà Nội
to try the self-assessment form. Organisations and responses are bulk-created (scores come
from the engine); the load is idempotent (keyed on the campaigns' public tokens).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.vn import mst

from thuocdo.accounts.services import audit_record
from thuocdo.assessments.domain import identity, size, vsic
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
from thuocdo.frameworks.engine import score
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Level, Structure, Unit

SEED = 2025
HANOI_LINK = "demo-hanoi-sme-2025"
DANANG_LINK = "demo-danang-hkd-2025"
PILOT_LINK = "demo-hanoi-pilot-2026"

_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân")
_WORDS = (
    "An Phát",
    "Minh Long",
    "Hưng Thịnh",
    "Thành Công",
    "Sao Việt",
    "Đại Dương",
    "Hoàng Gia",
    "Phú Quý",
    "Tân Tiến",
    "Bình Minh",
    "Việt Hưng",
    "Kim Ngân",
    "Hồng Phúc",
    "Thiên Long",
    "Nam Á",
    "Trường Sơn",
    "Hà Thành",
    "Đông Đô",
    "Thăng Long",
    "Ánh Dương",
    "Lạc Hồng",
    "Phương Đông",
    "Hải Âu",
    "Sông Hồng",
    "Mai Linh",
    "Tràng An",
    "Bảo Ngọc",
    "Gia Khánh",
)
_TRADES = (
    ("Thương mại và Dịch vụ", "4690"),
    ("Công nghệ", "6201"),
    ("Thực phẩm", "1079"),
    ("Vận tải", "4933"),
    ("Du lịch", "7911"),
    ("May mặc", "1410"),
    ("Xây dựng", "4100"),
    ("Nông sản", "0150"),
    ("Điện tử", "2610"),
    ("Bán lẻ", "4711"),
    ("Khách sạn", "5510"),
    ("Logistics", "5229"),
)
_SHOPS = (
    ("Tạp hoá", "4711"),
    ("Quán cơm", "5610"),
    ("Cà phê", "5630"),
    ("Tiệm bánh", "1071"),
    ("Sửa xe máy", "4542"),
    ("Hải sản", "4723"),
    ("Tiệm tóc", "9631"),
    ("Văn phòng phẩm", "4761"),
    ("Điện thoại", "4741"),
    ("Quần áo", "4771"),
    ("Nhà nghỉ", "5510"),
    ("Bún chả cá", "5610"),
)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh")
_GIVEN = (
    "An",
    "Bình",
    "Cúc",
    "Dũng",
    "Hà",
    "Hạnh",
    "Khoa",
    "Lan",
    "Mai",
    "Nam",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Vy",
    "Yến",
)


def _tax_code(prefix: str, rng: random.Random, used: set[str]) -> str:
    while True:
        body = prefix + f"{rng.randrange(10**7):07d}"
        check = mst.calc_check_digit(body)
        code = body + check
        if len(check) == 1 and code not in used:
            used.add(code)
            return code


def _communes(province: str, n: int) -> list[Unit]:
    units = list(
        Unit.objects.filter(
            structure=Structure.CURRENT, level=Level.COMMUNE, path__startswith=f"2025/{province}/"
        ).order_by("code")
    )
    step = max(1, len(units) // n)
    return units[::step][:n]


def _campaign(fw: FrameworkVersion, area: Unit, link: str, name: str, **extra: Any) -> Campaign:
    return Campaign.objects.create(
        name=name,
        framework=fw,
        area=area,
        unit_path=area.path,
        year=extra.pop("year", 2025),
        entity_types=list(fw.entity_types),
        public_token=link,
        **extra,
    )


def _organisations(
    *,
    rng: random.Random,
    communes: list[Unit],
    n: int,
    household: bool,
    prefix: str,
    used: set[str],
) -> list[Organisation]:
    orgs: list[Organisation] = []
    names: set[str] = set()
    for i in range(n):
        commune = communes[i % len(communes)]
        if household:
            trade, code = rng.choice(_SHOPS)
            owner = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            name = f"Hộ kinh doanh {trade} {owner}"
            entity_type = "household_business"
            employees = rng.choice((1, 1, 2, 2, 3, 4, 6))
            revenue = rng.randrange(200, 3000) * 1_000_000
            roll = rng.random()
            tax = _tax_code(prefix, rng, used) if roll < 0.55 else None
        else:
            trade, code = rng.choice(_TRADES)
            name = f"{rng.choice(_FORMS)} {trade} {rng.choice(_WORDS)}"
            entity_type = "enterprise"
            employees = int(rng.lognormvariate(2.6, 1.1))
            revenue = int(employees * rng.uniform(0.4, 2.5) * 1_000_000_000)
            tax = _tax_code(prefix, rng, used)
        while name in names:
            name = f"{name} {rng.choice(_WORDS)}"
        names.add(name)
        key = identity.dedupe_key(name, commune.code)
        orgs.append(
            Organisation(
                registry_id=identity.new_registry_id(),
                tax_code=tax,
                name=name,
                name_folded=key.split(":", 1)[1][:300],
                sort_key=vi_collation_key(name)[:900],
                entity_type=entity_type,
                vsic=code,
                sector=vsic.sector_of(code),
                size_class=size.size_class(
                    employees=employees, revenue=revenue, group=vsic.size_group(code)
                ),
                commune=commune,
                unit_path=commune.path,
                address=f"Số {rng.randrange(1, 300)}, {commune.name}",
                contact_name=f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}",
                phone=f"09{rng.randrange(10**8):08d}",
            )
        )
    return Organisation.objects.bulk_create(orgs, batch_size=500)


def _responses(
    *, rng: random.Random, campaign: Campaign, orgs: list[Organisation], share: float
) -> int:
    fw = campaign.framework.engine()
    start = timezone.make_aware(datetime(2025, 8, 1, 8, 0))
    rows = []
    for org in orgs:
        if rng.random() > share:
            continue
        maturity = min(
            1.0,
            max(
                0.0,
                rng.betavariate(2.2, 2.4) + {"micro": -0.05, "large": 0.1}.get(org.size_class, 0),
            ),
        )
        answers = synthetic_answers(fw, rng, maturity)
        result = score(fw, answers, validate=False)
        status = ResponseStatus.VERIFIED if rng.random() < 0.7 else ResponseStatus.SUBMITTED
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 90))
        rows.append(
            Response(
                campaign=campaign,
                organisation=org,
                framework_id=campaign.framework_id,
                status=status,
                answers=answers,
                overall=result.overall,
                level=result.level,
                pillar_scores=dict(result.pillars),
                pillar_levels=dict(result.pillar_levels),
                criterion_scores=dict(result.criteria),
                unmet=list(result.unmet),
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
    Response.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _strata(*, rng: random.Random, campaign: Campaign, orgs: list[Organisation]) -> int:
    cells = Counter((o.commune_id, o.entity_type, o.size_class) for o in orgs)
    rows = [
        Stratum(
            campaign=campaign,
            commune_id=commune_id,
            entity_type=entity_type,
            size_class=size_class,
            population=n * rng.randrange(4, 25),
        )
        for (commune_id, entity_type, size_class), n in cells.items()
    ]
    Stratum.objects.bulk_create(rows)
    return len(rows)


def _link_respondents() -> int:
    """Link each respondent account without an organisation to a Hà Nội demo organisation
    that has a response, so the demo respondent sees its own results."""
    from thuocdo.accounts.models import Role, User
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments.services.organisations import organisation_member_add

    users = User.objects.filter(role=Role.RESPONDENT, organisation_membership__isnull=True)
    free = Organisation.objects.filter(
        responses__campaign__public_token=HANOI_LINK, members__isnull=True
    ).order_by("id")
    linked = 0
    for user, org in zip(users.order_by("id"), free.distinct(), strict=False):
        organisation_member_add(scope=Scope(role="admin"), actor=None, organisation=org, user=user)
        linked += 1
    return linked


@transaction.atomic
def load_demo() -> dict[str, Any]:
    """Load (idempotently) this capability's demo data; returns counts for the report."""
    if Campaign.objects.filter(public_token=HANOI_LINK).exists():
        return {
            "created": False,
            "campaigns": Campaign.objects.count(),
            "respondents_linked": _link_respondents(),
        }
    rng = random.Random(SEED)
    sme = FrameworkVersion.objects.get(code="sme-dx", version="2025.1")
    hkd = FrameworkVersion.objects.get(code="household-dx", version="2025.1")
    hanoi = Unit.objects.get(structure=Structure.CURRENT, code="01")
    danang = Unit.objects.get(structure=Structure.CURRENT, code="48")
    published = timezone.make_aware(datetime(2025, 12, 15, 9, 0))
    used: set[str] = {
        c for c in Organisation.objects.values_list("tax_code", flat=True) if c is not None
    }
    counts: dict[str, Any] = {"created": True}
    for fw, area, link, name, n, household, prefix in (
        (
            sme,
            hanoi,
            HANOI_LINK,
            "Đánh giá mức độ chuyển đổi số doanh nghiệp Hà Nội 2025",
            320,
            False,
            "01",
        ),
        (
            hkd,
            danang,
            DANANG_LINK,
            "Khảo sát chuyển đổi số hộ kinh doanh Đà Nẵng 2025",
            220,
            True,
            "04",
        ),
    ):
        campaign = _campaign(
            fw,
            area,
            link,
            name,
            status=CampaignStatus.PUBLISHED,
            published_at=published,
            opens_on=datetime(2025, 8, 1).date(),
            closes_on=datetime(2025, 11, 30).date(),
        )
        orgs = _organisations(
            rng=rng,
            communes=_communes(area.code, 12 if not household else 10),
            n=n,
            household=household,
            prefix=prefix,
            used=used,
        )
        counts[fw.code] = {
            "organisations": len(orgs),
            "responses": _responses(rng=rng, campaign=campaign, orgs=orgs, share=0.85),
            "strata": _strata(rng=rng, campaign=campaign, orgs=orgs),
        }
        audit_record(
            actor=None,
            action="campaign.demo_load",
            object_type="assessments.campaign",
            object_id=campaign.pk,
            after={"name": name, **counts[fw.code]},
            unit_path=campaign.unit_path,
        )
    _campaign(
        sme,
        hanoi,
        PILOT_LINK,
        "Thí điểm tự đánh giá chuyển đổi số doanh nghiệp Hà Nội 2026",
        year=2026,
        pilot=True,
        status=CampaignStatus.OPEN,
    )
    counts["open_form"] = f"/assessments/c/{PILOT_LINK}/"
    counts["respondents_linked"] = _link_respondents()
    return counts
