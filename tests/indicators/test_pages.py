"""Pages: dashboard with traffic lights, one indicator across units, the form, overdue list."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.selectors import scope_for
from thuocdo.indicators import services
from thuocdo.indicators.models import Submission

pytestmark = pytest.mark.django_db


def _charts(html: str) -> list[dict[str, Any]]:
    m = re.search(r'<script id="ind-charts" type="application/json">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_dashboard_needs_login(client: Client) -> None:
    res = client.get("/indicators/")
    assert res.status_code == 302 and "/accounts/login" in res["Location"]


def test_dashboard_shows_verdicts_and_chart_data(client: Client, make_user: Any) -> None:
    user = make_user("province", "48")
    scope = scope_for(user)
    for period, value in (("2021", 88), ("2022", 90), ("2023", 92), ("2024", 94)):
        services.submission_submit(
            scope=scope,
            actor=user,
            indicator_code="adults-smartphone",
            unit_code="48",
            period=period,
            value=value,
        )
    client.force_login(user)
    res = client.get("/indicators/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "Thành phố Đà Nẵng" in html
    # the verdict aims at the next target year still ahead (2030: ≥ 95%), not at 2025
    from thuocdo.indicators.forecasting import forecast_for
    from thuocdo.indicators.models import Indicator
    from thuocdo.indicators.reporting import resolve_unit

    fc = forecast_for(Indicator.objects.get(code="adults-smartphone"), resolve_unit("48"))
    assert fc["target_year"] == 2030 and fc["verdict_label"] in html
    charts = {c["code"]: c for c in _charts(html)}
    smart = charts["adults-smartphone"]
    assert smart["annual"] == [[2021, 88.0], [2022, 90.0], [2023, 92.0], [2024, 94.0]]
    assert smart["target"][0] == 2030
    lo, mid, hi = smart["band"][1:]
    assert smart["band"][0] == 2030 and lo <= mid <= hi
    assert "thuocdo/indicators/charts.js" in html
    # a province officer cannot look at another province
    assert client.get("/indicators/?unit=01").status_code == 403


def test_detail_compares_units_in_scope(client: Client, make_user: Any) -> None:
    ministry = make_user("ministry")
    hanoi, danang = make_user("province", "01"), make_user("province", "48")
    for user, unit, value in ((hanoi, "01", 83.0), (danang, "48", 79.5)):
        services.submission_submit(
            scope=scope_for(user),
            actor=user,
            indicator_code="households-fibre",
            unit_code=unit,
            period="2025Q3",
            value=value,
        )
    client.force_login(ministry)
    html = client.get("/indicators/households-fibre/").content.decode()
    assert "Thành phố Hà Nội" in html and "Thành phố Đà Nẵng" in html and "79.5" in html
    client.force_login(hanoi)
    html = client.get("/indicators/households-fibre/").content.decode()
    assert "Thành phố Hà Nội" in html and "Thành phố Đà Nẵng" not in html
    assert client.get("/indicators/khong-co/").status_code == 404


def test_submit_form_shows_errors_in_the_page_and_saves(client: Client, make_user: Any) -> None:
    user = make_user("province", "01")
    client.force_login(user)
    res = client.get("/indicators/submit/")
    assert res.status_code == 200 and 'name="indicator"' in res.content.decode()
    form = {"indicator": "households-fibre", "unit": "01", "period": "2025Q3", "value": "130"}
    res = client.post("/indicators/submit/", form)
    assert res.status_code == 400
    html = res.content.decode()
    assert "field-error" in html and "100%" in html
    res = client.post("/indicators/submit/", {**form, "unit": "48", "value": "80"})
    assert res.status_code == 403 and "phạm vi" in res.content.decode()
    res = client.post("/indicators/submit/", {**form, "value": "80,5", "provisional": "1"})
    assert res.status_code == 302
    sub = Submission.objects.get(indicator__code="households-fibre", unit__code="01")
    assert sub.value == 80.5 and sub.provisional and sub.submitted_by == user
    assert "Đã lưu" in client.get(res["Location"]).content.decode()


def test_overdue_page(client: Client, make_user: Any) -> None:
    client.force_login(make_user("province", "01"))
    html = client.get("/indicators/overdue/?period=2025Q3").content.decode()
    assert "Thành phố Hà Nội" in html and "Tỷ lệ hộ gia đình" in html
    assert "Thành phố Đà Nẵng" not in html
    assert "số liệu nộp trước ngày 5, tổng hợp trước ngày 10" in html
    bad = client.get("/indicators/overdue/?period=2025Q7")
    assert bad.status_code == 200 and "alert" in bad.content.decode()


def test_home_links_to_indicators(client: Client) -> None:
    assert 'href="/indicators/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("role", "unit", "expected"),
    [
        (None, None, 302),
        ("respondent", None, 403),
        ("provider", None, 403),
        ("commune", None, 200),
        ("province", "01", 200),
        ("ministry", None, 200),
        ("admin", None, 200),
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/indicators/",
        "/indicators/households-fibre/",
        "/indicators/submit/",
        "/indicators/overdue/",
    ],
)
def test_role_by_page_matrix(
    client: Client, make_user: Any, role: str | None, unit: str | None, expected: int, url: str
) -> None:
    if role is not None:
        client.force_login(make_user(role, unit))
    assert client.get(url).status_code == expected


def test_every_indicator_route_declares_its_policy() -> None:
    from django.urls import URLResolver, get_resolver

    from thuocdo.api.main import api
    from thuocdo.core.access import policy_of

    resolver = get_resolver()
    pages = [
        p
        for r in resolver.url_patterns
        if isinstance(r, URLResolver) and getattr(r, "namespace", None) == "indicators"
        for p in r.url_patterns
    ]
    assert pages and all(policy_of(p.callback) == "officer" for p in pages)
    operations = [
        op
        for prefix, router in api._routers
        if prefix.strip("/") == "indicators"
        for path_view in router.path_operations.values()
        for op in path_view.operations
    ]
    assert operations and all(policy_of(op.view_func) in {"public", "officer"} for op in operations)


def test_digital_economy_page_shows_inputs_and_method(client: Client, make_user: Any) -> None:
    from thuocdo.indicators.digital_economy import de_declare

    user = make_user("province", "01")
    de_declare(
        scope=scope_for(user),
        actor=user,
        unit_code_="01",
        period="2025Q3",
        grdp=400000,
        grdp_source="Cục Thống kê TP Hà Nội",
        core=[{"label": "Viễn thông", "value": 20000, "source": "Sở KH&CN", "vsic_codes": ["61"]}],
    )
    client.force_login(user)
    html = client.get("/indicators/digital-economy/").content.decode()
    assert "thuocdo-de/1" in html
    assert "5,00%" in html or "5.00%" in html
    assert "VSIC 61" in html and "Cục Thống kê TP Hà Nội" in html
    client.force_login(make_user("province", "48"))
    assert "VSIC 61" not in client.get("/indicators/digital-economy/").content.decode()


def test_proposals_page_opens_and_approves_a_target_change(client: Client, make_user: Any) -> None:
    from thuocdo.indicators.models import Target, TargetProposal

    first, second = make_user("ministry"), make_user("ministry")
    client.force_login(first)
    page = client.get("/indicators/proposals/?indicator=adults-smartphone&year=2025")
    html = page.content.decode()
    assert page.status_code == 200 and 'value="adults-smartphone" selected' in html
    body = {
        "action": "open",
        "indicator": "adults-smartphone",
        "year": "2025",
        "value": "90",
        "reason": "Đã đạt 85%, vượt mục tiêu 80%",
    }
    assert client.post("/indicators/proposals/", body).status_code == 302
    proposal = TargetProposal.objects.get(indicator__code="adults-smartphone", year=2025)
    assert proposal.status == "pending"
    # the proposer cannot approve their own proposal: the page says so
    own = client.post(
        "/indicators/proposals/", {"action": "decide", "id": proposal.pk, "decision": "approve"}
    )
    assert own.status_code == 200 and "cán bộ khác" in own.content.decode()
    bad = client.post("/indicators/proposals/", {**body, "value": "140"})
    assert bad.status_code == 200 and "100" in bad.content.decode()
    client.force_login(second)
    listed = client.get("/indicators/proposals/?status=pending").content.decode()
    assert "Đã đạt 85%" in listed
    done = client.post(
        "/indicators/proposals/",
        {"action": "decide", "id": proposal.pk, "decision": "approve", "note": "Đồng ý"},
    )
    assert done.status_code == 302
    target = Target.objects.get(indicator__code="adults-smartphone", unit=None, year=2025)
    assert target.value == 90
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decision_note == "Đồng ý"
