"""Read an import file into a header and rows of text cells (no Django here).

- The size is checked with ``stat`` before a single byte is read.
- CSV: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1258 (accepted when the bytes
  decode; decoded text is NFC-normalised, since Windows-1258 writes tones as combining marks);
  Windows-1252 / ISO-8859-1, which share those bytes but mean other letters ("Thõa" would read
  "Thơa"), is recognised and refused naming the encoding;
  anything else is refused with the offset of the first bad byte. The delimiter is sniffed
  from the header row among ``,`` ``;`` and tab; a header read as a single column is reported
  as a wrong delimiter, naming the character that seems to separate the names.
- XLSX: the zip directory is checked first (member count, total uncompressed size, per-member
  compression ratio), so a zip bomb is refused before anything is decompressed; the workbook
  is then opened read-only and its first sheet read as text (formulas as their text, never
  evaluated). Python's zip reader stops at the declared size and checks the CRC, so a member
  cannot expand beyond what its directory entry declares.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thuocdo.core.text import nfc

from .messages import ImportProblem, ImportRefused

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t")
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_RATIO = 200  # uncompressed / compressed, for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_ROWS = 2_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Table:
    """The header and the data rows of a file; ``row_numbers[i]`` is the row of ``rows[i]`` as
    people see it (CSV: the header record is row 1; XLSX: the sheet's row number). Blank rows
    are left out but keep their numbers."""

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None


def refuse(code: str, **params: Any) -> ImportRefused:
    return ImportRefused([ImportProblem(0, "", "", code, params)])


def check_size(path: Path, max_bytes: int) -> int:
    """Refuse a file larger than ``max_bytes`` (read from the directory entry only)."""
    size = os.stat(path).st_size
    if size > max_bytes:
        raise refuse("file.too_large", size=size, limit=max_bytes)
    if size == 0:
        raise refuse("file.empty")
    return size


def read_table(path: str | Path, *, max_bytes: int) -> Table:
    """Read a CSV or XLSX file (detected from its first bytes, not its name)."""
    path = Path(path)
    check_size(path, max_bytes)
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(ZIP_MAGIC):
        return read_xlsx(path, max_uncompressed=max(20 * max_bytes, 64 * 1024 * 1024))
    if magic.startswith(OLE_MAGIC):
        raise refuse("file.xls")
    return read_csv_bytes(path.read_bytes())


# ---------------------------------------------------------------- CSV


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", "file.encoding"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "file.utf16_invalid"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_cp1252(data):
        raise refuse("file.encoding_cp1252")
    try:
        return nfc(data.decode("cp1258")), "windows-1258"
    except UnicodeDecodeError as exc:
        raise refuse("file.encoding", offset=exc.start) from None


# Windows-1258 writes the five tones as combining marks (these bytes); the bytes of ă đ ơ ư
# (and capitals) are ã ð õ ý … in Windows-1252 / ISO-8859-1.
_TONE_BYTES = frozenset(b"\xcc\xd2\xde\xec\xf2")
_CP1258_LETTERS = frozenset(b"\xc3\xd0\xd5\xdd\xe3\xf0\xf5\xfd")
_VOWEL_BYTES = frozenset(b"aeiouyAEIOUY") | frozenset(
    b for b in range(0xC0, 0x100) if b not in (0xD7, 0xF7) and b not in _TONE_BYTES
)


def _looks_cp1252(data: bytes) -> bool:
    """Whether 8-bit text that is not UTF-8 is Windows-1252 (Latin-1) rather than
    Windows-1258: a tone byte that follows no vowel, or letters of Windows-1258 (ă đ ơ ư) with
    not one tone anywhere (Vietnamese text in Windows-1258 carries tones)."""
    tones = 0
    for i, byte in enumerate(data):
        if byte in _TONE_BYTES:
            tones += 1
            if i == 0 or data[i - 1] not in _VOWEL_BYTES:
                return True
    return tones == 0 and any(byte in _CP1258_LETTERS for byte in data)


def _strict(data: bytes, encoding: str, code: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise refuse(code, offset=exc.start) from None


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,`` ``;`` tab outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] == 0:
        others = re.findall(r"[^\w\s\"'/().\-]", header_line)
        found = max(set(others), key=others.count) if others else ""
        raise refuse(
            "file.delimiter",
            found=f" ('{found}'?)" if found else "",
        )
    return best


def read_csv_bytes(data: bytes) -> Table:
    text, encoding = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _CONTROL.search(text)
    if bad:
        raise refuse("file.binary", char=f"0x{ord(bad.group()):02x}", offset=bad.start())
    if not text.strip():
        raise refuse("file.empty")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    record = 0
    try:
        for cells in reader:
            record += 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
                record = 1
                continue
            rows.append(cells)
            numbers.append(record)
            if len(rows) > MAX_ROWS:
                raise refuse("file.too_many_rows", limit=MAX_ROWS)
    except csv.Error as exc:
        raise refuse("file.csv_syntax", line=reader.line_num, error=str(exc)) from None
    if header is None:
        raise refuse("file.empty")
    return Table(header, rows, numbers, "csv", encoding, delimiter)


# ---------------------------------------------------------------- XLSX


def check_zip(path: Path, *, max_uncompressed: int) -> None:
    """Refuse a zip whose directory declares too many members, too much data or a suspicious
    compression ratio; nothing is decompressed here."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse("file.not_xlsx", error=str(exc)) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refuse("file.zip_too_many", count=len(infos), limit=MAX_ZIP_MEMBERS)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                raise refuse(
                    "file.zip_bomb", member=info.filename, size=info.file_size, ratio=int(ratio)
                )
        if info.file_size > max_uncompressed:
            raise refuse(
                "file.zip_bomb",
                member=info.filename,
                size=info.file_size,
                ratio=int(info.file_size / max(info.compress_size, 1)),
            )
    if total > max_uncompressed:
        raise refuse("file.zip_total", size=total, limit=max_uncompressed)


def cell_text(value: Any) -> str:
    """A spreadsheet value as import text (integral floats without '.0', dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return nfc(str(value))


def read_xlsx(path: Path, *, max_uncompressed: int) -> Table:
    check_zip(path, max_uncompressed=max_uncompressed)
    import openpyxl  # imported here: CSV imports do not pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise refuse("file.not_xlsx", error=f"{type(exc).__name__}: {exc}") from None
    try:
        ws = wb.worksheets[0]
        header: list[str] | None = None
        rows: list[list[str]] = []
        numbers: list[int] = []
        width = 0
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                while cells and not cells[-1].strip():
                    cells.pop()
                header, width = cells, len(cells)
                continue
            while len(cells) > width and not cells[-1].strip():
                cells.pop()
            rows.append(cells)
            numbers.append(number)
            if len(rows) > MAX_ROWS:
                raise refuse("file.too_many_rows", limit=MAX_ROWS)
    finally:
        wb.close()
    if header is None:
        raise refuse("file.empty")
    return Table(header, rows, numbers, "xlsx")
