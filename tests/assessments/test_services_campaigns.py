from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import selectors, services
from thuocdo.assessments.models import Stratum
from thuocdo.frameworks.models import FrameworkVersion

pytestmark = pytest.mark.django_db


def test_create_needs_published_version_and_known_area(
    sme: FrameworkVersion, admin_scope: Scope
) -> None:
    draft = FrameworkVersion.objects.create(
        code="tmp-draft",
        version="0.1",
        name_vi="Nháp",
        sector="general",
        definition=sme.definition,
        content_hash=sme.content_hash,
    )
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            scope=admin_scope,
            actor=None,
            framework=draft,
            area_code="999",
            year=1999,
            name=" ",
            entity_types=["robot"],
        )
    assert set(exc.value.message_dict) == {"framework", "area", "name", "year", "entity_types"}


def test_scope_decides_who_creates(sme: FrameworkVersion, make_user: Callable[..., Any]) -> None:
    hanoi = make_user("province", unit="01")
    danang = make_user("province", unit="48")
    campaign = services.campaign_create(
        scope=scope_for(hanoi),
        actor=hanoi,
        framework=sme,
        area_code="01",
        year=2025,
        name="Hà Nội 2025",
    )
    assert campaign.entity_types == ["enterprise"]  # from the criteria set
    assert campaign.status == "draft"
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            scope=scope_for(danang),
            actor=danang,
            framework=sme,
            area_code="01",
            year=2025,
            name="Không được",
        )
    with pytest.raises(PermissionDenied):
        services.campaign_open(scope=scope_for(danang), actor=danang, campaign=campaign)
    # a commune officer of Hà Nội sees the province campaign but cannot change it
    commune = make_user("commune", unit="00004")
    assert selectors.campaign_get(scope=scope_for(commune), campaign_id=campaign.pk) == campaign
    with pytest.raises(PermissionDenied):
        services.campaign_open(scope=scope_for(commune), actor=commune, campaign=campaign)


def test_workflow_refuses_skips(make_campaign: Callable[..., Any], admin_scope: Scope) -> None:
    campaign = make_campaign(status="draft")
    with pytest.raises(ValidationError):
        services.campaign_publish(scope=admin_scope, actor=None, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    campaign = services.campaign_open(scope=admin_scope, actor=None, campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_open(scope=admin_scope, actor=None, campaign=campaign)
    campaign = services.campaign_close(scope=admin_scope, actor=None, campaign=campaign)
    assert campaign.status == "closed"
    actions = list(
        AuditEvent.objects.filter(object_id=str(campaign.pk), object_type="assessments.campaign")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["campaign.create", "campaign.open", "campaign.closed"]


def test_publish_completes_plan_tasks_only_after_commit(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
    admin_scope: Scope,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from thuocdo.plans.services import plan_instantiate

    plan = plan_instantiate(actor=None, framework="sector-de-2025", unit_code="01", year=2025)
    campaign = make_campaign(status="open", pilot=True)
    for _ in range(3):  # the pilot task completes on 3 verified responses
        submitted = services.response_submit(
            scope=admin_scope,
            actor=None,
            campaign=campaign,
            organisation=make_org(),
            answers=good_answers,
        )
        services.response_verify(scope=admin_scope, actor=None, response=submitted.response)
    campaign = services.campaign_transition(
        scope=admin_scope, actor=None, campaign=campaign, to="closed"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.campaign_publish(scope=admin_scope, actor=None, campaign=campaign)
    assert plan.tasks.get(code="3.b").status == "not_started"  # only after the commit
    for callback in callbacks:
        callback()
    assert plan.tasks.get(code="3.b").status == "done"  # the pilot task


def test_publish_without_plans_capability(make_campaign: Callable[..., Any]) -> None:
    campaign = make_campaign(status="published")
    assert campaign.status == "published"
    assert campaign.published_at is not None


STRATA = (
    "commune_code,entity_type,size_class,population\n"
    "00004,enterprise,micro,120\n"
    "00004,enterprise,small,35\n"
    "00001,enterprise,micro,7\n"  # legacy code, mapped to 00097
)


def test_strata_import(make_campaign: Callable[..., Any], admin_scope: Scope) -> None:
    campaign = make_campaign(status="draft")
    result = services.campaign_strata_import(
        scope=admin_scope, actor=None, campaign=campaign, data=("\ufeff" + STRATA).encode()
    )
    assert result == {"strata": 3, "population": 162}
    assert Stratum.objects.get(campaign=campaign, commune__code="00097").population == 7
    # re-import replaces
    semicolon = "Mã xã;Loại hình;Quy mô;Số lượng\n00004;enterprise;micro;100\n"
    services.campaign_strata_import(
        scope=admin_scope, actor=None, campaign=campaign, data=semicolon.encode()
    )
    assert list(Stratum.objects.filter(campaign=campaign).values_list("population", flat=True)) == [
        100
    ]


def test_strata_import_reports_every_bad_row(
    make_campaign: Callable[..., Any], admin_scope: Scope
) -> None:
    campaign = make_campaign(status="draft")
    bad = (
        "commune_code,entity_type,size_class,population\n"
        "00004,enterprise,micro,12\n"
        "20275,enterprise,micro,5\n"  # Đà Nẵng: outside the area
        "00004,robot,huge,-3\n"
        "00004,enterprise,micro,9\n"  # duplicate stratum
    )
    with pytest.raises(services.StrataImportError) as exc:
        services.campaign_strata_import(
            scope=admin_scope, actor=None, campaign=campaign, data=bad.encode()
        )
    found = {(r.row, r.column) for r in exc.value.rows}
    assert found == {
        (3, "commune_code"),
        (4, "entity_type"),
        (4, "size_class"),
        (4, "population"),
        (5, "commune_code"),
    }
    assert not Stratum.objects.filter(campaign=campaign).exists()
    with pytest.raises(services.StrataImportError, match="UTF-8"):
        services.campaign_strata_import(
            scope=admin_scope,
            actor=None,
            campaign=campaign,
            data="Mã xã,Số lượng\n".encode("latin-1", "replace") + b"\xc3(\n",
        )
    with pytest.raises(services.StrataImportError):
        services.campaign_strata_import(
            scope=admin_scope, actor=None, campaign=campaign, data=b"foo,bar\n1,2\n"
        )
