from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.assessments.factories import HANOI_COMMUNES, tax_code

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import selectors, services
from thuocdo.assessments.models import Organisation, Response

pytestmark = pytest.mark.django_db


def test_create_normalises_and_derives(admin_scope: Scope) -> None:
    code = tax_code()
    org = services.organisation_create(
        scope=admin_scope,
        actor=None,
        data={
            "name": "  Công ty  Cổ phần Mây Xanh ",
            "tax_code": f"{code[:4]} {code[4:]}",
            "entity_type": "enterprise",
            "commune_code": "00004",
            "vsic": "5510",
            "employees": 30,
            "revenue": 20_000_000_000,
        },
    )
    assert org.tax_code == code
    assert org.name == "Công ty Cổ phần Mây Xanh"
    assert org.sector == "tourism"
    assert org.size_class == "small"  # services: 30 employees > 10
    assert org.unit_path == org.commune.path
    assert org.registry_id.startswith("TD-")
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(org.pk)).exists()


def test_household_without_tax_code_gets_registry_id(admin_scope: Scope) -> None:
    org = services.organisation_create(
        scope=admin_scope,
        actor=None,
        data={
            "name": "Hộ kinh doanh Bún chả Hương",
            "entity_type": "household_business",
            "commune_code": "00292",
        },
    )
    assert org.tax_code is None
    assert len(org.registry_id) == 13


def test_every_bad_field_is_named(admin_scope: Scope) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            scope=admin_scope,
            actor=None,
            data={
                "name": "",
                "tax_code": "0100233489",  # wrong check digit
                "entity_type": "spaceship",
                "commune_code": "99999",
                "vsic": "3400",
                "email": "not-an-email",
            },
        )
    errors = exc.value.message_dict
    assert set(errors) == {"name", "tax_code", "entity_type", "commune_code", "vsic", "email"}
    assert "0100233489" in errors["tax_code"][0]
    assert "99999" in errors["commune_code"][0]


def test_legacy_commune_code_is_mapped(admin_scope: Scope) -> None:
    org = services.organisation_create(
        scope=admin_scope,
        actor=None,
        data={"name": "Cửa hàng Phúc Xá", "entity_type": "shop", "commune_code": "00001"},
    )
    assert org.commune.structure == "2025"
    assert org.commune.code == "00097"  # Phường Phúc Xá became part of Phường Hồng Hà


def test_duplicate_tax_code_points_at_existing(make_org: Callable[..., Any]) -> None:
    first = make_org()
    with pytest.raises(services.DuplicateOrganisationError) as exc:
        make_org(tax_code=first.tax_code, name="Tên khác hẳn")
    assert exc.value.existing == first
    assert first.registry_id in exc.value.message_dict["tax_code"][0]


def test_duplicate_name_in_same_commune(make_org: Callable[..., Any]) -> None:
    first = make_org(name="Công ty TNHH Hoa Sen", tax_code="")
    with pytest.raises(services.DuplicateOrganisationError) as exc:
        make_org(name="CÔNG TY TNHH HOA SEN.", tax_code="")
    assert exc.value.existing == first
    # same name in another commune is another organisation
    other = make_org(name="Công ty TNHH Hoa Sen", tax_code="", commune_code=HANOI_COMMUNES[1])
    assert other.pk != first.pk


def test_scope_commune_officer_only_in_its_commune(
    make_user: Callable[..., Any],
) -> None:
    officer = make_user("commune", unit="00004")
    scope = scope_for(officer)
    org = services.organisation_create(
        scope=scope,
        actor=officer,
        data={"name": "Quán cà phê Góc Phố", "entity_type": "shop", "commune_code": "00004"},
    )
    assert org.commune.code == "00004"
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            scope=scope,
            actor=officer,
            data={"name": "Quán khác", "entity_type": "shop", "commune_code": "00292"},
        )
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            scope=Scope(role="anonymous"),
            actor=None,
            data={"name": "Quán lạ", "entity_type": "shop", "commune_code": "00004"},
        )


def test_update_rechecks_duplicates_and_audits(
    make_org: Callable[..., Any], admin_scope: Scope
) -> None:
    a = make_org()
    b = make_org()
    with pytest.raises(services.DuplicateOrganisationError):
        services.organisation_update(
            scope=admin_scope, actor=None, organisation=b, data={"tax_code": a.tax_code}
        )
    updated = services.organisation_update(
        scope=admin_scope,
        actor=None,
        organisation=b,
        data={"vsic": "0111", "phone": "0912 345 678"},
    )
    assert updated.sector == "agriculture"
    event = AuditEvent.objects.filter(action="organisation.update", object_id=str(b.pk)).get()
    assert event.before["sector"] == "retail"
    assert event.after["sector"] == "agriculture"


def test_merge_moves_responses_and_points_at_survivor(
    make_org: Callable[..., Any],
    make_campaign: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
    hanoi_officer: Any,
) -> None:
    campaign = make_campaign()
    survivor = make_org(tax_code="")
    duplicate = make_org()
    services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=duplicate,
        answers=good_answers,
    )
    kept = services.organisation_merge(
        scope=scope_for(hanoi_officer),
        actor=hanoi_officer,
        survivor=survivor,
        duplicate=duplicate,
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    assert Response.objects.get(campaign=campaign).organisation_id == survivor.pk
    assert Organisation.objects.get(pk=survivor.pk).tax_code is not None  # took the tax code
    assert AuditEvent.objects.filter(action="organisation.merge", actor=hanoi_officer).exists()
    # the merged one no longer shows in lists but resolves to the survivor by its old tax code
    assert duplicate not in selectors.organisation_list(scope=admin_scope)


def test_merge_refused_when_both_answered(
    make_org: Callable[..., Any],
    make_campaign: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    a, b = make_org(), make_org()
    for org in (a, b):
        services.response_submit(
            scope=admin_scope,
            actor=None,
            campaign=campaign,
            organisation=org,
            answers=good_answers,
        )
    with pytest.raises(ValidationError, match="Khảo sát"):
        services.organisation_merge(scope=admin_scope, actor=None, survivor=a, duplicate=b)
    with pytest.raises(PermissionDenied):
        services.organisation_merge(
            scope=Scope(role="respondent", user_id=1), actor=None, survivor=a, duplicate=b
        )
