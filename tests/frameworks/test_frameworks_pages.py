"""Pages for ministry analysts: browse, read as a document, upload with problems shown,
publish, retire, copy, diff; English through the language switch."""

from __future__ import annotations

import re
import tracemalloc
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.frameworks.sets import set_text

from thuocdo.core.text import vi_sort_key
from thuocdo.frameworks.builtins import builtin_files
from thuocdo.frameworks.engine import load_framework_file
from thuocdo.frameworks.models import FrameworkVersion, Status

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, status: int = 200, **kw: Any) -> str:
    res = client.get(url, **kw)
    assert res.status_code == status, url
    return res.content.decode()


def upload_file(client: Client, text: str | bytes, name: str = "bo.yaml") -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/frameworks/upload/", {"file": SimpleUploadedFile(name, data, "application/x-yaml")}
    )


@pytest.fixture
def analyst(client: Client, make_user: Any) -> Client:
    client.force_login(make_user("ministry", sectors=["retail"]))
    return client


def test_all_builtins_listed_in_vietnamese_order(client: Client) -> None:
    html = page(client, "/frameworks/")
    names = []
    for path in builtin_files():
        fw = load_framework_file(path)
        assert fw.name.vi in html
        assert f"{fw.code}@{fw.version}" in html
        names.append(fw.name.vi)
    shown = [n for n in re.findall(r'class="fw-name"[^>]*>([^<]+)<', html) if n in names]
    assert shown == sorted(names, key=vi_sort_key)
    assert len(shown) == 13


def test_filters(client: Client) -> None:
    html = page(client, "/frameworks/?sector=retail")
    assert "shop-dx@2025.1" in html and "sme-dx@2025.1" not in html
    html = page(client, "/frameworks/?entity_type=farm")
    assert "farm-dx@2025.1" in html and "cooperative-dx@2025.1" not in html
    html = page(client, "/frameworks/?status=retired")
    assert "sme-dx@2025.1" not in html
    # unknown filter values are ignored, not errors
    assert "sme-dx@2025.1" in page(client, "/frameworks/?sector=<script>&status=zzz")


def test_home_links_to_criteria_sets(client: Client) -> None:
    assert 'href="/frameworks/"' in page(client, "/")


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_each_builtin_reads_as_a_document(client: Client, path: Any) -> None:
    fw = load_framework_file(path)
    html = page(client, f"/frameworks/{fw.code}/{fw.version}/")
    for pillar in fw.pillars:
        assert pillar.name.vi in html
        for c in pillar.criteria:
            assert f'id="c-{c.code}"' in html
            assert c.question.text.vi in html
            for o in c.question.options:
                assert o.text.vi in html
    for lv in fw.levels:
        assert lv.name.vi in html


def test_document_shows_scores_conditions_gates_and_levels(client: Client) -> None:
    html = page(client, "/frameworks/sme-dx/2025.1/")
    # a condition in plain language, naming the criterion and the option by their texts
    assert "Chỉ hỏi khi" in html
    assert "không phải là «Không, chỉ mua trực tiếp»" in html
    # a gate and the level rules of the national enterprise index (six levels, 0–5)
    assert "phải đạt thì mới được xếp từ mức 2 (Bắt đầu) trở lên" in html
    assert "tổng điểm từ 6,25 và ít nhất 4 trụ cột đạt từ 10 điểm" in html
    assert "Dẫn dắt" in html
    # option scores
    assert re.search(r"Website của doanh nghiệp.*?25 điểm", html, re.S)
    # English through the language switch
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page(client, "/frameworks/sme-dx/2025.1/")
    assert '<html lang="en">' in html
    assert "Asked only when" in html and "is not «No, only in person»" in html
    assert "must be met for level 2 (Beginning) or above" in html
    assert "total score at least 6.25 and at least 4 pillars scoring 10 or more" in html
    assert "25 pts" in html


def test_number_and_scale_questions_are_explained(analyst: Client) -> None:
    assert upload_file(analyst, set_text()).status_code == 302
    html = page(analyst, "/frameworks/thu-nghiem/1/")
    assert "từ 1 trở lên: 50 điểm" in html and "từ 5 trở lên: 100 điểm" in html
    assert "thang 1–5: 1 ứng với 0 điểm, 5 ứng với 100 điểm" in html
    assert "Có: 100 điểm; Không: 0 điểm" in html
    assert "không chọn cùng lựa chọn khác" in html or "cannot be combined" in html


def test_upload_shows_every_problem_with_its_path(analyst: Client) -> None:
    text = set_text(basic=150).replace("weight: 2\n", "weight: -1\n", 1)
    res = upload_file(analyst, text, "sai.yaml")
    assert res.status_code == 422
    html = res.content.decode()
    assert "sai.yaml: 2 lỗi cần sửa" in html
    assert "pillars[0].weight" in html
    assert "Trọng số phải lớn hơn 0, nhận được -1." in html
    assert "pillars[0].criteria[0].question.options[1].score" in html
    assert "Điểm phải trong khoảng [0, 100], nhận được 150." in html
    weight_line = text.splitlines().index("    weight: -1") + 1
    assert f"dòng {weight_line} · pillars[0].weight" in html
    assert not FrameworkVersion.objects.filter(code="thu-nghiem").exists()
    analyst.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = upload_file(analyst, text, "sai.yaml").content.decode()
    assert "sai.yaml: 2 problems to fix" in html
    assert "The score must be within [0, 100], got 150." in html


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"a: &x [1, 2]\nb: *x\n", "Không cho phép neo/tham chiếu YAML"),
        (b"x: " + b"[" * 300 + b"]" * 300, "Cấu trúc lồng nhau quá sâu"),
        (b"code: \xe0\xe0\n", "Tệp không phải UTF-8"),
        (set_text().replace('version: "1"', "version: 1.5").encode(), "Phiên bản phải là chuỗi"),
        (b"- just\n- a list\n", "Nội dung gốc phải là một ánh xạ"),
    ],
)
def test_upload_refuses_bad_files(analyst: Client, content: bytes, needle: str) -> None:
    res = upload_file(analyst, content)
    assert res.status_code == 422
    assert needle in res.content.decode()


def test_upload_over_5_mb_is_refused_within_bounded_memory(analyst: Client) -> None:
    big = b"# " + b"x" * (6 * 1024 * 1024) + b"\n"
    f = SimpleUploadedFile("lon.yaml", big, "application/x-yaml")
    tracemalloc.start()
    res = analyst.post("/frameworks/upload/", {"file": f})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.status_code == 422 and "Tệp quá lớn" in res.content.decode()
    assert peak < 3 * len(big)  # the test client's own copy of the body included


def test_upload_without_file(analyst: Client) -> None:
    res = analyst.post("/frameworks/upload/", {})
    assert res.status_code == 400 and "Hãy chọn tệp" in res.content.decode()


def test_upload_publish_copy_diff_retire(analyst: Client) -> None:
    res = upload_file(analyst, set_text())
    assert res.status_code == 302 and res["Location"] == "/frameworks/thu-nghiem/1/"
    html = page(analyst, "/frameworks/thu-nghiem/1/")
    assert "Bản nháp" in html and "Công bố" in html
    res = analyst.post("/frameworks/thu-nghiem/1/publish/")
    assert res.status_code == 302
    assert FrameworkVersion.objects.get(code="thu-nghiem").status == Status.PUBLISHED
    # the published version can no longer be replaced by an upload
    res = upload_file(analyst, set_text(basic=60))
    assert res.status_code == 422 and "thu-nghiem@1" in res.content.decode()
    res = analyst.post("/frameworks/thu-nghiem/1/copy/", {"new_version": "2"})
    assert res["Location"] == "/frameworks/thu-nghiem/2/"
    res = upload_file(analyst, set_text(version="2", basic=70, web_weight=3))
    assert res.status_code == 302
    html = page(analyst, "/frameworks/thu-nghiem/2/diff/")
    assert "Thay đổi từ thu-nghiem@1 đến thu-nghiem@2." in html
    assert "Điểm số có thể thay đổi" in html
    assert re.search(r"Trọng số</td><td[^>]*>2</td><td[^>]*>3</td>", html)
    assert re.search(
        r"basic</span> Trang giới thiệu.*?Điểm</td><td[^>]*>50</td><td[^>]*>70</td>", html, re.S
    )
    res = analyst.post("/frameworks/thu-nghiem/2/copy/", {"new_version": "bad version"})
    assert res["Location"] == "/frameworks/thu-nghiem/2/"
    assert "Phiên bản gồm 1 đến 32" in page(analyst, "/frameworks/thu-nghiem/2/")
    assert analyst.post("/frameworks/thu-nghiem/1/retire/").status_code == 302
    assert FrameworkVersion.objects.get(code="thu-nghiem", version="1").status == Status.RETIRED
    # the public sees the retired version but not the draft, and no diff
    client = Client()
    assert "thu-nghiem@1" in page(client, "/frameworks/thu-nghiem/1/")
    page(client, "/frameworks/thu-nghiem/2/", 404)
    assert client.get("/frameworks/thu-nghiem/1/diff/?against=sme-dx@2025.1").status_code == 302
    yaml_res = client.get("/frameworks/thu-nghiem/1/yaml/")
    assert yaml_res.content.decode() == set_text()


def test_diff_of_texts_only(analyst: Client) -> None:
    upload_file(analyst, set_text())
    upload_file(analyst, set_text(version="2", name="Bộ thử nghiệm mới"))
    html = page(analyst, "/frameworks/thu-nghiem/2/diff/")
    assert "Chỉ thay đổi nội dung chữ; điểm số giữ nguyên" in html
    assert "Bộ thử nghiệm mới" in html


def test_scope_on_pages(client: Client, make_user: Any) -> None:
    upload_file(client, set_text())  # anonymous: redirected to log in, nothing stored
    assert not FrameworkVersion.objects.filter(code="thu-nghiem").exists()
    assert client.get("/frameworks/upload/").status_code == 302
    client.force_login(make_user("province", unit="48"))
    assert client.get("/frameworks/upload/").status_code == 403
    assert "Tải lên phiên bản mới" not in page(client, "/frameworks/")
    client.force_login(make_user("ministry", sectors=["tourism"]))
    res = upload_file(client, set_text())  # a retail set, out of the tourism officer's sectors
    assert res.status_code == 403
    client.force_login(make_user("admin"))
    upload_file(client, set_text())
    client.force_login(make_user("ministry", sectors=["tourism"]))
    # out of sector: the draft is hidden and cannot be published
    assert client.post("/frameworks/thu-nghiem/1/publish/").status_code == 404
    assert FrameworkVersion.objects.get(code="thu-nghiem").status == Status.DRAFT
    html = page(client, "/frameworks/sme-dx/2025.1/")
    assert "/frameworks/sme-dx/2025.1/retire/" in html  # general sets are every ministry's
    html = page(client, "/frameworks/shop-dx/2025.1/")
    assert "/frameworks/shop-dx/2025.1/retire/" not in html
    assert client.post("/frameworks/shop-dx/2025.1/retire/").status_code == 403


def test_every_page_and_api_operation_declares_its_policy() -> None:
    from thuocdo.core.access import policy_of
    from thuocdo.frameworks import api, urls

    for pattern in urls.urlpatterns:
        assert policy_of(pattern.callback) in {"public", "officer", "ministry"}, pattern.name
    operations = [op for view in api.router.path_operations.values() for op in view.operations]
    assert len(operations) == 8
    for op in operations:
        assert policy_of(op.view_func) in {"public", "officer", "ministry"}, op.view_func.__name__


def test_dbi_1970_document_states_strict_thresholds_and_points(client: Client) -> None:
    html = page(client, "/frameworks/dbi-1970/2021.1/")
    assert "tổng điểm trên 6,25 (20 / 320 điểm) và ít nhất 4 trụ cột trên 10 điểm" in html
    assert "tổng điểm trên 80 (256 / 320 điểm) và ít nhất 6 trụ cột trên 80 điểm" in html
    assert 'id="fw-points">320<' in html and "chưa trả lời tính 0 điểm" in html
    # a set without the new keys reads as before
    shop = page(client, "/frameworks/shop-dx/2025.1/")
    assert "tổng điểm từ" in shop and "tổng điểm trên" not in shop and "fw-points" not in shop
