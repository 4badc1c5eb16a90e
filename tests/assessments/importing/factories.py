"""Campaigns, organisations and import files for the import tests (ORM only)."""

from __future__ import annotations

import csv
import io
import random
import secrets
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stdnum.vn import mst

from thuocdo.assessments.importing.columns import CONTRACT
from thuocdo.assessments.models import Campaign
from thuocdo.frameworks.engine import Criterion, Framework
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit


def framework_version(key: str = "sme-dx@2025.1") -> FrameworkVersion:
    code, version = key.split("@")
    return FrameworkVersion.objects.get(code=code, version=version)


def make_campaign(
    *,
    framework: str = "sme-dx@2025.1",
    area: str = "01",
    entity_types: Sequence[str] = (),
    name: str = "Đánh giá chuyển đổi số 2025",
) -> Campaign:
    unit = Unit.objects.get(structure="2025", code=area)
    return Campaign.objects.create(
        name=name,
        framework=framework_version(framework),
        area=unit,
        unit_path=unit.path,
        year=2025,
        entity_types=list(entity_types),
        status="open",
        public_token=secrets.token_hex(16),
    )


def communes_in(area: str = "01", k: int = 5) -> list[str]:
    unit = Unit.objects.get(structure="2025", code=area)
    qs = Unit.objects.filter(structure="2025", level="commune", path__startswith=unit.path)
    return list(qs.order_by("code").values_list("code", flat=True)[:k])


def tax_code(n: int) -> str:
    """A valid 10-digit tax code made from ``n``."""
    k = n
    while True:
        base = f"{(k * 7919 + 100_000_000) % 1_000_000_000:09d}"
        if base[:2] == "00":
            base = "01" + base[2:]
        check = mst.calc_check_digit(base)
        if len(check) == 1:
            return base + check
        k += 1_000_003  # another number, still distinct from every other n


def answer_cell(c: Criterion, rng: random.Random) -> str:
    """A valid cell for criterion ``c``."""
    q = c.question
    if q.type == "single":
        return rng.choice(q.options).code
    if q.type == "multi":
        plain = [o.code for o in q.options if not o.exclusive]
        k = rng.randint(1, len(plain))
        return ";".join(rng.sample(plain, k))
    if q.type == "boolean":
        return rng.choice(["1", "0", "có", "không", "yes", "no", "true", "false"])
    lo = q.min if q.min is not None else 0.0
    hi = q.max if q.max is not None else lo + 100.0
    return str(rng.randint(int(lo), int(hi)))


def rows_for(
    fw: Framework,
    n: int,
    *,
    communes: Sequence[str],
    seed: int = 1,
    start: int = 0,
    entity_type: str = "enterprise",
) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        org = [
            tax_code(i + 1),
            f"Công ty TNHH Số {i + 1}",
            entity_type,
            communes[i % len(communes)],
            "4711",
            "small",
        ]
        out.append(org + [answer_cell(c, rng) for c in fw.criteria()])
    return out


def header_for(fw: Framework) -> list[str]:
    return [*CONTRACT, *(c.code for c in fw.criteria())]


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    data = to_windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes(data)
    return path


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_windows_1258(text: str) -> bytes:
    """Windows-1258 bytes: vowels with ă â ê ô ơ ư precomposed, tones as combining marks."""
    out: list[str] = []
    base = ""
    tones = ""
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if ch in TONES:
                tones += ch
            else:
                base += ch
            continue
        out.append(unicodedata.normalize("NFC", base) + tones)
        base, tones = ch, ""
    out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258")


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
