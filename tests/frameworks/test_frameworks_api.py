"""The API at /api/v1/frameworks: read, score (same output as the CLI), upload with every
problem, publish, retire, copy, diff, and the scope rules."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.frameworks.sets import set_text

from thuocdo.cli import main
from thuocdo.frameworks.models import FrameworkVersion, Status

pytestmark = pytest.mark.django_db
BASE = "/api/v1/frameworks"
ANSWERS = {"W1": "basic", "W2": ["zalo"], "O1": True, "O3": 4}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def officer(make_user: Any, token_for: Any) -> dict[str, str]:
    return bearer(token_for(make_user("ministry", sectors=["retail"])))


def upload(client: Client, headers: dict[str, str], text: str, **query: str) -> Any:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(
        f"{BASE}?{qs}", data=text.encode(), content_type="application/yaml", **headers
    )


def test_list_and_read_builtins_anonymously(client: Client) -> None:
    res = client.get(BASE)
    assert res.status_code == 200
    rows = res.json()
    assert len({r["code"] for r in rows if r["builtin"]}) == 13
    assert all(r["status"] == "published" for r in rows)
    assert [r["label"] for r in client.get(f"{BASE}?entity_type=farm").json()] == ["farm-dx@2025.1"]
    assert {r["code"] for r in client.get(f"{BASE}?sector=tourism").json()} == {"destination-dx"}
    assert client.get(f"{BASE}?status=bogus").status_code == 422
    detail = client.get(f"{BASE}/sme-dx/2025.1").json()
    assert detail["label"] == "sme-dx@2025.1"
    assert len(detail["definition"]["pillars"]) == 6
    assert client.get(f"{BASE}/sme-dx/1999").status_code == 404


def test_score_matches_the_cli(client: Client, capsys: Any, tmp_path: Path, officer: Any) -> None:
    assert upload(client, officer, set_text(), publish="true").status_code == 201
    res = client.post(
        f"{BASE}/thu-nghiem/1/score", data=json.dumps(ANSWERS), content_type="application/json"
    )
    assert res.status_code == 200
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(ANSWERS))
    assert main(["score", "thu-nghiem@1", str(answers)]) == 0
    assert res.json() == json.loads(capsys.readouterr().out)
    assert list(res.json()) == ["overall", "level", "pillars", "pillar_levels", "criteria", "unmet"]


def test_score_422_names_each_bad_answer(client: Client) -> None:
    fw = FrameworkVersion.objects.get(code="sme-dx").engine()
    first = next(c for c in fw.criteria() if c.question.type == "single" and c.relevant is None)
    body = {first.code: "no-such-option", "ZZ9": 1}
    res = client.post(
        f"{BASE}/sme-dx/2025.1/score", data=json.dumps(body), content_type="application/json"
    )
    assert res.status_code == 422
    errors = res.json()["errors"]
    fields = [e["field"] for e in errors]
    assert fields[:2] == [f"answers.{first.code}", "answers.ZZ9"]
    assert errors[0]["type"] == "answer.unknown_option"
    assert "'no-such-option'" in errors[0]["message"]
    # and every required, relevant criterion left unanswered
    assert {e["type"] for e in errors[2:]} == {"answer.missing"}
    assert len(errors) > 10
    for bad in [b"[1]", b"{", b"\xff{}", b'{"A": 1, "A": 2}']:
        res = client.post(f"{BASE}/sme-dx/2025.1/score", data=bad, content_type="application/json")
        assert res.status_code == 422 and res.json()["errors"][0]["field"] == "body"


def test_score_422_for_numbers_too_large_for_a_float(client: Client, officer: Any) -> None:
    assert upload(client, officer, set_text(), publish="true").status_code == 201
    url = f"{BASE}/thu-nghiem/1/score"
    res = client.post(url, data=b'{"O3": 1' + b"0" * 400 + b"}", content_type="application/json")
    assert res.status_code == 422
    (error,) = [e for e in res.json()["errors"] if e["type"] != "answer.missing"]
    assert (error["field"], error["type"]) == ("answers.O3", "answer.too_large")
    res = client.post(url, data=b'{"O3": ' + b"1" * 5000 + b"}", content_type="application/json")
    assert res.status_code == 422
    (error,) = res.json()["errors"]
    assert error["field"] == "body" and "chữ số" in error["message"]


def test_upload_reports_every_problem(client: Client, officer: Any) -> None:
    text = set_text(basic=150).replace("weight: 2\n", "weight: -1\n", 1)
    res = upload(client, officer, text)
    assert res.status_code == 422
    errors = res.json()["errors"]
    assert [(e["field"], e["type"]) for e in errors] == [
        ("pillars[0].weight", "weight.not_positive"),
        ("pillars[0].criteria[0].question.options[1].score", "score.out_of_range"),
    ]
    assert errors[1]["message"] == "Điểm phải trong khoảng [0, 100], nhận được 150."
    res = client.post(
        BASE,
        data=text.encode(),
        content_type="application/yaml",
        HTTP_ACCEPT_LANGUAGE="en",
        **officer,
    )
    assert res.json()["errors"][1]["message"] == "The score must be within [0, 100], got 150."
    assert not FrameworkVersion.objects.filter(code="thu-nghiem").exists()


def test_upload_multipart_publish_retire_copy_diff(client: Client, officer: Any) -> None:
    f = SimpleUploadedFile("bo.yaml", set_text().encode(), content_type="application/x-yaml")
    res = client.post(BASE, {"file": f}, **officer)
    assert res.status_code == 201
    assert (res.json()["label"], res.json()["status"]) == ("thu-nghiem@1", "draft")
    # drafts are for officers only
    assert client.get(f"{BASE}/thu-nghiem/1").status_code == 404
    assert "thu-nghiem@1" not in {r["label"] for r in client.get(BASE).json()}
    assert client.get(f"{BASE}/thu-nghiem/1", **officer).json()["status"] == "draft"
    # editing the draft by re-upload
    res = upload(client, officer, set_text(basic=55))
    assert res.status_code == 201
    assert (
        res.json()["definition"]["pillars"][0]["criteria"][0]["question"]["options"][1]["score"]
        == 55
    )
    res = client.post(f"{BASE}/thu-nghiem/1/publish", **officer)
    assert res.status_code == 200 and res.json()["status"] == "published"
    assert client.get(f"{BASE}/thu-nghiem/1").status_code == 200
    # a published version never changes
    res = upload(client, officer, set_text(basic=60))
    assert res.status_code == 422 and "thu-nghiem@1" in res.json()["errors"][0]["message"]
    res = client.post(
        f"{BASE}/thu-nghiem/1/copy",
        data={"new_version": "2"},
        content_type="application/json",
        **officer,
    )
    assert res.status_code == 201 and res.json()["based_on"] == "thu-nghiem@1"
    upload(client, officer, set_text(version="2", basic=70, web_weight=3))
    diff = client.get(f"{BASE}/thu-nghiem/2/diff", **officer).json()
    assert (diff["old"], diff["new"]) == ("thu-nghiem@1", "thu-nghiem@2")
    assert diff["pillars"]["changed"] == {"web": {"weight": {"old": 2, "new": 3}}}
    assert diff["criteria"]["changed"][0]["options"]["changed"] == {
        "basic": {"score": {"old": 55, "new": 70}}
    }
    against = client.get(f"{BASE}/thu-nghiem/1/diff?against=thu-nghiem@2", **officer).json()
    assert against["old"] == "thu-nghiem@2"
    assert client.get(f"{BASE}/thu-nghiem/1/diff", **officer).status_code == 404
    res = client.post(f"{BASE}/thu-nghiem/1/retire", **officer)
    assert res.status_code == 200 and res.json()["status"] == "retired"
    assert client.post(f"{BASE}/thu-nghiem/1/retire", **officer).status_code == 422


def test_scope_rules(client: Client, make_user: Any, token_for: Any) -> None:
    tourism = bearer(token_for(make_user("ministry", sectors=["tourism"])))
    province = bearer(token_for(make_user("province", unit="48")))
    respondent = bearer(token_for(make_user("respondent")))
    admin = bearer(token_for(make_user("admin")))
    assert (
        client.post(BASE, data=set_text().encode(), content_type="application/yaml").status_code
        == 401
    )
    for headers in (tourism, province, respondent):
        assert upload(client, headers, set_text()).status_code == 403
    assert not FrameworkVersion.objects.filter(code="thu-nghiem").exists()
    assert upload(client, admin, set_text()).status_code == 201
    # a ministry officer out of sector can neither see the draft nor publish it
    assert client.get(f"{BASE}/thu-nghiem/1", **tourism).status_code == 404
    assert client.post(f"{BASE}/thu-nghiem/1/publish", **tourism).status_code == 404
    assert client.post(f"{BASE}/thu-nghiem/1/publish", **admin).status_code == 200
    # once published it is public, but still theirs to retire only in sector
    assert client.post(f"{BASE}/thu-nghiem/1/retire", **tourism).status_code == 403
    assert client.post(f"{BASE}/thu-nghiem/1/retire", **province).status_code == 403
    assert FrameworkVersion.objects.get(code="thu-nghiem").status == Status.PUBLISHED
    assert (
        client.get(f"{BASE}/thu-nghiem/1/diff?against=sme-dx@2025.1", **respondent).status_code
        == 403
    )
    assert client.get(f"{BASE}", HTTP_AUTHORIZATION="Bearer td_wrong").status_code == 401


def test_upload_refuses_bad_input(client: Client, officer: Any) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):  # "billion laughs": 9^9 nodes once expanded
        refs = ", ".join([f"*{chr(96 + i)}"] * 9)
        levels.append(f"{chr(97 + i)}: &{chr(97 + i)} [{refs}]")
    bomb = "\n".join(levels) + "\n"
    tracemalloc.start()
    res = upload(client, officer, bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "yaml.alias_not_allowed"
    assert peak < 5 * 1024 * 1024
    flat = "x: [" + ",".join(["1"] * 100_001) + "]\n"  # more nodes than any criteria set needs
    res = upload(client, officer, flat)
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "yaml.too_many_nodes"
    deep = "x: " + "[" * 500 + "]" * 500
    res = upload(client, officer, deep)
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "yaml.too_deep"
    res = client.post(BASE, data=b"code: \xe0\xe0\n", content_type="application/yaml", **officer)
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "file.not_utf8"
    res = upload(client, officer, set_text().replace("weight: 2\n", "weight: [2]\n", 1))
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "type.wrong"
    res = client.post(BASE, data=b"{}", content_type="application/json", **officer)
    assert res.status_code == 415
    res = client.post(BASE, {"other": "x"}, **officer)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "file"


def test_upload_over_5_mb_is_refused_without_holding_it(client: Client, officer: Any) -> None:
    big = b"# " + b"x" * (6 * 1024 * 1024) + b"\n"
    f = SimpleUploadedFile("big.yaml", big, content_type="application/x-yaml")
    tracemalloc.start()
    res = client.post(BASE, {"file": f}, **officer)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "file.too_large"
    # the test client itself builds the multipart body (≈ 6 MB); the server side adds little
    assert peak < 3 * len(big)
    tracemalloc.start()
    res = client.post(BASE, data=big, content_type="application/yaml", **officer)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.status_code == 422 and res.json()["errors"][0]["type"] == "file.too_large"
    assert peak < 2 * len(big)


def test_openapi_lists_the_frameworks_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/frameworks",
        "/api/v1/frameworks/{code}/{version}",
        "/api/v1/frameworks/{code}/{version}/score",
        "/api/v1/frameworks/{code}/{version}/publish",
        "/api/v1/frameworks/{code}/{version}/retire",
        "/api/v1/frameworks/{code}/{version}/copy",
        "/api/v1/frameworks/{code}/{version}/diff",
    } <= set(paths)
