"""Plan services: the wizard, task updates, the workflow, evidence, campaign-driven completion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from thuocdo.accounts.models import AuditEvent
from thuocdo.plans import services
from thuocdo.plans.domain.evidence import SurveyEvidence
from thuocdo.plans.models import Evidence, Plan, Task, TaskGroup, TaskUpdate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def task(plan: Plan, code: str) -> Task:
    return plan.tasks.get(code=code)


# --------------------------------------------------------------------------- the wizard


def test_wizard_makes_36_tasks_in_12_groups(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(unit="48", year=2025)
    assert plan.level == "province"
    assert plan.unit is not None
    assert plan.unit.code == "48"
    assert plan.unit_path == plan.unit.path
    assert plan.framework_code == "province-dx"
    assert plan.groups.count() == 12
    assert plan.tasks.count() == 36
    counts = Counter(plan.tasks.values_list("group__code", flat=True))
    assert [counts[str(n)] for n in range(1, 13)] == [6, 4, 3, 1, 2, 3, 1, 1, 3, 3, 8, 1]
    assert all(t.lead_unit for t in plan.tasks.all())


@pytest.mark.parametrize(
    ("year", "code", "due", "spec"),
    [
        # Seed 002's own days, moved to the plan year.
        (2025, "1.1", date(2025, 3, 30), "30/3/2025"),  # 30/3/2024
        (2026, "1.1", date(2026, 3, 30), "30/3/2026"),
        (2025, "1.5", date(2025, 5, 30), "30/5/2025"),  # 30/5/2024
        (2025, "6.2", date(2025, 6, 30), "30/6/2025"),  # 30/6/2024
        (2025, "7.1", date(2025, 11, 30), "30/11/2025"),  # trước 30/11/2024
        # A month, a year or no deadline in the source: the provincial assignment's quarter.
        (2025, "6.3", date(2025, 6, 30), "Quý II"),  # Tháng 6/2024
        (2025, "2.4", date(2025, 12, 31), "Quý IV"),  # Năm 2024
        (2025, "8.1", date(2025, 12, 31), "Quý IV"),  # no deadline
        (2025, "1.6", date(2025, 11, 30), "30/11 hằng năm"),
        (2025, "10.1", date(2025, 12, 31), "Hằng quý"),
        (2025, "10.3", date(2025, 12, 31), "6 tháng một lần"),
        (2025, "4.1", None, "Thường xuyên"),
    ],
)
def test_wizard_deadlines_are_adjusted_to_the_year(
    make_plan: Callable[..., Plan], year: int, code: str, due: date | None, spec: str
) -> None:
    t = task(make_plan(year=year), code)
    assert t.deadline == due
    assert t.deadline_spec == spec
    assert t.start == date(year, 1, 1)


def test_wizard_keeps_the_days_and_supporting_units_of_seed_002(
    make_plan: Callable[..., Plan],
) -> None:
    import re

    import yaml

    from thuocdo.plans.domain.frameworks import BUILTIN_DIR

    seed = yaml.safe_load((BUILTIN_DIR / "province-dx.yaml").read_text(encoding="utf-8"))
    plan = make_plan(year=2026)
    tasks = {t.code: t for t in plan.tasks.all()}
    days = 0
    for group in seed["groups"]:
        for source in group["tasks"]:
            t = tasks[source["code"]]
            assert set(source["supporting_units"]) <= set(t.coordinating_units), t.code
            found = re.fullmatch(r"(\d+)/(\d+)/2024", source["deadline"] or "")
            if found:
                days += 1
                assert t.deadline == date(2026, int(found[2]), int(found[1])), t.code
    assert days == 7  # 1.1-1.5, 6.2, 7.1


def test_task_page_names_the_supporting_unit(
    make_plan: Callable[..., Plan], client: Any, make_user: Callable[..., Any]
) -> None:
    plan = make_plan()
    client.force_login(make_user(role="province", unit="01"))
    page = client.get(f"/plans/tasks/{task(plan, '7.1').pk}/").content.decode()
    assert "Cục An toàn thông tin" in page


def test_wizard_assigns_departments_as_the_province_does(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan()
    assert task(plan, "1.2").lead_unit == "so-tc"
    assert task(plan, "1.2").lead_unit_name == "Sở Tài chính"
    assert task(plan, "11.7").lead_unit == "so-yt"
    # The province's coordinating departments, then seed 002's supporting unit.
    assert task(plan, "1.1").coordinating_units == ["so-khcn", "so-tp", "cuc-cdsqg"]
    assert task(plan, "7.1").coordinating_units == ["cong-an", "cac-so-nganh", "cuc-attt"]
    assert task(plan, "11.4").coordinating_units == ["ubnd-xa", "to-cnscd", "neac"]
    assert task(plan, "10.3").survey_stage == "guide"


def test_wizard_takes_assignments(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(
        assignments={
            "2.4": "Sở TC",
            "3.3": {"lead": "so-nv", "coordinating": ["ubnd-xa"], "deadline": "Quý III"},
        }
    )
    assert task(plan, "2.4").lead_unit == "so-tc"
    t = task(plan, "3.3")
    assert (t.lead_unit, t.coordinating_units, t.deadline) == (
        "so-nv",
        ["ubnd-xa"],
        date(2025, 9, 30),
    )


def test_sector_framework_gives_the_provincial_tasks_with_seed_deadlines(
    make_plan: Callable[..., Plan],
) -> None:
    plan = make_plan(framework="sector-de-2025", year=2025)
    codes = set(plan.tasks.values_list("code", flat=True))
    assert {"1", "3.a", "3.b", "7.a.P1", "6.b"} <= codes
    assert "2.a" not in codes  # a ministry's task
    groups = set(plan.groups.values_list("code", flat=True))
    assert groups == set(plan.tasks.values_list("group__code", flat=True))  # no empty group
    assert task(plan, "3.b").deadline == date(2025, 9, 30)
    assert task(plan, "7.d.P1").lead_unit == "so-ct"
    assert task(plan, "7.d.P1").deadline == date(2025, 12, 31)
    later = make_plan(framework="sector-de-2025", year=2026, unit="48")
    assert task(later, "3.b").deadline == date(2026, 9, 30)


def test_national_plan_from_the_2023_framework() -> None:
    plan = services.plan_instantiate(
        actor=None, framework="national-2023", unit_code=None, year=2023
    )
    assert plan.level == "national"
    assert plan.tasks.count() == 135
    assert task(plan, "A.I.1").deadline == date(2023, 12, 31)


def test_national_sector_plan_and_the_province_plan_that_implements_it(
    make_plan: Callable[..., Plan],
) -> None:
    national = services.plan_instantiate(
        actor=None, framework="sector-de-2025", unit_code=None, year=2025
    )
    assert national.level == "national"
    assert national.parent is None
    assert national.tasks.count() == 70
    carried = task(national, "9.a.P3")  # due "Quý IV/2024": carried over from the year before
    assert (carried.start, carried.deadline) == (date(2024, 1, 1), date(2024, 12, 31))
    assert task(national, "9.b.M3").deadline == date(2024, 12, 31)
    assert task(national, "3.b").start == date(2025, 1, 1)
    province = make_plan(framework="sector-de-2025", unit="48", year=2025)
    assert province.parent == national
    assert list(national.children.all()) == [province]
    other_year = make_plan(framework="sector-de-2025", unit="48", year=2026)
    assert other_year.parent is None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"unit_code": "99"}, "unit", "Không có tỉnh mã 99"),
        ({"unit_code": "00004"}, "unit", "Không có tỉnh mã 00004"),
        ({"framework": "khong-co"}, None, "Không có khung nhiệm vụ khong-co"),
        ({"year": 1800}, "year", "Năm phải nằm trong khoảng 2000–2100"),
        ({"assignments": {"1.1": "Sở Ngoại giao"}}, "assignments.1.1", "Sở Ngoại giao"),
        ({"assignments": {"99.9": "so-khcn"}}, "assignments.99.9", "99.9"),
        ({"assignments": {"1.1": {"lead": "so-khcn", "deadline": "Quý V"}}}, None, "Quý V"),
        ({"framework": "national-2023"}, "framework", "national-2023"),
    ],
)
def test_wizard_refuses_bad_input_and_writes_nothing(
    kwargs: dict[str, Any], field: str | None, message: str
) -> None:
    args: dict[str, Any] = {"framework": "province-dx", "unit_code": "01", "year": 2025}
    args.update(kwargs)
    plans, groups, tasks = Plan.objects.count(), TaskGroup.objects.count(), Task.objects.count()
    with pytest.raises(Exception) as info:  # noqa: PT011 - ValidationError or Http404
        services.plan_instantiate(actor=None, **args)
    text = str(info.value)
    if field is not None:
        assert isinstance(info.value, ValidationError)
        assert field in info.value.message_dict
    assert message in text
    assert (Plan.objects.count(), TaskGroup.objects.count(), Task.objects.count()) == (
        plans,
        groups,
        tasks,
    )


def test_wizard_refuses_a_second_plan_for_the_same_year(make_plan: Callable[..., Plan]) -> None:
    make_plan()
    with pytest.raises(ValidationError, match="đã có"):
        make_plan()


def test_wizard_scope(make_user: Callable[..., Any]) -> None:
    hanoi = make_user(role="province", unit="01")
    with pytest.raises(PermissionDenied):
        services.plan_instantiate(actor=hanoi, framework="province-dx", unit_code="48", year=2025)
    department = make_user(role="province", unit="01", department="so-khcn")
    with pytest.raises(PermissionDenied):
        services.plan_instantiate(
            actor=department, framework="province-dx", unit_code="01", year=2025
        )
    plan = services.plan_instantiate(
        actor=hanoi, framework="province-dx", unit_code="01", year=2025
    )
    event = AuditEvent.objects.get(action="plans.plan.instantiate", object_id=str(plan.pk))
    assert event.actor == hanoi
    assert event.after["tasks"] == 36


# --------------------------------------------------------------------------- updates


def test_status_follows_the_workflow(make_plan: Callable[..., Plan]) -> None:
    t = task(make_plan(), "2.1")
    with pytest.raises(ValidationError, match="Chưa bắt đầu") as info:
        services.task_update(actor=None, task=t, status="done")
    assert "status" in info.value.message_dict
    t.refresh_from_db()
    assert t.status == "not_started"
    assert not TaskUpdate.objects.filter(task=t).exists()

    services.task_update(
        actor=None,
        task=t,
        status="in_progress",
        progress=40,
        note="Đã khảo sát",
        on=date(2025, 4, 9),
    )
    services.task_update(actor=None, task=t, status="done", on=date(2025, 5, 2))
    t.refresh_from_db()
    assert (t.status, t.progress, t.last_report_on) == ("done", 100, date(2025, 5, 2))
    history = list(t.updates.order_by("id").values_list("status_from", "status_to", "note"))
    assert history == [
        ("not_started", "in_progress", "Đã khảo sát"),
        ("in_progress", "done", ""),
    ]
    assert AuditEvent.objects.filter(object_type="plans.Task", object_id=str(t.pk)).count() == 2


@pytest.mark.parametrize("progress", [-1, 101, 150, "abc", 12.5, True])
def test_progress_outside_0_100_is_refused(make_plan: Callable[..., Plan], progress: Any) -> None:
    t = task(make_plan(), "2.1")
    with pytest.raises(ValidationError) as info:
        services.task_update(actor=None, task=t, status="in_progress", progress=progress)
    assert "progress" in info.value.message_dict
    assert "0" in str(info.value) and "100" in str(info.value)
    t.refresh_from_db()
    assert (t.status, t.progress) == ("not_started", 0)


def test_deadline_before_start_is_refused(make_plan: Callable[..., Plan]) -> None:
    t = task(make_plan(), "2.1")
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        services.task_update(actor=None, task=t, start=date(2025, 8, 1), deadline="Quý II")
    with pytest.raises(ValidationError, match="Không hiểu thời hạn"):
        services.task_update(actor=None, task=t, deadline="sớm nhất có thể")
    t.refresh_from_db()
    assert (t.start, t.deadline) == (date(2025, 1, 1), date(2025, 12, 31))
    services.task_update(actor=None, task=t, deadline="Quý III/2025")
    t.refresh_from_db()
    assert t.deadline == date(2025, 9, 30)


def test_unknown_lead_unit_is_refused(make_plan: Callable[..., Plan]) -> None:
    t = task(make_plan(), "2.1")
    with pytest.raises(ValidationError, match="Sở Ngoại vụ"):
        services.task_update(actor=None, task=t, lead_unit="Sở Ngoại vụ")
    services.task_update(actor=None, task=t, lead_unit="Sở CT")
    t.refresh_from_db()
    assert (t.lead_unit, t.lead_unit_name) == ("so-ct", "Sở Công Thương")


def test_a_department_edits_only_its_own_tasks(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    plan = make_plan(unit="01")
    health = make_user(role="province", unit="01", department="Sở Y tế")
    services.task_update(actor=health, task=task(plan, "11.7"), status="in_progress", progress=30)
    with pytest.raises(PermissionDenied):
        services.task_update(actor=health, task=task(plan, "11.6"), status="in_progress")
    with pytest.raises(PermissionDenied):  # cannot reassign its task to another department
        services.task_update(actor=health, task=task(plan, "11.7"), lead_unit="so-gddt")
    other_province = make_user(role="province", unit="48")
    with pytest.raises(PermissionDenied):
        services.task_update(actor=other_province, task=task(plan, "11.7"), progress=50)
    officer = make_user(role="province", unit="01")
    services.task_update(actor=officer, task=task(plan, "11.6"), status="in_progress")
    assert task(plan, "11.6").status == "in_progress"
    assert task(plan, "11.7").progress == 30


def test_only_the_plans_managers_move_a_deadline_or_start(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    plan = make_plan(unit="01")
    health = make_user(role="province", unit="01", department="so-yt")
    own = task(plan, "11.7")  # led by so-yt, due 31/12/2025
    with pytest.raises(PermissionDenied, match="thời hạn"):
        services.task_update(actor=health, task=own, deadline="Quý IV/2026")
    with pytest.raises(PermissionDenied, match="thời hạn"):
        services.task_update(actor=health, task=own, start=date(2025, 3, 1), progress=10)
    own.refresh_from_db()
    # 11.7 runs over "2024 - 2025": it began on 1/1/2024
    assert (own.start, own.deadline, own.progress) == (date(2024, 1, 1), date(2025, 12, 31), 0)
    assert not own.updates.exists()
    # The unchanged values may be sent back (a form or an import row that repeats them).
    services.task_update(
        actor=health, task=own, deadline=own.deadline_spec, start=own.start, progress=10
    )
    officer = make_user(role="province", unit="01")
    services.task_update(actor=officer, task=own, deadline="Quý II/2026")
    assert task(plan, "11.7").deadline == date(2026, 6, 30)


def test_a_report_cannot_be_dated_in_the_future(make_plan: Callable[..., Plan]) -> None:
    from django.utils import timezone

    plan = make_plan(year=2025)
    assert services.tasks_mark_overdue(on=date(2025, 4, 5)) >= 1
    quarterly = task(plan, "10.1")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        services.task_update(actor=None, task=quarterly, progress=10, on=tomorrow)
    assert "on" in info.value.message_dict
    assert tomorrow.strftime("%d/%m/%Y") in str(info.value)
    quarterly.refresh_from_db()
    assert (quarterly.status, quarterly.last_report_on) == ("overdue", date(2025, 4, 5))
    services.task_update(actor=None, task=quarterly, progress=10, on=timezone.localdate())


# --------------------------------------------------------------------------- evidence


def test_evidence_file_and_link(make_plan: Callable[..., Plan], tmp_path: Any) -> None:
    t = task(make_plan(), "6.2")
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        ev = services.task_evidence_add(
            actor=None,
            task=t,
            file=SimpleUploadedFile("bao-cao.pdf", PDF),
            title="Báo cáo dữ liệu mở",
        )
        assert ev.size == len(PDF)
        assert (tmp_path / ev.file.name).read_bytes() == PDF
    link = services.task_evidence_add(actor=None, task=t, url="https://data.gov.vn/ha-noi")
    assert link.is_link
    assert t.updates.filter(kind="evidence").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "không thuộc loại được phép"),
        ("gia-mao.pdf", b"MZ\x90\x00 not a pdf", "không thuộc loại được phép"),
        ("anh.png", PDF, "không thuộc loại được phép"),
    ],
)
def test_evidence_of_a_disallowed_type_is_refused(
    make_plan: Callable[..., Plan], tmp_path: Any, name: str, content: bytes, message: str
) -> None:
    t = task(make_plan(), "6.2")
    with override_settings(MEDIA_ROOT=str(tmp_path)), pytest.raises(ValidationError) as info:
        services.task_evidence_add(actor=None, task=t, file=SimpleUploadedFile(name, content))
    assert message in str(info.value)
    assert name in str(info.value)
    assert not Evidence.objects.filter(task=t).exists()
    assert not any(tmp_path.rglob("*.*"))


def test_evidence_over_the_size_limit_is_refused(
    make_plan: Callable[..., Plan], tmp_path: Any
) -> None:
    t = task(make_plan(), "6.2")
    big = PDF + b"0" * (1024 * 1024)
    with (
        override_settings(MEDIA_ROOT=str(tmp_path), MAX_UPLOAD_BYTES=1024 * 1024),
        pytest.raises(ValidationError, match="giới hạn là 1 MB"),
    ):
        services.task_evidence_add(actor=None, task=t, file=SimpleUploadedFile("lon.pdf", big))
    assert not Evidence.objects.filter(task=t).exists()
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.vn/a", "không phải link"])
def test_bad_links_are_refused(make_plan: Callable[..., Plan], url: str) -> None:
    t = task(make_plan(), "6.2")
    with pytest.raises(ValidationError, match="http"):
        services.task_evidence_add(actor=None, task=t, url=url)
    assert not Evidence.objects.filter(task=t).exists()


# --------------------------------------------------------------------------- campaigns


def evidence(n: int, communes: int = 1, entity_type: str = "enterprise") -> SurveyEvidence:
    """A campaign's evidence: ``n`` verified responses spread over ``communes`` communes."""
    return SurveyEvidence(
        label="Khảo sát 2025",
        entity_types=(entity_type,),
        responses=tuple((entity_type, f"c{i % communes}") for i in range(n)),
    )


def test_survey_stage_completes_the_matching_tasks_on_evidence(
    make_plan: Callable[..., Plan],
) -> None:
    sector = make_plan(framework="sector-de-2025", unit="01", year=2025)
    dx = make_plan(framework="province-dx", unit="01", year=2025)
    other_year = make_plan(framework="sector-de-2025", unit="01", year=2026)
    other_province = make_plan(framework="sector-de-2025", unit="48", year=2025)
    commune_path = sector.unit_path + "00004/"

    def sync(stage: str, ev: SurveyEvidence | None, path: str = commune_path, **kw: Any) -> int:
        return services.tasks_sync_survey_stage(
            unit_path=path, year=2025, stage=stage, evidence=ev, **kw
        )

    assert sync("pilot", None) == 0  # no evidence: nothing completes
    assert "cần ít nhất 3 phiếu đã xác minh (hiện có 0)" in task(sector, "3.b").evidence_missing
    assert sync("pilot", evidence(2)) == 0  # one below the threshold
    assert "(hiện có 2)" in task(sector, "3.b").evidence_missing
    assert sync("pilot", evidence(3)) == 1  # at the threshold
    pilot = task(sector, "3.b")
    assert (pilot.status, pilot.progress, pilot.evidence_missing) == ("done", 100, "")
    steps = list(pilot.updates.order_by("id").values_list("status_from", "status_to"))
    assert steps == [("not_started", "in_progress"), ("in_progress", "done")]
    assert "khảo sát thí điểm" in pilot.updates.first().note
    assert "Tự động hoàn thành theo minh chứng" in pilot.updates.first().note
    assert task(other_year, "3.b").status == "not_started"
    assert task(other_province, "3.b").status == "not_started"
    assert task(sector, "3.c").status == "not_started"
    # Again: nothing left to change.
    assert sync("pilot", evidence(3)) == 0

    # the scaled-up survey needs communes covered as well
    assert sync("scale_up", evidence(10, communes=2), sector.unit_path) == 0
    gap = task(sector, "3.c").evidence_missing
    assert "ít nhất 3 xã (hiện có 2)" in gap and "phiếu đã xác minh (" not in gap
    assert sync("scale_up", evidence(9, communes=3), sector.unit_path) == 0
    assert "ít nhất 10 phiếu" in task(sector, "3.c").evidence_missing
    assert sync("scale_up", evidence(10, communes=3), sector.unit_path) == 1

    # the SME task counts enterprises only: farms are not its evidence
    assert sync("guide", evidence(5, entity_type="farm"), sector.unit_path) == 1  # 3.a only
    assert task(dx, "10.3").status == "not_started"
    assert task(dx, "10.3").evidence_missing == ""
    assert task(dx, "10.3").entity_types == ["enterprise"]
    assert sync("guide", evidence(1), sector.unit_path) == 1
    assert task(dx, "10.3").status == "done"

    published = sync("publish", evidence(10), sector.unit_path)
    assert published == 1  # 3.d; the five sectors' yearly surveys wait for their own sector
    assert task(sector, "7.a.P1").sectors == ["retail"]
    assert sync("publish", evidence(10), sector.unit_path, sector="retail") == 1
    assert task(sector, "7.a.P1").status == "done"
    assert task(sector, "7.b.P1").status == "not_started"


def test_survey_stage_leaves_cancelled_tasks_and_refuses_unknown_stages(
    make_plan: Callable[..., Plan],
) -> None:
    plan = make_plan(framework="sector-de-2025")
    services.task_update(actor=None, task=task(plan, "3.c"), status="cancelled")
    assert (
        services.tasks_sync_survey_stage(
            unit_path=plan.unit_path, year=2025, stage="scale_up", evidence=evidence(10, 3)
        )
        == 0
    )
    assert task(plan, "3.c").status == "cancelled"
    with pytest.raises(ValidationError, match="thu_nghiem"):
        services.tasks_sync_survey_stage(unit_path=plan.unit_path, year=2025, stage="thu_nghiem")


def test_mark_overdue(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan()
    services.task_update(actor=None, task=task(plan, "1.2"), status="in_progress")
    services.task_update(actor=None, task=task(plan, "1.3"), status="in_progress")
    services.task_update(actor=None, task=task(plan, "1.3"), status="done")
    # The quarterly digital-economy measurement reported in the first quarter; the continuous
    # awareness task (4.1) did not, so it is late for its quarterly report.
    services.task_update(
        actor=None, task=task(plan, "10.1"), progress=25, note="Số liệu Quý I", on=date(2025, 3, 20)
    )
    changed = services.tasks_mark_overdue(on=date(2025, 4, 1))
    overdue = set(plan.tasks.filter(status="overdue").values_list("code", flat=True))
    assert overdue == {"1.1", "1.2", "1.4", "4.1"}
    assert changed == 4
    assert task(plan, "1.3").status == "done"
    assert services.tasks_mark_overdue(on=date(2025, 4, 1)) == 0


def test_a_late_report_takes_a_recurring_task_out_of_overdue(
    make_plan: Callable[..., Plan],
) -> None:
    plan = make_plan()
    assert services.tasks_mark_overdue(on=date(2025, 4, 5)) >= 1
    quarterly = task(plan, "10.1")  # "Hằng quý": no report in the first quarter
    one_off = task(plan, "1.1")  # due 31/3
    assert (quarterly.status, one_off.status) == ("overdue", "overdue")
    quarterly = services.task_update(
        actor=None, task=quarterly, progress=20, note="Báo cáo quý I (muộn)", on=date(2025, 4, 10)
    )
    assert (quarterly.status, quarterly.progress) == ("in_progress", 20)
    assert quarterly.updates.first().changes["status"] == ["overdue", "in_progress"]
    one_off = services.task_update(actor=None, task=one_off, progress=20, on=date(2025, 4, 10))
    assert one_off.status == "overdue"  # a one-off task stays late until it is done


def test_nightly_job_marks_overdue(make_plan: Callable[..., Plan]) -> None:
    from thuocdo.plans.tasks import plans_mark_overdue

    plan = make_plan(year=2020)  # every one-off deadline of a 2020 plan has passed
    plans_mark_overdue.call_local()
    assert task(plan, "1.1").status == "overdue"
    assert task(plan, "4.1").status == "overdue"  # continuous work without a report
