"""Connection requests: workflow, roles, reminders; effects and the gap map."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from thuocdo.accounts.selectors import scope_for
from thuocdo.ecosystem import connections, effects, reports, selectors
from thuocdo.ecosystem.models import AdoptionEffect, ConnectionRequest, ConnectionStatus

from . import factories as f

pytestmark = pytest.mark.django_db
S = ConnectionStatus


def setup_two_providers(make_user: Any) -> dict[str, Any]:
    alice = make_user(role="provider", email="alice@example.vn")
    bob = make_user(role="provider")
    pa, pb = f.provider(users=[alice]), f.provider(users=[bob])
    sa, sb = f.solution(pa, tags=["crm"]), f.solution(pb, tags=["accounting"])
    draft_a = f.solution(pa, tags=["crm"], approved=False)
    draft_b = f.solution(pb, tags=["crm"], approved=False)
    unit = f.commune()
    officer = make_user(role="province", unit=unit.path.split("/")[1])
    org = f.organisation(unit=unit)
    ca = connections.connection_request(
        scope=scope_for(officer), actor=officer, organisation=org, solution=sa
    )
    cb = connections.connection_request(
        scope=scope_for(officer), actor=officer, organisation=org, solution=sb
    )
    return locals()


def test_provider_sees_only_its_own_listings_and_requests(make_user: Any) -> None:
    d = setup_two_providers(make_user)
    alice = scope_for(d["alice"])
    listings = set(selectors.solution_list(scope=alice, mine=True).values_list("pk", flat=True))
    assert listings == {d["sa"].pk, d["draft_a"].pk}
    visible = set(selectors.solution_list(scope=alice).values_list("pk", flat=True))
    assert d["draft_a"].pk in visible and d["draft_b"].pk not in visible
    requests = set(selectors.connection_list(scope=alice).values_list("pk", flat=True))
    assert requests == {d["ca"].pk}
    with pytest.raises(Http404):
        selectors.connection_get(scope=alice, connection_id=d["cb"].pk)
    with pytest.raises(PermissionDenied):
        connections.connection_move(
            scope=alice, actor=d["alice"], connection=d["cb"], to=S.CONTACTED
        )


def test_workflow_moves_one_step_at_a_time(make_user: Any) -> None:
    d = setup_two_providers(make_user)
    alice, c = scope_for(d["alice"]), d["ca"]
    assert c.on_behalf
    with pytest.raises(ValidationError) as err:
        connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.TRIAL)
    assert "status" in err.value.message_dict
    c = connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.CONTACTED)
    with pytest.raises(ValidationError):  # reversal
        connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.REQUESTED)
    c = connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.TRIAL)
    c = connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.ADOPTED)
    assert c.adopted_at is not None
    with pytest.raises(ValidationError):  # final
        connections.connection_move(scope=alice, actor=d["alice"], connection=c, to=S.DECLINED)
    assert [e.to_status for e in c.events.all()] == [S.REQUESTED, S.CONTACTED, S.TRIAL, S.ADOPTED]


def test_asking_twice_does_not_duplicate_and_other_areas_are_refused(make_user: Any) -> None:
    d = setup_two_providers(make_user)
    again = connections.connection_request(
        scope=scope_for(d["officer"]), actor=d["officer"], organisation=d["org"], solution=d["sa"]
    )
    assert again.pk == d["ca"].pk
    far = make_user(role="province", unit=f.commune(province_index=5).path.split("/")[1])
    with pytest.raises(PermissionDenied):
        connections.connection_request(
            scope=scope_for(far), actor=far, organisation=d["org"], solution=d["sb"]
        )
    assert not selectors.connection_list(scope=scope_for(far)).exists()
    with pytest.raises(ValidationError):
        connections.connection_request(
            scope=scope_for(d["officer"]),
            actor=d["officer"],
            organisation=d["org"],
            solution=d["draft_a"],
        )


def test_stale_requests_raise_one_reminder(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    d = setup_two_providers(make_user)
    old = timezone.now() - timedelta(days=30)
    ConnectionRequest.objects.filter(pk=d["ca"].pk).update(status_changed_at=old)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = connections.connection_remind_stale(days=14)
    assert sent == 1
    assert len(mail.outbox) == 1 and "alice@example.vn" in mail.outbox[0].to
    assert connections.connection_remind_stale(days=14) == 0


def test_officer_summary_by_provider(make_user: Any) -> None:
    d = setup_two_providers(make_user)
    rows = selectors.connection_summary(scope=scope_for(d["officer"]), by="provider")
    assert {r["key"] for r in rows} == {d["pa"].name, d["pb"].name}
    assert all(r["requested"] == 1 and r["total"] == 1 for r in rows)
    with pytest.raises(PermissionDenied):
        selectors.connection_summary(scope=scope_for(d["alice"]), by="provider")


# ---------------------------------------------------------------- effect


def adopt(make_user: Any, org: Any, solution: Any, officer: Any, when: Any) -> ConnectionRequest:
    c = connections.connection_request(
        scope=scope_for(officer), actor=officer, organisation=org, solution=solution
    )
    for to in (S.CONTACTED, S.TRIAL, S.ADOPTED):
        c = connections.connection_move(
            scope=scope_for(officer), actor=officer, connection=c, to=to
        )
    ConnectionRequest.objects.filter(pk=c.pk).update(adopted_at=when)
    return c


def better(fv: Any, answers: dict[str, Any], k: int) -> dict[str, Any]:
    """Raise the first k single-choice criteria to their best option."""
    out = dict(answers)
    changed = 0
    for c in fv.engine().criteria():
        if changed == k:
            break
        if c.question.type == "single" and c.relevant is None:
            out[c.code] = max(c.question.options, key=lambda o: o.score).code
            changed += 1
    return out


def test_effect_is_recorded_and_reported_with_a_t_interval(make_user: Any) -> None:
    fv = f.framework("sme-dx")
    officer = make_user(role="ministry")
    unit = f.commune()
    sol = f.solution(f.provider(), tags=["crm"])
    c1, c2 = f.campaign(fv, year=2025), f.campaign(fv, year=2026)
    now = timezone.now()
    low = f.low_answers(fv)
    pairs = []
    for k in (1, 2, 4):
        org = f.organisation(unit=unit)
        before = f.response(org, c1, low, submitted_at=now - timedelta(days=100))
        adopt(make_user, org, sol, officer, now - timedelta(days=50))
        after = f.response(org, c2, better(fv, low, k), submitted_at=now - timedelta(days=1))
        assert before.overall is not None and after.overall is not None
        pairs.append((before.overall, after.overall))
    assert effects.effects_record() == 3
    assert effects.effects_record() == 0
    assert AdoptionEffect.objects.count() == 3
    rows = reports.effect_report(scope=scope_for(officer), by="category")
    row = next(r for r in rows if r.key == "business")
    diffs = [a - b for b, a in pairs]
    mean = sum(diffs) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in diffs) / 2)
    half = 4.302652729911275 * sd / math.sqrt(3)  # t(0.975, 2 df)
    assert row.change.n == 3
    assert row.change.mean_change == pytest.approx(mean)
    assert row.change.low == pytest.approx(mean - half, rel=1e-9)
    assert row.change.high == pytest.approx(mean + half, rel=1e-9)
    by_province = reports.effect_report(scope=scope_for(officer), by="province")
    assert [r.change.n for r in by_province] == [3]
    assert by_province[0].label != by_province[0].key  # the province's name


def test_gap_map_counts_unmet_criteria_and_the_solutions_for_them(make_user: Any) -> None:
    fv = f.framework("sme-dx")
    officer = make_user(role="ministry")
    camp = f.campaign(fv)
    low = f.low_answers(fv)
    unit = f.commune()
    for _ in range(3):
        f.response(f.organisation(unit=unit, sector="retail"), camp, low)
    top_code = f.response(f.organisation(unit=unit, sector="retail"), camp, low).unmet[0]
    sol = f.solution(f.provider(), criteria=[f"sme-dx:{top_code}"])
    cells = reports.gap_map(scope=scope_for(officer), top=50)
    cell = next(c for c in cells if c.criterion == top_code and c.sector == "retail")
    assert cell.responses == 4 and cell.unmet == 4
    expected = sum(
        1
        for s in selectors.solution_list(scope=scope_for(None))
        if f"sme-dx:{top_code}" in s.criteria
        or set(s.solution_tags) & set(fv.engine().criterion(top_code).solution_tags)
    )
    assert cell.solutions == expected and expected >= 1 and sol.pk


def test_effect_report_keeps_to_a_ministrys_sectors_and_speaks_its_language(
    make_user: Any,
) -> None:
    from django.utils import translation

    fv = f.framework("sme-dx")
    admin = make_user(role="ministry")
    health = make_user(role="ministry", sectors=["health"])
    sol = f.solution(f.provider(), tags=["crm"])
    c1, c2 = f.campaign(fv, year=2025), f.campaign(fv, year=2026)
    now = timezone.now()
    low = f.low_answers(fv)
    for sector in ("health", "health", "agriculture"):
        org = f.organisation(sector=sector)
        f.response(org, c1, low, submitted_at=now - timedelta(days=100))
        adopt(make_user, org, sol, admin, now - timedelta(days=50))
        f.response(org, c2, better(fv, low, 2), submitted_at=now - timedelta(days=1))
    assert effects.effects_record() == 3
    assert [r.change.n for r in reports.effect_report(scope=scope_for(admin))] == [3]
    assert [r.change.n for r in reports.effect_report(scope=scope_for(health))] == [2]
    with translation.override("vi"):
        vi = reports.effect_report(scope=scope_for(admin))[0].label
    with translation.override("en"):
        en = reports.effect_report(scope=scope_for(admin))[0].label
    assert (vi, en) == ("Quản trị, kinh doanh", "Business and management")
