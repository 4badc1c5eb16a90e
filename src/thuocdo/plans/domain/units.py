"""Provincial departments and their 2025 mergers. Pure Python.

From 1 March 2025 provincial departments were merged with the ministries above them
(Conclusion 121-KL/TW; Decree 45/2025/NĐ-CP): the Department of Information and
Communications into the Department of Science and Technology, Planning and Investment into
Finance, Labour, Invalids and Social Affairs into Home Affairs, Agriculture and Rural
Development with Natural Resources and Environment into Agriculture and Environment,
Transport with Construction into Construction. A task led by a merged department (a plan
written before the merger, such as Kon Tum's) is led by its successor: the successor's
officers update it and its reminders go to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from thuocdo.core.text import fold, nfc

__all__ = ["MERGERS", "Merger", "predecessors", "successor_of"]


@dataclass(frozen=True, slots=True)
class Merger:
    code: str
    names: tuple[str, ...]
    successor: str
    successor_name: str
    on: date


_ON = date(2025, 3, 1)

MERGERS: Final = (
    Merger(
        "so-tttt",
        ("Sở Thông tin và Truyền thông", "Sở TT&TT", "Sở TTTT"),
        "so-khcn",
        "Sở Khoa học và Công nghệ",
        _ON,
    ),
    Merger(
        "so-khdt", ("Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "Sở KHĐT"), "so-tc", "Sở Tài chính", _ON
    ),
    Merger(
        "so-ldtbxh",
        (
            "Sở Lao động - Thương binh và Xã hội",
            "Sở Lao động – Thương binh và Xã hội",
            "Sở LĐTBXH",
            "Sở LĐ-TB&XH",
        ),
        "so-nv",
        "Sở Nội vụ",
        _ON,
    ),
    Merger(
        "so-nnptnt",
        ("Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", "Sở NNPTNT"),
        "so-nnmt",
        "Sở Nông nghiệp và Môi trường",
        _ON,
    ),
    Merger(
        "so-tnmt",
        ("Sở Tài nguyên và Môi trường", "Sở TN&MT", "Sở TNMT"),
        "so-nnmt",
        "Sở Nông nghiệp và Môi trường",
        _ON,
    ),
    Merger("so-gtvt", ("Sở Giao thông vận tải", "Sở GTVT"), "so-xd", "Sở Xây dựng", _ON),
)


def successor_of(text: str) -> Merger | None:
    """The merger of the department ``text`` names (code, name or abbreviation), or None."""
    key = fold(nfc(text or "")).strip()
    if not key:
        return None
    for m in MERGERS:
        if key == fold(m.code) or key in {fold(n) for n in m.names}:
            return m
    return None


def predecessors(code_or_name: str) -> tuple[Merger, ...]:
    """The departments merged into the department ``code_or_name`` names."""
    key = fold(nfc(code_or_name or "")).strip()
    return tuple(m for m in MERGERS if key in (fold(m.successor), fold(m.successor_name)))
