"""Task status workflow and evidence rules (pure Python, no Django).

Statuses: ``not_started`` → ``in_progress`` → ``done``; any open task may become ``overdue``
(detected on a date) or ``cancelled``; an overdue task goes back to work or is finished; a done
task can be reopened and a cancelled one restarted. A task cannot jump from ``not_started``
straight to ``done``: it must be started first (campaign-driven completion walks the same path,
recording each step).
"""

from __future__ import annotations

from collections import deque
from typing import Final

__all__ = [
    "ALLOWED_EVIDENCE_TYPES",
    "STATUSES",
    "TRANSITIONS",
    "can_transition",
    "evidence_type_ok",
    "path_to",
]

STATUSES: Final = ("not_started", "in_progress", "done", "overdue", "cancelled")

TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "not_started": frozenset({"in_progress", "overdue", "cancelled"}),
    "in_progress": frozenset({"done", "overdue", "cancelled"}),
    "overdue": frozenset({"in_progress", "done", "cancelled"}),
    "done": frozenset({"in_progress"}),
    "cancelled": frozenset({"not_started"}),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def path_to(current: str, target: str) -> list[str]:
    """The shortest chain of allowed statuses from ``current`` to ``target`` (excluding
    ``current``); empty when ``current == target``; ``ValueError`` when unreachable."""
    if current == target:
        return []
    seen = {current}
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    while queue:
        status, chain = queue.popleft()
        for nxt in sorted(TRANSITIONS.get(status, frozenset())):
            if nxt in seen:
                continue
            if nxt == target:
                return [*chain, nxt]
            seen.add(nxt)
            queue.append((nxt, [*chain, nxt]))
    raise ValueError(f"{current} → {target}")


#: Evidence file types: extension → the bytes the file must start with (None: plain text).
ALLOWED_EVIDENCE_TYPES: Final[dict[str, tuple[bytes, ...] | None]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "csv": None,
    "txt": None,
}


def evidence_type_ok(name: str, head: bytes) -> bool:
    """Whether a file called ``name`` whose first bytes are ``head`` is an allowed type."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EVIDENCE_TYPES:
        return False
    signatures = ALLOWED_EVIDENCE_TYPES[ext]
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            return exc.start >= len(head) - 3 and b"\x00" not in head
        return b"\x00" not in head
    return any(head.startswith(sig) for sig in signatures)
