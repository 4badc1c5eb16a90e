"""Demo data of the ecosystem capability, loaded by `thuocdo demo`: a few providers with
approved solutions and promotions, connection requests for demo organisations that have a
submitted response (when the assessments demo has created some), and, for enterprises of the
national survey that answered in 2024 and again in 2025, solutions adopted in between whose
effect (the score before against the score after) is recorded."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

PROVIDERS = (
    ("cong-nghe-sao-viet", "Công ty Cổ phần Công nghệ Sao Việt", "lienhe@saoviet.example.vn"),
    ("giai-phap-so-hong-ha", "Công ty TNHH Giải pháp số Hồng Hà", "hotro@hongha.example.vn"),
    (
        "nen-tang-nong-san-xanh",
        "Công ty Cổ phần Nền tảng Nông sản Xanh",
        "info@nongsanxanh.example.vn",
    ),
)
# code, provider, name, category, price model, price, tags, sectors, entity types, (trial, %)
SOLUTIONS: tuple[tuple[Any, ...], ...] = (
    (
        "sv-ban-hang",
        0,
        "Phần mềm bán hàng và quản lý kho Sao Việt",
        "business",
        "monthly",
        199000,
        ["pos", "inventory", "digital-payment"],
        ["retail", "general"],
        ["shop", "household_business", "enterprise"],
        (6, 0),
    ),
    (
        "sv-hoa-don",
        0,
        "Hóa đơn điện tử Sao Việt",
        "finance",
        "yearly",
        990000,
        ["e-invoice", "digital-signature"],
        [],
        [],
        (0, 30),
    ),
    (
        "sv-web",
        0,
        "Website và cửa hàng trực tuyến trọn gói",
        "business",
        "yearly",
        2400000,
        ["website", "ecommerce", "digital-marketing", "social-commerce"],
        [],
        [],
        (3, 20),
    ),
    (
        "hh-ke-toan",
        1,
        "Kế toán trực tuyến Hồng Hà",
        "finance",
        "monthly",
        250000,
        ["accounting", "e-invoice"],
        ["general", "manufacturing", "logistics"],
        ["enterprise", "cooperative"],
        (6, 0),
    ),
    (
        "hh-crm",
        1,
        "Quản lý khách hàng và chăm sóc sau bán Hồng Hà",
        "business",
        "monthly",
        300000,
        ["crm", "data-analytics", "ai"],
        [],
        ["enterprise"],
        None,
    ),
    (
        "hh-an-toan",
        1,
        "Sao lưu đám mây và an toàn thông tin cho doanh nghiệp nhỏ",
        "security",
        "monthly",
        150000,
        ["cloud", "backup", "cybersecurity"],
        [],
        [],
        (12, 0),
    ),
    (
        "nsx-truy-xuat",
        2,
        "Truy xuất nguồn gốc nông sản bằng mã QR",
        "agriculture",
        "yearly",
        1200000,
        ["traceability", "qr-code", "farm-management"],
        ["agriculture"],
        ["farm", "cooperative"],
        (6, 10),
    ),
    (
        "nsx-dao-tao",
        2,
        "Khóa đào tạo kỹ năng số cho hộ kinh doanh và hợp tác xã",
        "education",
        "free",
        None,
        ["training", "consulting"],
        [],
        ["household_business", "cooperative", "farm", "shop"],
        None,
    ),
)


def load_demo() -> dict[str, Any]:
    """Load (idempotently) this capability's demo data; returns counts for the report."""
    from thuocdo.accounts.models import Role, User
    from thuocdo.accounts.scopes import Scope
    from thuocdo.ecosystem import services
    from thuocdo.ecosystem.models import Provider, Solution

    system = Scope(role="admin")
    created = {"providers": 0, "solutions": 0, "promotions": 0}
    with transaction.atomic():
        providers = []
        provider_users = list(User.objects.filter(role=Role.PROVIDER).order_by("id"))
        for i, (code, name, email) in enumerate(PROVIDERS):
            p = Provider.objects.filter(code=code).first()
            if p is None:
                users = [provider_users[i]] if i < len(provider_users) else []
                p = services.provider_create(
                    scope=system, actor=None, code=code, name=name, email=email, users=users
                )
                created["providers"] += 1
            providers.append(p)
        today = timezone.localdate()
        for code, pi, name, category, model, price, tags, sectors, types, promo in SOLUTIONS:
            if Solution.objects.filter(code=code).exists():
                continue
            s = services.solution_create(
                scope=system,
                actor=None,
                provider=providers[pi],
                code=code,
                data={
                    "name_vi": name,
                    "category": category,
                    "price_model": model,
                    "price": price,
                    "solution_tags": tags,
                    "sectors": sectors,
                    "entity_types": types,
                    "description_vi": f"{name}. Dữ liệu minh họa cho bản chạy thử.",
                },
            )
            services.solution_submit(scope=system, actor=None, solution=s)
            services.solution_review(scope=system, actor=None, solution=s, approve=True)
            created["solutions"] += 1
            if promo:
                months, discount = promo
                services.promotion_create(
                    scope=system,
                    actor=None,
                    solution=s,
                    title="Dùng thử miễn phí" if months else "Giảm giá năm đầu",
                    free_trial_months=months,
                    discount_percent=discount,
                    valid_from=date(today.year, 1, 1),
                    valid_to=date(today.year, 12, 31),
                    approved=True,
                )
                created["promotions"] += 1
    created["connections"] = _connections()
    created["effects"] = _effects()
    return created


def _effects(limit: int = 24) -> int:
    """Adopt, early in 2025, the best-matching solution of national-survey enterprises whose
    2024 response a 2025 one follows, and record the effects (before → after)."""
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments.demo_national import SME_2024, SME_2025
    from thuocdo.assessments.models import Response
    from thuocdo.ecosystem import connections, recommend
    from thuocdo.ecosystem.effects import effects_record
    from thuocdo.ecosystem.models import (
        AdoptionEffect,
        ConnectionRequest,
        ConnectionStatus,
        Solution,
    )

    system = Scope(role="admin")
    demo_ids = set(
        Solution.objects.filter(code__in=[s[0] for s in SOLUTIONS]).values_list("pk", flat=True)
    )
    if ConnectionRequest.objects.filter(response__campaign__public_token=SME_2024).exists():
        return 0  # loaded before
    later = Response.objects.filter(campaign__public_token=SME_2025).values("organisation_id")
    before = (
        Response.objects.filter(campaign__public_token=SME_2024, organisation_id__in=later)
        .select_related("framework", "organisation")
        .order_by("overall", "id")[:limit]
    )
    adopted: list[int] = []
    with transaction.atomic():
        for k, r in enumerate(before):
            matches = recommend.recommend(
                r.framework.engine(),
                r.criterion_scores or {},
                list(r.unmet or []),
                sector=r.sector,
                entity_type=r.entity_type,
                limit=20,
            )
            pick = next((m for m in matches if m.entry.id in demo_ids), None)
            if pick is None:
                continue
            c = connections.connection_request(
                scope=system,
                actor=None,
                organisation=r.organisation,
                solution=Solution.objects.get(pk=pick.entry.id),
                response=r,
                message="Đề nghị hỗ trợ sau khảo sát 2024 (dữ liệu minh họa).",
            )
            for to in (
                ConnectionStatus.CONTACTED,
                ConnectionStatus.TRIAL,
                ConnectionStatus.ADOPTED,
            ):
                c = connections.connection_move(scope=system, actor=None, connection=c, to=to)
            day = timezone.make_aware(datetime(2025, 2, 1 + k % 27, 10, 0))
            ConnectionRequest.objects.filter(pk=c.pk).update(adopted_at=day, status_changed_at=day)
            adopted.append(c.pk)
    if adopted:  # (the adoption's own after-commit recording may have run already)
        effects_record(connection_ids=adopted)
    return AdoptionEffect.objects.filter(connection_id__in=adopted).count()


def _connections(limit: int = 12) -> int:
    """Ask, for demo organisations with a submitted response, for their best-matching solution."""
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments.models import Response, ResponseStatus
    from thuocdo.ecosystem import connections, recommend
    from thuocdo.ecosystem.models import ConnectionRequest, ConnectionStatus, Solution

    system = Scope(role="admin")
    demo_ids = set(
        Solution.objects.filter(code__in=[s[0] for s in SOLUTIONS]).values_list("pk", flat=True)
    )
    responses = (
        Response.objects.filter(status__in=(ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED))
        .exclude(organisation__connection_requests__solution_id__in=demo_ids)
        .select_related("framework", "organisation")
        .order_by("id")[:limit]
    )
    steps = [
        (),
        (ConnectionStatus.CONTACTED,),
        (ConnectionStatus.CONTACTED, ConnectionStatus.TRIAL),
    ]
    made = 0
    for k, r in enumerate(responses):
        matches = recommend.recommend(
            r.framework.engine(),
            r.criterion_scores or {},
            list(r.unmet or []),
            sector=r.sector,
            entity_type=r.entity_type,
            limit=20,
        )
        pick = next((m for m in matches if m.entry.id in demo_ids), None)
        if pick is None:
            continue
        with transaction.atomic():
            c = connections.connection_request(
                scope=system,
                actor=None,
                organisation=r.organisation,
                solution=Solution.objects.get(pk=pick.entry.id),
                response=r,
                message="Đề nghị tư vấn, dùng thử (dữ liệu minh họa).",
            )
            for to in steps[k % len(steps)]:
                c = connections.connection_move(scope=system, actor=None, connection=c, to=to)
            if k % 4 == 3:  # an old request, so the reminder has something to send
                ConnectionRequest.objects.filter(pk=c.pk).update(
                    status_changed_at=timezone.now() - timedelta(days=30)
                )
        made += 1
    return made
