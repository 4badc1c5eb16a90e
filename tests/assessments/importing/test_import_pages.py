"""Import pages: upload per campaign (officers in scope), background job, progress, reports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.assessments.importing.factories import (
    communes_in,
    header_for,
    make_campaign,
    rows_for,
    write_csv,
)

from thuocdo.accounts.models import AuditEvent
from thuocdo.assessments.importing.jobs import (
    import_job_run,
    import_jobs_recover,
    lease_path,
    progress_path,
)
from thuocdo.assessments.models import ImportJob, Response
from thuocdo.core.leases import Lease

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(tmp_path: Path, rows: list[list[str]], header: list[str]) -> SimpleUploadedFile:
    path = write_csv(tmp_path / "tai-len.csv", header, rows)
    return SimpleUploadedFile("tải lên.csv", path.read_bytes(), content_type="text/csv")


def test_upload_runs_the_job_and_shows_the_result(
    tmp_path: Path, make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    header = header_for(fw)
    rows = rows_for(fw, 12, communes=communes_in())
    client = _client(make_user("province", unit="01"))
    url = reverse("assessments:importing:form", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Nhập hàng loạt" in page.content.decode() or "Bulk import" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            url, {"file": _upload(tmp_path, rows, header), "mode": "all-or-nothing"}
        )
    assert posted.status_code == 302
    job = ImportJob.objects.get(campaign=campaign)
    assert posted["Location"] == reverse("assessments:importing:job", args=[job.pk])
    assert (job.status, job.imported, job.duplicates, job.error_count) == ("done", 12, 0, 0)
    assert Response.objects.filter(campaign=campaign).count() == 12
    assert not Path(job.stored_path).exists()
    detail = client.get(posted["Location"]).content.decode()
    assert 'value="100"' in detail and "hx-trigger" not in detail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": _upload(tmp_path, rows, header), "mode": "all-or-nothing"})
    again = ImportJob.objects.filter(campaign=campaign).order_by("-id").first()
    assert again is not None and (again.imported, again.duplicates) == (0, 12)


def test_refused_import_lists_errors_and_offers_the_report(
    tmp_path: Path, make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    header = header_for(fw)
    rows = rows_for(fw, 3, communes=communes_in())
    rows[1][header.index("KH2")] = '=HYPERLINK("http://example.invalid")'
    client = _client(make_user("province", unit="01"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessments:importing:form", args=[campaign.pk]),
            {"file": _upload(tmp_path, rows, header), "mode": "all-or-nothing"},
        )
    job = ImportJob.objects.get(campaign=campaign)
    assert (job.status, job.imported, job.error_count) == ("refused", 0, 1)
    assert Response.objects.filter(campaign=campaign).count() == 0
    page = client.get(reverse("assessments:importing:job", args=[job.pk])).content.decode()
    assert "KH2" in page and "errors.xlsx" in page
    report = client.get(reverse("assessments:importing:report", args=[job.pk, "csv"]))
    assert report.status_code == 200
    cells = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert cells[1][0] == "3" and cells[1][1] == "KH2"
    assert cells[1][2].startswith("'=HYPERLINK")
    assert "Tiêu chí 'KH2'" in cells[1][3]
    xlsx = client.get(reverse("assessments:importing:report", args=[job.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_progress_is_polled_while_the_job_runs(
    make_user: Callable[..., Any], settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    campaign = make_campaign()
    job = ImportJob.objects.create(
        campaign=campaign, filename="lon.csv", stored_path=str(tmp_path / "x"), status="running"
    )
    progress_path(job).write_text(
        json.dumps({"phase": "writing", "processed": 500, "total": 1000}), encoding="utf-8"
    )
    client = _client(make_user("province", unit="01"))
    url = reverse("assessments:importing:job", args=[job.pk])
    with Lease(lease_path(job.pk)):  # the job's worker is alive
        partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert 'hx-trigger="every 1s"' in partial
        assert "500/1000" in partial and 'value="75"' in partial
        assert "<html" not in partial and "import-stalled" not in partial
        assert "<html" in client.get(url).content.decode()
    # its worker is gone: the page says so and keeps polling
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "import-stalled" in partial and 'hx-trigger="every 1s"' in partial


def test_a_job_whose_worker_died_runs_again_then_fails_after_three_runs(
    tmp_path: Path, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    campaign = make_campaign()
    fw = campaign.framework.engine()
    stored = write_csv(
        tmp_path / "lan-dau.csv", header_for(fw), rows_for(fw, 5, communes=communes_in())
    )
    job = ImportJob.objects.create(
        campaign=campaign, filename="lần đầu.csv", stored_path=str(stored), status="running",
        attempts=1, worker="may-khac:4242",
    )  # fmt: skip
    upload = write_csv(
        tmp_path / "dang-chay.csv", header_for(fw), rows_for(fw, 2, communes=communes_in())
    )
    alive = ImportJob.objects.create(
        campaign=campaign, filename="đang chạy.csv", stored_path=str(upload), status="running",
        attempts=1,
    )  # fmt: skip
    with Lease(lease_path(alive.pk)):
        assert import_jobs_recover() == [job.pk]  # the queue runs it at once here
    job.refresh_from_db()
    assert (job.status, job.imported, job.attempts) == ("done", 5, 2)
    assert job.interrupted_at is not None
    assert ImportJob.objects.get(pk=alive.pk).status == "running"
    assert (
        AuditEvent.objects.filter(action="import_job.requeue", object_id=str(job.pk)).count() == 1
    )
    client = _client(make_user("province", unit="01"))
    page = client.get(reverse("assessments:importing:job", args=[job.pk])).content.decode()
    assert "import-interrupted" in page and 'value="100"' in page

    ImportJob.objects.filter(pk=alive.pk).update(attempts=3)
    assert import_jobs_recover() == [alive.pk]
    alive.refresh_from_db()
    assert (alive.status, alive.attempts) == ("failed", 3)
    assert AuditEvent.objects.filter(action="import_job.give_up", object_id=str(alive.pk)).exists()
    assert not lease_path(alive.pk).exists()
    assert not upload.exists()  # the uploaded answers do not outlive the job
    page = client.get(reverse("assessments:importing:job", args=[alive.pk])).content.decode()
    assert "import-gave-up" in page


def test_pages_are_scoped_to_the_campaign_area(
    tmp_path: Path, make_user: Callable[..., Any]
) -> None:
    campaign = make_campaign(area="01")
    job = ImportJob.objects.create(campaign=campaign, filename="a.csv", stored_path="")
    urls = [
        reverse("assessments:importing:form", args=[campaign.pk]),
        reverse("assessments:importing:template", args=[campaign.pk, "xlsx"]),
        reverse("assessments:importing:xlsform", args=[campaign.pk]),
        reverse("assessments:importing:job", args=[job.pk]),
        reverse("assessments:importing:report", args=[job.pk, "csv"]),
    ]
    inside = _client(make_user("province", unit="01"))
    for url in urls:
        assert inside.get(url).status_code == 200, url
    for user in (make_user("province", unit="79"), make_user("respondent")):
        client = _client(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
    anonymous = Client()
    assert all(anonymous.get(url).status_code in (302, 403) for url in urls)
    assert Client().post(urls[0]).status_code in (302, 403)
    assert ImportJob.objects.count() == 1


def test_a_second_message_for_a_finished_job_leaves_no_lease_file(
    tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    campaign = make_campaign()
    job = ImportJob.objects.create(
        campaign=campaign, filename="xong.csv", stored_path="", status="done", attempts=1
    )
    assert import_job_run(job_id=job.pk) is not None
    assert import_job_run(job_id=job.pk + 1000) is None  # no such job
    assert not lease_path(job.pk).exists() and not lease_path(job.pk + 1000).exists()


def test_the_officer_chooses_what_an_edited_submission_does(
    tmp_path: Path, make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    import copy

    from tests.assessments.importing.field_exports import kobo_export, submissions

    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), 4, seed=17)
    client = _client(make_user("province", unit="01"))
    url = reverse("assessments:importing:form", args=[campaign.pk])
    form = client.get(url).content.decode()
    assert 'name="on_edit"' in form and 'value="conflict"' in form

    def post(path: Path, on_edit: str) -> ImportJob:
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"file": upload, "mode": "all-or-nothing", "on_edit": on_edit})
        job = ImportJob.objects.filter(campaign=campaign).order_by("-id").first()
        assert job is not None and job.on_edit == on_edit
        return job

    assert post(kobo_export(fw, subs, tmp_path / "a.csv"), "update").imported == 4
    edited = copy.deepcopy(subs)
    c = next(c for c in fw.criteria() if c.question.type == "single")
    edited[1][c.code] = next(o.code for o in c.question.options if o.code != subs[1][c.code])
    path = kobo_export(fw, edited, tmp_path / "b.csv")
    job = post(path, "conflict")
    assert (job.status, job.updated, job.error_count) == ("refused", 0, 1)
    assert job.errors[0]["code"] == "submission.conflict"
    stored = Response.objects.get(campaign=campaign, submission_id=subs[1]["_uuid"])
    assert stored.answers[c.code] == subs[1][c.code]
    job = post(path, "update")
    assert (job.status, job.updated, job.duplicates) == ("done", 1, 3)
    stored.refresh_from_db()
    assert stored.answers[c.code] == edited[1][c.code]
