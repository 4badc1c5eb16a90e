"""State agencies in the organisation registry: identity, parent, administrative unit, the
registry import (CLI), the API and the self-assessment lookup."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from tests.assessments.factories import DANANG_COMMUNE, HANOI_COMMUNES, tax_code

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services
from thuocdo.assessments.models import Organisation
from thuocdo.cli import main

pytestmark = pytest.mark.django_db

HEADER = "agency_code,name,entity_type,parent_code,commune_code\n"


def _department(scope: Scope, code: str = "000.00.31.H01", **extra: Any) -> Organisation:
    return services.organisation_create(
        scope=scope,
        actor=None,
        data={
            "name": "Sở Khoa học và Công nghệ Hà Nội",
            "entity_type": "agency_department",
            "agency_code": code,
            "commune_code": HANOI_COMMUNES[0],
            **extra,
        },
    )


def test_department_and_commune_agency(admin_scope: Scope) -> None:
    dept = _department(admin_scope, code=" 000.00.31.h01 ")
    assert dept.agency_code == "000.00.31.H01"
    assert dept.tax_code is None
    assert dept.admin_unit is not None and dept.admin_unit.level == "province"
    assert dept.admin_unit.code == "01"
    ward = services.organisation_create(
        scope=admin_scope,
        actor=None,
        data={
            "name": "UBND phường Ba Đình",
            "entity_type": "agency_commune",
            "agency_code": "000.00.40.H01",
            "parent_code": "000.00.31.H01",
            "commune_code": HANOI_COMMUNES[0],
        },
    )
    assert ward.parent == dept
    assert ward.admin_unit == ward.commune
    event = AuditEvent.objects.get(action="organisation.create", object_id=str(ward.pk))
    assert event.after["agency_code"] == "000.00.40.H01"
    assert event.after["parent"] == "000.00.31.H01"


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"agency_code": "31.H01"}, "agency_code", "000.00.31.H26"),
        ({"agency_code": "000.05.00.H01"}, "agency_code", "bằng 0"),
        ({"agency_code": ""}, "agency_code", "Cần nhập"),
        ({"agency_code": "000.00.31.G01"}, "agency_code", "H"),
        ({"tax_code": None}, "tax_code", "không dùng mã số thuế"),
        ({"admin_unit_code": HANOI_COMMUNES[1]}, "admin_unit_code", "nằm ngoài"),
        ({"parent_code": "000.00.99.H01"}, "parent_code", "000.00.99.H01"),
    ],
)
def test_bad_agency_fields_are_named(
    admin_scope: Scope, data: dict[str, Any], field: str, fragment: str
) -> None:
    if "tax_code" in data:
        data = {"tax_code": tax_code()}
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc:
        _department(admin_scope, **data)
    assert fragment in " ".join(exc.value.message_dict[field])
    assert Organisation.objects.count() == before


def test_parent_in_another_province_is_refused(admin_scope: Scope) -> None:
    _department(admin_scope)
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            scope=admin_scope,
            actor=None,
            data={
                "name": "UBND phường An Hải",
                "entity_type": "agency_commune",
                "agency_code": "000.00.40.H48",
                "parent_code": "000.00.31.H01",
                "commune_code": DANANG_COMMUNE,
            },
        )
    assert "thuộc tỉnh khác" in " ".join(exc.value.message_dict["parent_code"])


def test_business_cannot_carry_agency_fields(admin_scope: Scope) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            scope=admin_scope,
            actor=None,
            data={
                "name": "Công ty Mây",
                "entity_type": "enterprise",
                "agency_code": "000.00.31.H01",
                "commune_code": HANOI_COMMUNES[0],
            },
        )
    assert "agency_code" in exc.value.message_dict


def test_duplicate_code_and_merge_moves_code(admin_scope: Scope) -> None:
    dept = _department(admin_scope)
    with pytest.raises(services.DuplicateOrganisationError) as exc:
        _department(admin_scope, name="Sở KH&CN")
    assert exc.value.existing == dept


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_registry_import_parents_first_then_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text(
        HEADER
        + f"000.00.40.H01,UBND phường Ba Đình,agency_commune,000.00.31.H01,{HANOI_COMMUNES[0]}\n"
        + f"000.00.31.H01,Sở Khoa học và Công nghệ,agency_department,,{HANOI_COMMUNES[0]}\n",
        encoding="utf-8",
    )
    code, data, err = _run(capsys, "agencies", "import", str(path))
    assert code == 0, err
    assert data == {"created": 2, "updated": 0}
    ward = Organisation.objects.get(agency_code="000.00.40.H01")
    assert ward.parent is not None and ward.parent.agency_code == "000.00.31.H01"
    path.write_text(
        HEADER + f"000.00.31.H01,Sở KH và CN Hà Nội,agency_department,,{HANOI_COMMUNES[0]}\n",
        encoding="utf-8",
    )
    code, data, _ = _run(capsys, "agencies", "import", str(path))
    assert data == {"created": 0, "updated": 1}
    assert Organisation.objects.get(agency_code="000.00.31.H01").name == "Sở KH và CN Hà Nội"


def test_registry_import_refuses_whole_file_naming_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text(
        HEADER
        + f"000.00.31.H01,Sở Khoa học và Công nghệ,agency_department,,{HANOI_COMMUNES[0]}\n"
        + f"000.00.40.H48,UBND phường An Hải,agency_commune,000.00.31.H01,{DANANG_COMMUNE}\n"
        + f"00.40.H01,UBND phường X,agency_commune,,{HANOI_COMMUNES[1]}\n",
        encoding="utf-8",
    )
    before = Organisation.objects.count()
    code, _data, err = _run(capsys, "agencies", "import", str(path))
    assert code == 1
    assert "3, parent_code" in err and "4, agency_code" in err
    assert "Traceback" not in err
    assert Organisation.objects.count() == before
    path.write_text("agency_code,name\n", encoding="utf-8")
    code, _data, err = _run(capsys, "agencies", "import", str(path))
    assert code == 1 and "entity_type" in err and "commune_code" in err


def test_api_and_lookup_accept_agencies(
    admin_scope: Scope,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    make_campaign: Callable[..., Any],
) -> None:
    officer = make_user("province", unit="01")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(officer)}"}
    reply = client.post(
        "/api/v1/assessments/organisations",
        {
            "name": "Sở Nội vụ Hà Nội",
            "entity_type": "agency_department",
            "agency_code": "000.00.32.H01",
            "commune_code": HANOI_COMMUNES[0],
        },
        content_type="application/json",
        **auth,
    )
    assert reply.status_code == 201, reply.content
    body = reply.json()
    assert body["agency_code"] == "000.00.32.H01" and body["admin_unit_code"] == "01"
    reply = client.post(
        "/api/v1/assessments/organisations",
        {
            "name": "Sở X",
            "entity_type": "agency_department",
            "agency_code": "32.H01",
            "commune_code": HANOI_COMMUNES[0],
        },
        content_type="application/json",
        **auth,
    )
    assert reply.status_code == 422
    assert "agency_code" in reply.content.decode()
    listed = client.get("/api/v1/assessments/organisations", {"q": "000.00.32.H01"}, **auth).json()
    assert [o["agency_code"] for o in listed["items"]] == ["000.00.32.H01"]
    campaign = make_campaign(entity_types=["enterprise", "agency_department"])
    page = Client().post(
        f"/assessments/c/{campaign.public_token}/", {"identifier": "000.00.32.h01"}
    )
    assert page.status_code == 302
    bad = Client().post(f"/assessments/c/{campaign.public_token}/", {"identifier": "0.0.32.H01"})
    assert "000.00.31.H26" in bad.content.decode()
    register = Client().get(f"/assessments/c/{campaign.public_token}/register/")
    assert 'name="agency_code"' in register.content.decode()
