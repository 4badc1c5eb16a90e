"""The bulk read of the columnar refresh gives the numbers of the per-row reading it replaced.

``_old_frame`` is the previous reading, kept here as the reference: the ORM's ``values()``
with its JSON decoding, then one Python loop per row clamping every criterion score. The
service's COPY / chunked path must give the same rows, the same weights and the same
aggregates on a few thousand responses (drafts, rejected, legacy units, blank sizes,
out-of-range and missing scores included), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
import random
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.analytics import factories as f

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import bulk, selectors, services, store
from thuocdo.analytics.domain.columnar import GROUP_KEYS, Layout, cube_of, estimate_slice
from thuocdo.analytics.domain.stats import poststratify
from thuocdo.analytics.models import Snapshot
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Organisation, Response
from thuocdo.frameworks.engine import score
from thuocdo.geo.models import UnitMapping

ADMIN = Scope(role="admin", user_id=1)


def _old_records_to_frame(records: list[dict[str, Any]], layout: Layout) -> pl.DataFrame:
    cols: dict[str, list[Any]] = {name: [] for name in layout.schema()}
    for r in records:
        for key in ("response_id", "updated_at", *GROUP_KEYS, "level", "overall"):
            cols[key].append(r[key])
        ps = r.get("pillar_scores") or {}
        for p in layout.pillars:
            cols[layout.pillar_col(p)].append(ps.get(p))
        cs = r.get("criterion_scores") or {}
        for c in layout.criteria:
            v = cs.get(c)
            cols[layout.criterion_col(c)].append(
                None if v is None else max(0, min(100, math.floor(v)))
            )
    return pl.DataFrame(cols, schema=layout.schema())


def _old_frame(campaign_id: int, layout: Layout) -> pl.DataFrame:
    fields = (
        "id", "status", "updated_at", "commune_id", "sector", "entity_type", "size_class",
        "level", "overall", "pillar_scores", "criterion_scores",
    )  # fmt: skip
    raw = list(Response.objects.filter(campaign_id=campaign_id).order_by("id").values(*fields))
    places = services._current_communes({r["commune_id"] for r in raw})
    records = []
    for r in raw:
        place = places.get(r["commune_id"])
        if r["status"] not in services.COUNTED or r["overall"] is None or place is None:
            continue
        records.append(
            {
                "response_id": r["id"],
                "updated_at": r["updated_at"],
                "province": place[0],
                "commune": place[1],
                "sector": r["sector"] or "",
                "entity_type": r["entity_type"],
                "size": r["size_class"] or "",
                "level": r["level"] if r["level"] is not None else 0,
                "overall": r["overall"],
                "pillar_scores": r["pillar_scores"],
                "criterion_scores": r["criterion_scores"],
            }
        )
    frame = _old_records_to_frame(records, layout)
    weighted, _summary = poststratify(frame, services._population(campaign_id))
    return weighted.drop("collapse")


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    text = ("province", "commune", "sector", "entity_type", "size", "stratum")
    return frame.with_columns(pl.col(k).cast(pl.Utf8) for k in text).sort("response_id")


def _many_responses(n: int) -> Any:
    """A national campaign with ``n`` responses written in bulk (a few distinct scored answer
    sets, with scores pushed out of range or removed in some rows)."""
    c = f.campaign()
    fw = c.framework.engine()
    rnd = random.Random(7)
    communes = f.communes_of("01", 3) + f.communes_of("79", 3)
    legacy = (
        UnitMapping.objects.select_related("legacy", "current")
        .filter(primary=True, legacy__level="commune")
        .first()
    )
    assert legacy is not None
    for commune in [*communes, legacy.current]:
        for size in ("micro", "small", ""):
            f.stratum(c, commune, "enterprise", size, rnd.randint(20, 400))
    scored = [score(fw, f.random_answers(fw, rnd, q / 10)) for q in range(10)]
    orgs = Organisation.objects.bulk_create(
        Organisation(
            registry_id=f"B{i:09d}",
            name=f"Doanh nghiệp {i}",
            name_folded=f"doanh nghiep {i}",
            sort_key=f"doanh nghiep {i:09d}",
            entity_type="enterprise",
            sector="retail",
            size_class="small",
            commune=communes[0],
            unit_path=communes[0].path,
        )
        for i in range(n)
    )
    rows = []
    for i, org in enumerate(orgs):
        result = scored[i % len(scored)]
        criteria = dict(result.criteria)
        if i % 17 == 0:  # out of range and missing criterion scores are clamped / null
            first, second, *_rest = list(criteria)
            criteria[first] = 140.5
            criteria[second] = -3.25
        if i % 23 == 0:
            criteria.pop(next(iter(criteria)))
        commune = legacy.legacy if i % 29 == 0 else communes[i % len(communes)]
        status = ("submitted", "verified", "draft", "rejected")[i % 7 % 4]
        rows.append(
            Response(
                campaign=c,
                organisation=org,
                framework=c.framework,
                status=status,
                answers={},
                overall=None if i % 31 == 0 else result.overall,
                level=None if i % 37 == 0 else result.level,
                pillar_scores=result.pillars,
                criterion_scores=criteria,
                unmet=result.unmet,
                commune=commune,
                unit_path=commune.path,
                entity_type="enterprise",
                size_class=("micro", "small", "")[i % 3],
                sector=("retail", "tourism", "")[i % 5 % 3],
            )
        )
    Response.objects.bulk_create(rows, batch_size=500)
    return c


@pytest.mark.django_db
def test_the_bulk_refresh_gives_the_rows_weights_and_aggregates_of_the_row_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = _many_responses(3000)
    layout = store.layout_for(c.framework)
    expected = _old_frame(c.pk, layout)
    # small chunks, so that the rows really arrive in several of them
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 700)
    result = services.refresh_campaign(c.pk, full=True)
    assert result.rows == expected.height > 1500
    got = store.read_snapshot(Snapshot.objects.get(campaign=c), layout)
    assert_frame_equal(
        _comparable(got), _comparable(expected).select(got.columns), check_exact=True
    )
    # the clamped scores really occur in the data
    first = layout.criterion_col(layout.criteria[0])
    assert set(got[first].drop_nulls().to_list()) & {0, 100}
    assert got[first].null_count() > 0
    for by in (("province",), ("province", "size"), ("commune", "sector")):
        shown = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=Slice(by=by))
        cube = cube_of(
            expected.with_columns(pl.col("stratum").cast(pl.Categorical)).sort(
                ["commune", "sector", "entity_type", "size", "response_id"]
            ),
            layout,
        )
        assert shown["rows"] == estimate_slice(cube, by, {}, layout)


@pytest.mark.django_db
def test_an_incremental_refresh_ends_where_a_full_one_does() -> None:
    c = _many_responses(600)
    services.refresh_campaign(c.pk, full=True)
    layout = store.layout_for(c.framework)
    responses = list(Response.objects.filter(campaign=c).order_by("id")[:40])
    for r in responses[:10]:  # verified, rejected, reopened
        r.status = ("verified", "rejected", "draft", "submitted")[r.pk % 4]
        r.save()
    for r in responses[10:20]:  # re-scored
        r.overall = 12.5
        r.criterion_scores = dict.fromkeys(r.criterion_scores, 101.0)
        r.save()
    result = services.refresh_campaign(c.pk)
    assert not result.full
    assert result.changed <= 20
    got = store.read_snapshot(Snapshot.objects.get(campaign=c), layout)
    assert_frame_equal(_comparable(got), _comparable(_old_frame(c.pk, layout)).select(got.columns))
    # a counted response deleted: the count no longer adds up and the copy is rebuilt
    victim = Response.objects.filter(campaign=c, status="submitted").exclude(overall=None).first()
    assert victim is not None
    victim.delete()
    again = services.refresh_campaign(c.pk)
    assert again.full
    got = store.read_snapshot(Snapshot.objects.get(campaign=c), layout)
    assert victim.pk not in got["response_id"].to_list()
