"""Administrative-unit reference data read from the installed data packages.

Pure Python (standard library only), no Django. Two packages are read directly from their
data files (neither package's modules are imported):

* ``vietnamadminunits`` (MIT): ``data/dataset.db`` (SQLite) holds the current structure
  (34 provinces, 3,321 communes, from 1 Jul 2025) and the legacy one (63 provinces,
  696 districts, 10,035 communes, as it stood on 30 Jun 2025), with centroids;
  ``data/converter_2025.json`` holds the legacy → current conversion.
* ``vietnam-provinces``: ``data/nested-divisions.json`` (current structure), used as an
  independent cross-check (:func:`current_cross_check`).

Source of the current codes. The current codes and names come from ``vietnamadminunits``.
Its codes agree with the list published by the statistics office (Cục Thống kê, Công văn
1027/CTK-CSCL of 25 Jun 2025) where checked. ``vietnam-provinces`` 2025.10.1 was built from
the June 2025 *draft* of that list: about 120 commune codes there
differ from the published ones (for example "Phường Cửa Nam" is 00073 in the draft and 00082
in the published list). Its later releases switched to the published list but need a newer
Python. :func:`current_cross_check` lists every difference.

Codes are strings, zero-padded as published: provinces 2 digits, legacy districts 3 digits,
communes 5 digits. Legacy and current commune codes share one numbering (a current commune
usually keeps the code of one of the legacy communes it absorbed), so a code is only
meaningful together with its structure (current or legacy).

Mapping rows. A legacy commune absorbed whole by one current commune yields one
:class:`CommuneLink` with ``is_primary=True``; a legacy commune split among several current
communes yields one row per receiving commune, exactly one of them primary (the one the
conversion data names as the default). The data has no area or population shares.

Mapping corrections. The conversion data gives some legacy communes the successors of a
same-named commune that ended up in the same current province (31 links, e.g. Phường 4 of
Thành phố Tây Ninh → Phường Long An) and names the wrong default successor for two (31379
Phú Tân, Hậu Giang; 00556 Đặng Xá). ``data/mapping_overrides.csv`` in this package lists each
correction with its reason; :func:`apply_mapping_overrides` applies them when the mapping is
read (:func:`legacy_commune_mapping` and everything derived from it are corrected).

Names are NFC with whitespace cleaned and the type prefix written canonically ("Thị Trấn"
→ "Thị trấn"). The kind is read from the name's prefix: the package's separate type column
contradicts the name for 4 current communes (e.g. "Phường Việt Hòa" typed "Xã"; the name
agrees with ``vietnam-provinces``) and 3 legacy ones ("Thị trấn Ngọc Lặc", "Phường 5" and
"Phường 15" typed "Xã").

Five legacy districts had no communes (island districts: Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa,
Lý Sơn, Côn Đảo); they map directly to a current commune-level unit (đặc khu) and appear in
:func:`legacy_district_mapping` (and hence :func:`legacy_province_mapping`), not in
:func:`legacy_commune_mapping`.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from thuocdo.core.text import clean, normalise_name_for_matching

__all__ = [
    "CommuneLink",
    "MappingOverride",
    "SourceMismatch",
    "UnitRecord",
    "apply_mapping_overrides",
    "current_cross_check",
    "current_units",
    "dataset_info",
    "legacy_commune_mapping",
    "legacy_district_mapping",
    "legacy_province_mapping",
    "legacy_units",
    "mapping_overrides",
    "read_mapping_overrides",
]

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"

# Administrative type (as written before the name) -> kind slug.
_PROVINCE_KINDS = {"Thành phố": "thanh-pho-tw", "Tỉnh": "tinh"}
_DISTRICT_KINDS = {"Quận": "quan", "Huyện": "huyen", "Thị xã": "thi-xa", "Thành phố": "thanh-pho"}
_COMMUNE_KINDS = {"Phường": "phuong", "Xã": "xa", "Thị trấn": "thi-tran", "Đặc khu": "dac-khu"}


@dataclass(frozen=True)
class UnitRecord:
    """One administrative unit of the current or the legacy structure."""

    code: str  # official code, zero-padded as published ("01", "001", "00004")
    name: str  # NFC full official name, e.g. "Thành phố Hà Nội", "Phường Ba Đình"
    short_name: str  # name without the type prefix, e.g. "Hà Nội"; "Phường 1" stays whole
    level: str  # "province" | "district" | "commune"
    kind: str  # "thanh-pho-tw", "tinh", "quan", "huyen", "thi-xa", "thanh-pho", ...
    parent_code: str | None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CommuneLink:
    """A legacy commune (or part of it) absorbed by a current commune."""

    legacy_code: str
    current_code: str
    is_primary: bool  # True for the only or the default receiving commune


@dataclass(frozen=True)
class MappingOverride:
    """One correction of the legacy → current commune mapping (``data/mapping_overrides.csv``)."""

    legacy_code: str
    action: str  # "primary" (make this link the default) | "drop" (remove this link)
    current_code: str
    reason: str


@dataclass(frozen=True)
class SourceMismatch:
    """A difference between the two packages' current structures."""

    code: str
    # "missing-in-reference" | "missing-in-primary" | "parent" | "name" (a different unit
    # under the same code) | "spelling" (same name written differently: "Hoà"/"Hòa", ’/')
    issue: str
    primary: str | None  # value in vietnamadminunits (the source used)
    reference: str | None  # value in vietnam-provinces


# --------------------------------------------------------------------------- raw data


#: Names a legacy unit had before the dataset's own name, which people still search for:
#: (legacy code, former name, when it changed). The legacy structure carries the name of
#: 30 June 2025, so a rename earlier than that is written here.
FORMER_NAMES: tuple[tuple[str, str, str], ...] = (
    (
        "46",
        "Tỉnh Thừa Thiên Huế",
        "Thành phố Huế since 1 January 2025 (Nghị quyết 1314/NQ-UBTVQH15)",
    ),
)


def _package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        msg = f"package {name!r} is not installed"
        raise RuntimeError(msg)
    return Path(next(iter(spec.submodule_search_locations)))


def _vau_data() -> Path:
    return _package_dir("vietnamadminunits") / "data"


@lru_cache(maxsize=1)
def _vau_rows() -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """(current rows, legacy rows) of the vietnamadminunits SQLite dataset."""
    uri = (_vau_data() / "dataset.db").as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        current = conn.execute(
            "SELECT province, provinceCode, provinceLat, provinceLon, provinceKey,"
            " ward, wardCode, wardLat, wardLon, wardKey"
            " FROM admin_units ORDER BY wardCode"
        ).fetchall()
        legacy = conn.execute(
            "SELECT province, provinceCode, provinceLat, provinceLon, provinceKey,"
            " district, districtCode, districtLat, districtLon, districtKey,"
            " ward, wardCode, wardLat, wardLon, wardKey FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    return current, legacy


def _unit(
    code: str,
    raw_name: str,
    level: str,
    kinds: dict[str, str],
    parent_code: str | None,
    lat: Any,
    lon: Any,
) -> UnitRecord:
    """Build a record; the type is read from the name's prefix, written canonically."""
    name = clean(raw_name)
    folded = name.casefold()
    for type_name in sorted(kinds, key=len, reverse=True):
        if folded.startswith(type_name.casefold() + " "):
            rest = name[len(type_name) + 1 :]
            name = f"{type_name} {rest}"  # "Thị Trấn Ái Tử" -> "Thị trấn Ái Tử"
            return UnitRecord(
                code=code,
                name=name,
                # Numbered units ("Phường 1", "Quận 12") keep their type in the short name.
                short_name=name if rest.isdigit() else rest,
                level=level,
                kind=kinds[type_name],
                parent_code=parent_code,
                lat=None if lat is None else float(lat),
                lon=None if lon is None else float(lon),
            )
    msg = f"no known {level} type at the start of {raw_name!r}"
    raise ValueError(msg)


# --------------------------------------------------------------------------- structures


@lru_cache(maxsize=1)
def _current() -> tuple[UnitRecord, ...]:
    current, _ = _vau_rows()
    provinces: dict[str, UnitRecord] = {}
    communes: list[UnitRecord] = []
    for row in current:
        pcode = row["provinceCode"]
        if pcode not in provinces:
            provinces[pcode] = _unit(
                pcode,
                row["province"],
                PROVINCE,
                _PROVINCE_KINDS,
                None,
                row["provinceLat"],
                row["provinceLon"],
            )
        communes.append(
            _unit(
                row["wardCode"],
                row["ward"],
                COMMUNE,
                _COMMUNE_KINDS,
                pcode,
                row["wardLat"],
                row["wardLon"],
            )
        )
    return (*sorted(provinces.values(), key=lambda u: u.code), *communes)


def current_units() -> list[UnitRecord]:
    """The structure in force since 1 Jul 2025: 34 provinces, then 3,321 communes.

    Provinces are ordered by code, communes by code; a commune's parent is its province.
    """
    return list(_current())


@lru_cache(maxsize=1)
def _legacy() -> tuple[UnitRecord, ...]:
    _, legacy = _vau_rows()
    provinces: dict[str, UnitRecord] = {}
    districts: dict[str, UnitRecord] = {}
    communes: list[UnitRecord] = []
    for row in legacy:
        pcode, dcode = row["provinceCode"], row["districtCode"]
        if pcode not in provinces:
            provinces[pcode] = _unit(
                pcode,
                row["province"],
                PROVINCE,
                _PROVINCE_KINDS,
                None,
                row["provinceLat"],
                row["provinceLon"],
            )
        if dcode not in districts:
            districts[dcode] = _unit(
                dcode,
                row["district"],
                DISTRICT,
                _DISTRICT_KINDS,
                pcode,
                row["districtLat"],
                row["districtLon"],
            )
        if row["wardCode"] is None:  # island district without communes
            continue
        communes.append(
            _unit(
                row["wardCode"],
                row["ward"],
                COMMUNE,
                _COMMUNE_KINDS,
                dcode,
                row["wardLat"],
                row["wardLon"],
            )
        )
    return (
        *sorted(provinces.values(), key=lambda u: u.code),
        *sorted(districts.values(), key=lambda u: u.code),
        *sorted(communes, key=lambda u: u.code),
    )


def legacy_units() -> list[UnitRecord]:
    """The structure before 1 Jul 2025: 63 provinces, 696 districts, 10,035 communes.

    Provinces, then districts (parent = province), then communes (parent = district),
    each ordered by code.
    """
    return list(_legacy())


# --------------------------------------------------------------------------- mapping


@lru_cache(maxsize=1)
def _raw_links() -> tuple[tuple[CommuneLink, ...], tuple[tuple[str, str], ...]]:
    """(commune links as the dataset has them, (island district code, current commune code))."""
    current, legacy = _vau_rows()
    current_by_key = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in current}
    # Conversion keys are "<provinceKey>_<districtKey>_<wardKey>"; an island district
    # without communes has an empty commune part.
    legacy_by_key: dict[str, tuple[str, str]] = {}
    for r in legacy:
        ward_key = r["wardKey"] or ""
        key = f"{r['provinceKey']}_{r['districtKey']}_{ward_key}"
        if r["wardCode"] is None:
            legacy_by_key[key] = (DISTRICT, r["districtCode"])
        else:
            legacy_by_key[key] = (COMMUNE, r["wardCode"])

    with (_vau_data() / "converter_2025.json").open(encoding="utf-8") as fh:
        conversion = json.load(fh)

    rows: list[tuple[str, str, str, bool]] = []  # (level, legacy code, current code, primary)
    for province_key, wards in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, legacy_keys in wards.items():
            current_code = current_by_key[(province_key, ward_key)]
            for legacy_key in legacy_keys:
                level, legacy_code = legacy_by_key[legacy_key]
                rows.append((level, legacy_code, current_code, True))
    for province_key, divided in conversion["DICT_PROVINCE_WARD_DIVIDED"].items():
        for legacy_key, targets in divided.items():
            level, legacy_code = legacy_by_key[legacy_key]
            for target in targets:
                current_code = current_by_key[(province_key, target["newWardKey"])]
                rows.append((level, legacy_code, current_code, bool(target["isDefaultNewWard"])))

    rows.sort(key=lambda r: (r[1], not r[3], r[2]))
    communes = tuple(
        CommuneLink(lc, cc, primary) for level, lc, cc, primary in rows if level == COMMUNE
    )
    districts = tuple(sorted({(lc, cc) for level, lc, cc, _ in rows if level == DISTRICT}))
    return communes, districts


@lru_cache(maxsize=1)
def _links() -> tuple[tuple[CommuneLink, ...], tuple[tuple[str, str], ...]]:
    """(corrected commune links, (island district code, current commune code) pairs)."""
    communes, districts = _raw_links()
    return tuple(apply_mapping_overrides(communes, _overrides())), districts


def legacy_commune_mapping(*, corrected: bool = True) -> list[CommuneLink]:
    """Legacy commune → current commune(s) that absorbed it, ordered by legacy code.

    One row per (legacy commune, receiving current commune); for a legacy commune split
    among several current communes exactly one row has ``is_primary=True``. The corrections
    of :func:`mapping_overrides` are applied; ``corrected=False`` gives the dataset's
    conversion as it is (for checking the corrections).
    """
    return list((_links() if corrected else _raw_links())[0])


_OVERRIDE_ACTIONS = ("primary", "drop")
_OVERRIDE_COLUMNS = ["legacy_code", "action", "current_code", "reason"]


def read_mapping_overrides(path: Path) -> list[MappingOverride]:
    """Read an override file: CSV with a header row, "#" lines are comments.

    Raises ``ValueError`` naming the line when a row is malformed.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        numbered = [(n, line) for n, line in enumerate(fh, 1) if not line.startswith("#")]
    reader = csv.reader(line for _, line in numbered)
    header = next(reader, None)
    if header != _OVERRIDE_COLUMNS:
        msg = f"{path.name}: the header must be {','.join(_OVERRIDE_COLUMNS)}, not {header}"
        raise ValueError(msg)
    out: list[MappingOverride] = []
    for (line_no, _), row in zip(numbered[1:], reader, strict=True):
        if not row:
            continue
        if len(row) != 4:
            msg = f"{path.name} line {line_no}: 4 columns expected, found {len(row)}"
            raise ValueError(msg)
        legacy_code, action, current_code, reason = (clean(v) for v in row)
        for code in (legacy_code, current_code):
            if len(code) != 5 or not code.isdigit():
                msg = f"{path.name} line {line_no}: {code!r} is not a 5-digit commune code"
                raise ValueError(msg)
        if action not in _OVERRIDE_ACTIONS:
            msg = f"{path.name} line {line_no}: action must be primary or drop, not {action!r}"
            raise ValueError(msg)
        if not reason:
            msg = f"{path.name} line {line_no}: every override needs a reason"
            raise ValueError(msg)
        out.append(MappingOverride(legacy_code, action, current_code, reason))
    return out


@lru_cache(maxsize=1)
def _overrides() -> tuple[MappingOverride, ...]:
    return tuple(read_mapping_overrides(Path(__file__).parent / "data" / "mapping_overrides.csv"))


def mapping_overrides() -> list[MappingOverride]:
    """The packaged corrections of the commune mapping (``data/mapping_overrides.csv``)."""
    return list(_overrides())


def apply_mapping_overrides(
    links: Iterable[CommuneLink], overrides: Iterable[MappingOverride]
) -> list[CommuneLink]:
    """The links with the overrides applied: drops first, then the primary choices.

    Pure. Every override must name an existing link (a stale override is an error, not
    silently ignored), a legacy commune must keep at least one link, and each legacy
    commune ends with exactly one primary link. Output order: legacy code, primary first,
    then current code.
    """
    by_pair = {(link.legacy_code, link.current_code): link for link in links}
    drops = [o for o in overrides if o.action == "drop"]
    primaries = [o for o in overrides if o.action == "primary"]
    for override in (*drops, *primaries):
        if (override.legacy_code, override.current_code) not in by_pair:
            msg = (
                f"mapping override {override.legacy_code} {override.action} "
                f"{override.current_code}: the dataset has no such link"
            )
            raise ValueError(msg)
    for override in drops:
        del by_pair[override.legacy_code, override.current_code]
    chosen = {o.legacy_code: o.current_code for o in primaries}
    if len(chosen) != len(primaries):
        msg = "mapping overrides name more than one primary successor for a legacy commune"
        raise ValueError(msg)
    per_legacy: dict[str, list[CommuneLink]] = defaultdict(list)
    for link in by_pair.values():
        per_legacy[link.legacy_code].append(link)
    dropped_whole = {o.legacy_code for o in drops} - per_legacy.keys()
    if dropped_whole:
        msg = f"mapping overrides drop every link of legacy commune(s) {sorted(dropped_whole)}"
        raise ValueError(msg)
    out: list[CommuneLink] = []
    for legacy_code in sorted(per_legacy):
        group = per_legacy[legacy_code]
        if legacy_code in chosen:
            group = [
                CommuneLink(x.legacy_code, x.current_code, x.current_code == chosen[legacy_code])
                for x in group
            ]
        elif len(group) == 1 and not group[0].is_primary:
            # Its primary link was dropped: the one left is the successor.
            group = [CommuneLink(group[0].legacy_code, group[0].current_code, True)]
        primary_count = sum(x.is_primary for x in group)
        if primary_count != 1:
            msg = (
                f"legacy commune {legacy_code} has {primary_count} primary successors after "
                "the mapping overrides; add a primary override"
            )
            raise ValueError(msg)
        out.extend(sorted(group, key=lambda x: (not x.is_primary, x.current_code)))
    return out


def _parents(units: Iterable[UnitRecord], level: str) -> dict[str, str]:
    """code -> parent code for the units of one (non-top) level."""
    return {u.code: u.parent_code for u in units if u.level == level and u.parent_code}


@lru_cache(maxsize=1)
def _district_pairs() -> tuple[tuple[str, str], ...]:
    commune_district = _parents(_legacy(), COMMUNE)
    pairs = {(commune_district[link.legacy_code], link.current_code) for link in _links()[0]}
    pairs.update(_links()[1])
    return tuple(sorted(pairs))


def legacy_district_mapping() -> list[tuple[str, str]]:
    """(legacy district code, current commune code): every current commune that received
    (part of) a commune of the district, plus the direct mapping of the five island
    districts that had no communes."""
    return list(_district_pairs())


@lru_cache(maxsize=1)
def _province_pairs() -> tuple[tuple[str, str], ...]:
    legacy_parent = _parents(_legacy(), DISTRICT)
    current_parent = _parents(_current(), COMMUNE)
    pairs = {(legacy_parent[d], current_parent[c]) for d, c in _district_pairs()}
    return tuple(sorted(pairs))


def legacy_province_mapping() -> list[tuple[str, str]]:
    """(legacy province code, current province code), derived from the commune mapping.

    A legacy province maps to every current province that received (part of) one of its
    communes, so a province whose border communes moved elsewhere maps to more than one.
    """
    return list(_province_pairs())


# --------------------------------------------------------------------------- cross-check


@lru_cache(maxsize=1)
def _cross_check() -> tuple[SourceMismatch, ...]:
    path = _package_dir("vietnam_provinces") / "data" / "nested-divisions.json"
    with path.open(encoding="utf-8") as fh:
        nested = json.load(fh)
    reference: dict[str, tuple[str, str | None]] = {}
    for province in nested:
        pcode = f"{province['code']:02d}"
        pname = clean(province["name"])
        if province["division_type"] == "tỉnh" and not pname.startswith("Tỉnh "):
            pname = f"Tỉnh {pname}"  # the package omits the prefix for provinces
        reference[pcode] = (pname, None)
        for ward in province["wards"]:
            reference[f"{ward['code']:05d}"] = (clean(ward["name"]), pcode)
    primary = {u.code: (u.name, u.parent_code) for u in _current()}

    out: list[SourceMismatch] = []
    for code in sorted(primary.keys() | reference.keys()):
        mine, theirs = primary.get(code), reference.get(code)
        if mine is None and theirs is not None:
            out.append(SourceMismatch(code, "missing-in-primary", None, theirs[0]))
        elif theirs is None and mine is not None:
            out.append(SourceMismatch(code, "missing-in-reference", mine[0], None))
        elif mine is not None and theirs is not None:
            if mine[0] != theirs[0]:
                same = normalise_name_for_matching(mine[0]) == normalise_name_for_matching(
                    theirs[0]
                )
                issue = "spelling" if same else "name"
                out.append(SourceMismatch(code, issue, mine[0], theirs[0]))
            if mine[1] != theirs[1]:
                out.append(SourceMismatch(code, "parent", mine[1], theirs[1]))
    return tuple(out)


def current_cross_check() -> list[SourceMismatch]:
    """Differences between the current structure used here and ``vietnam-provinces``.

    Names are compared after NFC and whitespace clean-up; province names in
    ``vietnam-provinces`` get their missing "Tỉnh" prefix first. With version 2025.10.1 of
    that package: 114 codes exist only here, 114 only there (the same communes under
    draft codes), 9 codes name a different commune, 29 names differ only in spelling.
    """
    return list(_cross_check())


# --------------------------------------------------------------------------- provenance


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def dataset_info() -> dict[str, Any]:
    """Packages, versions, licences and counts behind the data, for provenance."""
    current = _current()
    legacy = _legacy()
    issues: dict[str, int] = defaultdict(int)
    for mismatch in _cross_check():
        issues[mismatch.issue] += 1
    return {
        "sources": [
            {
                "package": "vietnamadminunits",
                "version": _version("vietnamadminunits"),
                "licence": "MIT",
                "homepage": "https://github.com/tranngocminhhieu/vietnamadminunits",
                "files": ["data/dataset.db", "data/converter_2025.json"],
                "used_for": [
                    "current structure (codes, names, centroids)",
                    "legacy structure (codes, names, centroids)",
                    "legacy to current mapping",
                ],
            },
            {
                "package": "vietnam-provinces",
                "version": _version("vietnam-provinces"),
                # The wheel's metadata declares no licence; the upstream repository
                # declares GPL-3.0-or-later.
                "licence": "GPL-3.0-or-later (upstream repository)",
                "homepage": "https://github.com/sunshine-tech/VietnamProvinces",
                "files": ["data/nested-divisions.json"],
                "used_for": ["cross-check of the current structure"],
            },
        ],
        "current": {
            "effective_from": "2025-07-01",
            "provinces": sum(u.level == PROVINCE for u in current),
            "communes": sum(u.level == COMMUNE for u in current),
        },
        "legacy": {
            "effective_until": "2025-06-30",
            "provinces": sum(u.level == PROVINCE for u in legacy),
            "districts": sum(u.level == DISTRICT for u in legacy),
            "communes": sum(u.level == COMMUNE for u in legacy),
        },
        "mapping": {
            "commune_links": len(_links()[0]),
            "island_district_links": len(_links()[1]),
            "province_links": len(_province_pairs()),
        },
        "cross_check": dict(sorted(issues.items())),
    }
