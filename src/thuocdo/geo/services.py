"""Writes for administrative units: loading the built-in structures and the legacy mapping."""

from __future__ import annotations

from django.db import transaction

from thuocdo.accounts.services import audit_record
from thuocdo.core.collation import vi_collation_key
from thuocdo.core.text import fold
from thuocdo.geo import sources
from thuocdo.geo.models import Structure, Unit, UnitMapping


def _load_structure(structure: str, records: list[sources.UnitRecord]) -> int:
    """Insert the units of one structure that are not there yet; parents come before children."""
    existing = dict(Unit.objects.filter(structure=structure).values_list("code", "id"))
    paths: dict[str, str] = dict(
        Unit.objects.filter(structure=structure).values_list("code", "path")
    )
    created = 0
    # Records arrive level by level (provinces, then districts, then communes).
    for level in ("province", "district", "commune"):
        batch: list[Unit] = []
        for rec in records:
            if rec.level != level or rec.code in existing:
                continue
            parent_path = paths[rec.parent_code] if rec.parent_code else f"{structure}/"
            path = f"{parent_path}{rec.code}/"
            paths[rec.code] = path
            batch.append(
                Unit(
                    structure=structure,
                    code=rec.code,
                    name=rec.name,
                    short_name=rec.short_name,
                    level=rec.level,
                    kind=rec.kind,
                    parent_id=existing.get(rec.parent_code) if rec.parent_code else None,
                    path=path,
                    name_folded=fold(rec.name),
                    sort_key=vi_collation_key(rec.short_name),
                    lat=rec.lat,
                    lon=rec.lon,
                )
            )
        Unit.objects.bulk_create(batch, batch_size=2000)
        created += len(batch)
        existing.update(
            Unit.objects.filter(structure=structure, level=level).values_list("code", "id")
        )
    return created


@transaction.atomic
def geo_load_builtins() -> dict[str, int]:
    """Load the current and legacy structures and the legacy → current mapping (idempotent).

    The mapping in the database is brought to the packaged one (with its corrections,
    ``geo/data/mapping_overrides.csv``): missing pairs are added, pairs the packaged mapping
    no longer has are removed and primary flags that differ are set, so a database loaded
    before a correction is corrected by loading again.
    """
    created_current = _load_structure(Structure.CURRENT, sources.current_units())
    created_legacy = _load_structure(Structure.LEGACY, sources.legacy_units())
    current_ids = dict(Unit.objects.filter(structure=Structure.CURRENT).values_list("code", "id"))
    legacy_ids = dict(Unit.objects.filter(structure=Structure.LEGACY).values_list("code", "id"))
    wanted: dict[tuple[int, int], bool] = {}
    for legacy_code, current_code, primary in _mapping_rows():
        legacy_id, current_id = legacy_ids.get(legacy_code), current_ids.get(current_code)
        if legacy_id is None or current_id is None:
            continue
        wanted.setdefault((legacy_id, current_id), primary)
    have = {
        (legacy_id, current_id): (pk, primary)
        for pk, legacy_id, current_id, primary in UnitMapping.objects.values_list(
            "id", "legacy_id", "current_id", "primary"
        )
    }
    stale = [pk for pair, (pk, _) in have.items() if pair not in wanted]
    flipped = [
        (pk, wanted[pair])
        for pair, (pk, primary) in have.items()
        if wanted.get(pair, primary) != primary
    ]
    for start in range(0, len(stale), 500):
        UnitMapping.objects.filter(id__in=stale[start : start + 500]).delete()
    for primary in (True, False):
        UnitMapping.objects.filter(id__in=[pk for pk, p in flipped if p is primary]).update(
            primary=primary
        )
    batch = [
        UnitMapping(legacy_id=legacy_id, current_id=current_id, primary=primary)
        for (legacy_id, current_id), primary in wanted.items()
        if (legacy_id, current_id) not in have
    ]
    UnitMapping.objects.bulk_create(batch, batch_size=5000)
    result = {
        "current": created_current,
        "legacy": created_legacy,
        "mappings": len(batch),
        "mappings_removed": len(stale),
        "mappings_updated": len(flipped),
    }
    if any(result.values()):
        audit_record(
            actor=None,
            action="geo.load",
            object_type="geo.unit",
            object_id="builtins",
            after=result,
        )
    return result


def _mapping_rows() -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    for legacy_code, current_code in sources.legacy_province_mapping():
        rows.append((legacy_code, current_code, True))
    for legacy_code, current_code in sources.legacy_district_mapping():
        rows.append((legacy_code, current_code, True))
    for link in sources.legacy_commune_mapping():
        rows.append((link.legacy_code, link.current_code, link.is_primary))
    return rows
