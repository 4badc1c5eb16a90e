"""`thuocdo import --from-kobo / --from-central`: pulls from a stand-in field server that
replays recorded KoboToolbox and ODK Central answers (see ``standin.py``)."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from tests.assessments.importing.factories import make_campaign
from tests.assessments.importing.standin import (
    CENTRAL_EMAIL,
    CENTRAL_PASSWORD,
    KOBO_TOKEN,
    FieldServer,
    field_server,
    fixture,
)

from thuocdo.accounts.models import AuditEvent
from thuocdo.assessments.models import PullCursor, Response, ResponseRevision
from thuocdo.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOBO_TOKEN", KOBO_TOKEN)
    monkeypatch.setenv("CENTRAL_EMAIL", CENTRAL_EMAIL)
    monkeypatch.setenv("CENTRAL_PASSWORD", CENTRAL_PASSWORD)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["import", *args])
    captured = capsys.readouterr()
    out = json.loads(captured.out) if captured.out.strip() else {}
    return code, out, captured.err


def _kobo(campaign_id: int, server: FieldServer, *extra: str) -> list[str]:
    return [str(campaign_id), "--from-kobo", server.url + "/", "--asset", server.asset,
            "--token-env", "KOBO_TOKEN", "--page-size", "100", *extra]  # fmt: skip


def _central(campaign_id: int, server: FieldServer, *extra: str) -> list[str]:
    return [str(campaign_id), "--from-central", server.url, "--project", server.project,
            "--form", server.form, "--email-env", "CENTRAL_EMAIL",
            "--password-env", "CENTRAL_PASSWORD", "--page-size", "2", *extra]  # fmt: skip


def _ids(campaign: Any) -> set[str | None]:
    return set(Response.objects.filter(campaign=campaign).values_list("submission_id", flat=True))


def _edited(records: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(r for r in records if key in json.dumps(r))


def test_kobo_first_pull_imports_all_then_only_new_and_edited(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    first = fixture("kobo_data_first.json")["results"]
    with field_server() as server:
        server.load("first")
        code, out, err = _run(capsys, *_kobo(campaign.pk, server))
        assert code == 0, (out, err)
        assert (out["fetched"], out["imported"], out["updated"], out["since"]) == (5, 5, 0, None)
        assert out["source"] == f"kobo:{server.url}/{server.asset}"
        assert out["error_count"] == 0
        # the server pages by two: three pages, each with the token; no filter the first time
        pages = [r for r in server.requests if r.path.endswith("/data/")]
        assert len(pages) == 3
        assert {r.authorization for r in pages} == {f"Token {KOBO_TOKEN}"}
        assert all("query" not in r.query and r.query["format"] == "json" for r in pages)
        assert _ids(campaign) == {r["meta/instanceID"][5:] for r in first}
        cursor = PullCursor.objects.get(campaign=campaign, kind="kobo")
        assert cursor.cursor == max(r["_submission_time"] for r in first)

        # later: two new submissions and one edited in Kobo (new instanceID, deprecatedID)
        server.load("later")
        server.requests.clear()
        code, out, err = _run(capsys, *_kobo(campaign.pk, server))
        assert code == 0, (out, err)
        assert out["since"] == cursor.cursor
        assert (out["fetched"], out["imported"], out["updated"], out["duplicates"]) == (3, 2, 1, 0)
        query = json.loads(server.requests[0].query["query"])
        assert query["$or"][0] == {"_submission_time": {"$gt": cursor.cursor}}

    later = fixture("kobo_data_later.json")["results"]
    edited = next(r for r in later if "meta/deprecatedID" in r)
    responses = Response.objects.filter(campaign=campaign)
    # one response per distinct submission: the edit replaced its response's id
    assert responses.count() == len(later) == len(_ids(campaign))
    assert _ids(campaign) == {r["meta/instanceID"][5:] for r in later}
    response = responses.get(submission_id=edited["meta/instanceID"][5:])
    for key, value in edited.items():
        code_ = key.rsplit("/", 1)[-1]
        if code_ in response.answers and isinstance(response.answers[code_], str):
            assert response.answers[code_] == value
    revision = ResponseRevision.objects.get(response=response)
    assert revision.submission_id == edited["meta/deprecatedID"][5:]
    assert PullCursor.objects.get(campaign=campaign).cursor == max(
        r["_submission_time"] for r in later
    )
    audit = AuditEvent.objects.filter(action="responses.import").order_by("id").last()
    assert audit is not None and audit.after["fetched"] == 3
    assert KOBO_TOKEN not in json.dumps(audit.after)


def test_kobo_pull_again_adds_nothing(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    campaign = make_campaign()
    with field_server() as server:
        server.load("later")
        code, out, _ = _run(capsys, *_kobo(campaign.pk, server))
        assert (code, out["imported"]) == (0, 7)
        # only the edited submission matches the filter again, and it is unchanged
        code, out, _ = _run(capsys, *_kobo(campaign.pk, server))
        assert (code, out["fetched"], out["imported"], out["updated"], out["duplicates"]) == (
            0, 1, 0, 0, 1,
        )  # fmt: skip
        code, out, _ = _run(capsys, *_kobo(campaign.pk, server, "--full"))
        assert (out["since"], out["fetched"], out["duplicates"]) == (None, 7, 7)
    assert Response.objects.filter(campaign=campaign).count() == 7


def test_central_pulls_with_a_session_and_the_since_filter(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    with field_server() as server:
        server.load("first")
        code, out, err = _run(capsys, *_central(campaign.pk, server))
        assert code == 0, (out, err)
        assert (out["fetched"], out["imported"], out["since"]) == (5, 5, None)
        session, *pages = server.requests
        assert (session.method, session.path) == ("POST", "/v1/sessions")
        token = fixture("central_session.json")["token"]
        assert {p.authorization for p in pages} == {f"Bearer {token}"}
        *pages, close = pages
        assert [p.query["$skip"] for p in pages] == ["0", "2", "4"]
        assert (close.method, server.closed_sessions) == ("DELETE", [token])
        assert _ids(campaign) == {
            r["__id"][5:] for r in fixture("central_submissions_first.json")["value"]
        }
        since = PullCursor.objects.get(campaign=campaign, kind="central").cursor

        server.load("later")
        server.requests.clear()
        code, out, err = _run(capsys, *_central(campaign.pk, server))
        assert code == 0, (out, err)
        assert out["since"] == since
        assert (out["fetched"], out["imported"], out["updated"], out["duplicates"]) == (3, 2, 1, 0)
        assert server.requests[1].query["$filter"] == (
            f"__system/submissionDate gt {since} or __system/updatedAt gt {since}"
        )
    later = fixture("central_submissions_later.json")["value"]
    edited = next(r for r in later if r["__system"]["updatedAt"])
    response = Response.objects.get(campaign=campaign, submission_id=edited["__id"][5:])
    for group in edited.values():
        if isinstance(group, dict):
            for code_, value in group.items():
                if isinstance(response.answers.get(code_), str):
                    assert response.answers[code_] == value
    assert Response.objects.filter(campaign=campaign).count() == len(later)
    assert PullCursor.objects.get(campaign=campaign).cursor == edited["__system"]["updatedAt"]


def test_central_edit_in_conflict_mode_writes_nothing_and_keeps_the_cursor(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    with field_server() as server:
        server.load("first")
        _run(capsys, *_central(campaign.pk, server))
        cursor = PullCursor.objects.get(campaign=campaign).cursor
        server.load("later")
        code, out, _ = _run(capsys, *_central(campaign.pk, server, "--on-edit", "conflict"))
        assert code == 1
        assert out["error_count"] == 1 and out["errors"][0]["column"] == "__id"
        edited = next(r for r in server.central_records if r["__system"]["updatedAt"])
        assert out["errors"][0]["submission"] == edited["__id"][5:]
        assert out["imported"] == 0
        assert Response.objects.filter(campaign=campaign).count() == 5
        assert PullCursor.objects.get(campaign=campaign).cursor == cursor
        # the next pull asks for the same submissions again
        code, out, _ = _run(capsys, *_central(campaign.pk, server))
        assert (code, out["since"], out["imported"], out["updated"]) == (0, cursor, 2, 1)


def _nothing_written(campaign: Any) -> None:
    assert not Response.objects.filter(campaign=campaign).exists()
    assert not PullCursor.objects.filter(campaign=campaign).exists()
    assert not AuditEvent.objects.filter(action="responses.import").exists()


def test_a_refused_token_is_a_clear_error_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    monkeypatch.setenv("KOBO_TOKEN", "not-the-token")
    monkeypatch.setenv("CENTRAL_EMAIL", CENTRAL_EMAIL)
    monkeypatch.setenv("CENTRAL_PASSWORD", "wrong password")
    with field_server() as server:
        server.load("first")
        code, out, err = _run(capsys, *_kobo(campaign.pk, server))
        assert (code, out) == (2, {})
        assert "HTTP 401" in err and "từ chối" in err and "refused the credentials" in err
        assert "not-the-token" not in err
        code, out, err = _run(capsys, *_central(campaign.pk, server))
        assert (code, out) == (2, {})
        assert "HTTP 401" in err and "wrong password" not in err
    _nothing_written(campaign)


@pytest.mark.parametrize("kind", ["kobo", "central"])
def test_a_server_dying_mid_pagination_writes_nothing(
    kind: str, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    args = _kobo if kind == "kobo" else _central
    with field_server(FieldServer(die_on_page=2)) as server:
        server.load("first")
        code, out, err = _run(capsys, *args(campaign.pk, server))
        assert (code, out) == (2, {})
        assert "Không kết nối được máy chủ" in err and "nothing was written" in err
        assert server.pages == 2
        _nothing_written(campaign)
        # back up: the next pull starts from the beginning and imports everything once
        server.die_on_page = None
        code, out, _ = _run(capsys, *args(campaign.pk, server))
        assert (code, out["since"], out["imported"]) == (0, None, 5)


def test_missing_environment_unreachable_server_and_unknown_form(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    monkeypatch.delenv("KOBO_TOKEN")
    code, _, err = _run(capsys, str(campaign.pk), "--from-kobo", "https://kf.example.vn",
                        "--asset", "aX", "--token-env", "KOBO_TOKEN")  # fmt: skip
    assert code == 2 and "KOBO_TOKEN" in err and "not set" in err
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = _run(capsys, str(campaign.pk), "--from-central", f"http://127.0.0.1:{port}",
                        "--project", "7", "--form", "f", "--email-env", "CENTRAL_EMAIL",
                        "--password-env", "CENTRAL_PASSWORD")  # fmt: skip
    assert code == 2 and f"127.0.0.1:{port}" in err and "Cannot reach the server" in err
    monkeypatch.setenv("KOBO_TOKEN", KOBO_TOKEN)
    with field_server() as server:
        code, _, err = _run(capsys, str(campaign.pk), "--from-kobo", server.url,
                            "--asset", "nope", "--token-env", "KOBO_TOKEN")  # fmt: skip
        assert code == 2 and "HTTP 404" in err
    code, _, err = _run(capsys, str(campaign.pk), "some.csv", "--from-kobo", "https://x.vn")
    assert code == 2 and "exactly one source" in err
    _nothing_written(campaign)


def test_an_invalid_submission_refuses_the_pull_and_names_it(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    with field_server() as server:
        server.load("first")
        bad = server.kobo_records[3]
        bad["commune_code"] = "99999"
        code, out, _ = _run(capsys, *_kobo(campaign.pk, server, "--lang", "en"))
        assert (code, out["fetched"], out["imported"], out["error_count"]) == (1, 5, 0, 1)
        error = out["errors"][0]
        assert (error["column"], error["value"]) == ("commune_code", "99999")
        assert error["submission"] == bad["meta/instanceID"][5:]
        _nothing_written(campaign)
        # valid rows: the others are written and the cursor moves past them all
        code, out, _ = _run(capsys, *_kobo(campaign.pk, server, "--mode", "valid-rows"))
        assert (code, out["imported"], out["error_count"]) == (0, 4, 1)
        assert PullCursor.objects.filter(campaign=campaign).exists()


def test_a_redirect_to_another_host_is_not_followed_with_the_token(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    with field_server() as server:
        server.load("first")
        port = server.url.rsplit(":", 1)[1]
        server.redirect_to = f"http://localhost:{port}"  # the same stand-in, by another name
        code, out, err = _run(capsys, *_kobo(campaign.pk, server))
        assert (code, out) == (2, {})
        assert f"localhost:{port}" in err and "nothing was written" in err
        assert not any(r.authorization for r in server.requests[1:])
        assert len(server.requests) == 1
    _nothing_written(campaign)
