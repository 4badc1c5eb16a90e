"""Indicators defined and edited in the product: the pages and the API, versions kept, every
change audited, an invalid formula or method refused with the field named, and who may change
which indicator (a province officer cannot edit a national one)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators import registry
from thuocdo.indicators.models import Indicator, IndicatorVersion, Target

pytestmark = pytest.mark.django_db
BASE = "/api/v1/indicators"


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_define_and_edit_through_the_api_keeps_versions_and_audits(
    client: Client, make_user: Any, token_for: Any
) -> None:
    ministry = make_user("ministry")
    token = token_for(ministry)
    body = {
        "code": "cloud-agencies",
        "name_vi": "Tỷ lệ cơ quan dùng điện toán đám mây",
        "name_en": "Agencies on cloud",
        "unit_symbol": "%",
        "unit_kind": "percent",
        "unit_min": 0,
        "unit_max": 100,
        "direction": "higher",
        "scope": ["national", "province"],
        "responsible_unit": "Bộ TTTT",
        "reporting_unit": "Vụ KTS và XHS",
        "method": "input",
        "targets": [{"year": 2026, "value": 60}, {"year": 2030, "value": 90}],
    }
    res = client.post(f"{BASE}/", body, content_type="application/json", **auth(token))
    assert res.status_code == 200, res.content
    data = res.json()
    assert data["version"] == 1 and data["owner_unit"] is None
    assert {(t["year"], t["value"]) for t in data["targets"]} == {(2026, 60), (2030, 90)}

    res = client.patch(
        f"{BASE}/cloud-agencies",
        {
            "name_vi": "Tỷ lệ cơ quan nhà nước dùng đám mây",
            "targets": [{"year": 2026, "value": 65}],
        },
        content_type="application/json",
        **auth(token),
    )
    assert res.status_code == 200, res.content
    assert res.json()["version"] == 2 and res.json()["name"].startswith("Tỷ lệ cơ quan nhà nước")
    versions = client.get(f"{BASE}/cloud-agencies/versions", **auth(token)).json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["snapshot"]["name_vi"] == "Tỷ lệ cơ quan dùng điện toán đám mây"
    assert {t["value"] for t in versions[0]["snapshot"]["targets"] if t["year"] == 2026} == {60}
    assert set(versions[1]["fields"]) == {"name_vi", "targets"}
    assert versions[1]["changed_by"] == ministry.username
    edit = AuditEvent.objects.get(action="indicator.edit", object_id="cloud-agencies")
    assert edit.before["name_vi"] == "Tỷ lệ cơ quan dùng điện toán đám mây"
    assert edit.after["version"] == 2 and edit.actor == ministry
    assert AuditEvent.objects.filter(action="indicator.create", object_id="cloud-agencies").exists()

    # the same edit again changes nothing and adds no version
    client.patch(
        f"{BASE}/cloud-agencies",
        {"targets": [{"year": 2026, "value": 65}]},
        content_type="application/json",
        **auth(token),
    )
    assert IndicatorVersion.objects.filter(indicator__code="cloud-agencies").count() == 2


def test_invalid_formula_and_method_are_refused_naming_the_field(
    client: Client, make_user: Any, token_for: Any
) -> None:
    token = token_for(make_user("ministry"))
    base = {"name_vi": "Chỉ tiêu thử", "scope": ["national"]}
    cases = [
        (
            {
                "code": "x-unknown",
                "method": "formula",
                "formula": "unknown_code / households-fibre",
            },
            "formula",
        ),
        ({"code": "x-empty", "method": "formula", "formula": ""}, "formula"),
        (
            {"code": "x-syntax", "method": "formula", "formula": "{households-fibre} * (2"},
            "formula",
        ),
        ({"code": "x-method", "method": "guess"}, "kind"),
        ({"code": "x-survey", "method": "survey", "survey_source": "nowhere"}, "survey_source"),
        ({"code": "x-scope", "scope": ["planet"]}, "scope"),
        ({"code": "x-dir", "direction": "up"}, "direction"),
    ]
    for extra, field in cases:
        res = client.post(
            f"{BASE}/", {**base, **extra}, content_type="application/json", **auth(token)
        )
        assert res.status_code == 422, (extra, res.content)
        assert field in [e["field"] for e in res.json()["errors"]], (extra, res.json())
    unknown = client.post(
        f"{BASE}/",
        {
            **base,
            "code": "x-unknown",
            "method": "formula",
            "formula": "unknown_code / households-fibre",
        },
        content_type="application/json",
        **auth(token),
    ).json()["errors"][0]
    assert unknown["field"] == "formula"
    assert "Mã chỉ tiêu không tồn tại" in unknown["message"], unknown
    assert not Indicator.objects.filter(code__startswith="x-").exists()
    # a cycle through an existing formula is refused when editing, and nothing changes
    client.post(
        f"{BASE}/",
        {**base, "code": "x-a", "method": "formula", "formula": "{households-fibre} * 2"},
        content_type="application/json",
        **auth(token),
    )
    client.post(
        f"{BASE}/",
        {**base, "code": "x-b", "method": "formula", "formula": "{x-a} + 1"},
        content_type="application/json",
        **auth(token),
    )
    res = client.patch(
        f"{BASE}/x-a", {"formula": "{x-b} * 2"}, content_type="application/json", **auth(token)
    )
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "formula"
    assert Indicator.objects.get(code="x-a").formula == "{households-fibre} * 2"
    assert IndicatorVersion.objects.filter(indicator__code="x-a").count() == 1


def test_a_survey_method_names_published_results(officer: Any) -> None:
    user, scope = officer("admin")
    ind = registry.indicator_define(
        scope=scope,
        actor=user,
        code="sme-kh2-met",
        data={
            "name_vi": "Tỷ lệ DNNVV đạt tiêu chí KH2",
            "kind": "survey",
            "survey_source": "assessments.criterion-met:sme-dx:KH2",
            "scope": ["national", "province"],
        },
    )
    assert ind.kind == "survey" and ind.survey_source.endswith("KH2")
    with pytest.raises(ValidationError) as err:
        registry.indicator_edit(
            scope=scope,
            actor=user,
            code="sme-kh2-met",
            data={"survey_source": "assessments.criterion-met:sme-dx"},
        )
    assert "survey_source" in err.value.message_dict


def test_rights_national_and_province_indicators(
    client: Client, make_user: Any, token_for: Any, officer: Any
) -> None:
    hanoi = make_user("province", "01")
    token = token_for(hanoi)
    # a province officer cannot define or edit a national indicator
    res = client.patch(
        f"{BASE}/adults-smartphone",
        {"name_vi": "Đổi tên"},
        content_type="application/json",
        **auth(token),
    )
    assert res.status_code == 403
    assert Indicator.objects.get(code="adults-smartphone").name_vi != "Đổi tên"
    # it defines one of its own province (scope: provinces), with a target for itself
    res = client.post(
        f"{BASE}/",
        {
            "code": "hn-smart-schools",
            "name_vi": "Tỷ lệ trường học thông minh của Hà Nội",
            "targets": [{"year": 2026, "value": 40}],
        },
        content_type="application/json",
        **auth(token),
    )
    assert res.status_code == 200, res.content
    assert res.json()["owner_unit"] == "01" and res.json()["scope"] == ["province"]
    target = Target.objects.get(indicator__code="hn-smart-schools")
    assert target.unit is not None and target.unit.code == "01"
    # another province and a ministry cannot edit it; an administrator can
    danang = token_for(make_user("province", "48"))
    for other in (danang, token_for(make_user("ministry"))):
        res = client.patch(
            f"{BASE}/hn-smart-schools",
            {"name_vi": "Khác"},
            content_type="application/json",
            **auth(other),
        )
        assert res.status_code == 403
    admin, admin_scope = officer("admin")
    registry.indicator_edit(
        scope=admin_scope, actor=admin, code="hn-smart-schools", data={"name_en": "Smart schools"}
    )
    # commune officers define nothing: the page says so, without a form
    commune_user, commune_scope = officer("commune", "00004")
    client.force_login(commune_user)
    page = client.get("/indicators/new/")
    assert page.status_code == 200 and 'name="code"' not in page.content.decode()
    assert "Chỉ cán bộ bộ, ngành, cán bộ tỉnh" in page.content.decode()
    assert client.post("/indicators/new/", {"code": "x-commune"}).status_code == 403
    with pytest.raises(PermissionDenied):
        registry.indicator_define(
            scope=commune_scope, actor=commune_user, code="x-commune", data={"name_vi": "Xã"}
        )


def test_define_and_edit_through_the_pages(client: Client, make_user: Any) -> None:
    ministry = make_user("ministry")
    client.force_login(ministry)
    assert client.get("/indicators/new/").status_code == 200
    form = {
        "code": "open-data-sets",
        "name_vi": "Số bộ dữ liệu mở",
        "unit_symbol": "bộ",
        "unit_kind": "count",
        "direction": "higher",
        "scope": ["national"],
        "kind": "input",
        "aggregation": "last",
        "target-0-year": "2026",
        "target-0-value": "500",
    }
    res = client.post("/indicators/new/", form)
    assert res.status_code == 302 and res["Location"] == "/indicators/open-data-sets/edit/"
    ind = Indicator.objects.get(code="open-data-sets")
    assert ind.unit_kind == "count" and ind.targets.get(year=2026).value == 500
    page = client.get("/indicators/open-data-sets/edit/").content.decode()
    assert "Số bộ dữ liệu mở" in page and 'value="500"' in page
    # an invalid formula: the page answers 400, names the field, saves nothing
    res = client.post(
        "/indicators/open-data-sets/edit/",
        {**form, "kind": "formula", "formula": "unknown_code / 2"},
    )
    assert res.status_code == 400
    html = res.content.decode()
    assert "formula" in html and "Mã chỉ tiêu không tồn tại" in html
    ind.refresh_from_db()
    assert ind.kind == "input" and ind.version == 1
    res = client.post(
        "/indicators/open-data-sets/edit/", {**form, "name_vi": "Số bộ dữ liệu mở quốc gia"}
    )
    assert res.status_code == 302
    ind.refresh_from_db()
    assert ind.version == 2 and ind.name_vi == "Số bộ dữ liệu mở quốc gia"
    page = client.get("/indicators/open-data-sets/edit/").content.decode()
    assert "name_vi" in page  # the versions table lists the changed field
    assert (
        "/indicators/open-data-sets/edit/"
        in client.get("/indicators/open-data-sets/").content.decode()
    )
    # a province officer cannot open the edit page of a national indicator
    client.force_login(make_user("province", "01"))
    assert client.get("/indicators/open-data-sets/edit/").status_code == 403
    assert "/edit/" not in client.get("/indicators/open-data-sets/").content.decode()
    assert client.post("/indicators/open-data-sets/edit/", form).status_code == 403


def test_a_builtin_indicator_keeps_its_first_definition_as_version_one(officer: Any) -> None:
    user, scope = officer("ministry")
    before = Indicator.objects.get(code="households-fibre").name_vi
    registry.indicator_edit(
        scope=scope, actor=user, code="households-fibre", data={"name_en": "Fibre households"}
    )
    versions = registry.indicator_versions(code="households-fibre")
    assert [(v.number, v.change) for v in versions] == [(1, "baseline"), (2, "edit")]
    assert versions[0].snapshot["name_vi"] == before and versions[1].fields == ["name_en"]
