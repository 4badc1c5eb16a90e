"""The status workflow and evidence type rules (pure)."""

from __future__ import annotations

import pytest

from thuocdo.plans.domain.workflow import (
    STATUSES,
    TRANSITIONS,
    can_transition,
    evidence_type_ok,
    path_to,
)


def test_every_status_has_transitions_to_known_statuses() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    for targets in TRANSITIONS.values():
        assert targets <= set(STATUSES)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("not_started", "in_progress", True),
        ("not_started", "done", False),
        ("in_progress", "done", True),
        ("overdue", "done", True),
        ("done", "in_progress", True),
        ("done", "cancelled", False),
        ("cancelled", "done", False),
        ("cancelled", "not_started", True),
    ],
)
def test_can_transition(current: str, target: str, allowed: bool) -> None:
    assert can_transition(current, target) is allowed


def test_path_to_walks_the_allowed_steps() -> None:
    assert path_to("not_started", "done") == ["in_progress", "done"]
    assert path_to("cancelled", "done") == ["not_started", "in_progress", "done"]
    assert path_to("in_progress", "overdue") == ["overdue"]
    assert path_to("done", "done") == []
    for current in STATUSES:
        for target in STATUSES:
            steps = path_to(current, target)
            previous = current
            for step in steps:
                assert can_transition(previous, step)
                previous = step


@pytest.mark.parametrize(
    ("name", "head", "ok"),
    [
        ("bao-cao.pdf", b"%PDF-1.7", True),
        ("BAO-CAO.PDF", b"%PDF-1.7", True),
        ("bao-cao.pdf", b"MZ\x90\x00", False),
        ("anh.jpg", b"\xff\xd8\xff\xe0", True),
        ("anh.png", b"\x89PNG\r\n\x1a\n", True),
        ("bang.xlsx", b"PK\x03\x04", True),
        ("bang.xlsx", b"%PDF-", False),
        ("ghi-chu.txt", "Ghi chú tiếng Việt".encode(), True),
        ("ghi-chu.txt", "Việt".encode()[:-1], True),  # a character cut at the end of the sample
        ("nhi-phan.txt", b"\x00\x01\x02", False),
        ("chay.exe", b"MZ", False),
        ("khong-duoi", b"%PDF-", False),
    ],
)
def test_evidence_types(name: str, head: bytes, ok: bool) -> None:
    assert evidence_type_ok(name, head) is ok
