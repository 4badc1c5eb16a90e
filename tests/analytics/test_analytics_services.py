"""Columnar refresh: incremental updates, cache invalidation, legacy units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.utils import timezone
from polars.testing import assert_frame_equal
from tests.analytics import factories as f

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import selectors, services, store
from thuocdo.analytics.models import Snapshot
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Response

ADMIN = Scope(role="admin", user_id=1)


def _frame(campaign_id: int) -> pl.DataFrame:
    snap = Snapshot.objects.select_related("campaign__framework").get(campaign_id=campaign_id)
    return store.read_snapshot(snap, store.layout_for(snap.campaign.framework))


@pytest.mark.django_db
def test_full_refresh_writes_one_row_per_counted_response() -> None:
    c, responses = f.populated_campaign(per_commune=4)
    commune = responses[0].commune
    f.response(c, commune=commune, status="draft")
    f.response(c, commune=commune, status="rejected")
    result = services.refresh_campaign(c.pk)
    assert result.full
    frame = _frame(c.pk)
    assert frame.height == len(responses)
    assert set(frame["response_id"].to_list()) == {r.pk for r in responses}
    r0 = Response.objects.get(pk=responses[0].pk)
    row = frame.filter(pl.col("response_id") == r0.pk).row(0, named=True)
    assert row["overall"] == pytest.approx(r0.overall, rel=1e-6)
    assert row["province"] == "01"
    assert row["commune"] == r0.commune.code
    for code, value in r0.pillar_scores.items():
        if value is None:
            assert row[f"p_{code}"] is None
        else:
            assert row[f"p_{code}"] == pytest.approx(value, rel=1e-6)
    # weights add up to the population of the cells that have respondents
    assert float(frame["weight"].sum()) == pytest.approx(2 * 2 * 100 + 2 * 40 + 2 * 50)


@pytest.mark.django_db
def test_incremental_refresh_adds_changes_and_drops_rejected() -> None:
    c, responses = f.populated_campaign(per_commune=4)
    services.refresh_campaign(c.pk)
    v1 = Snapshot.objects.get(campaign=c).version
    mark = timezone.now()
    new = f.response(c, commune=responses[0].commune, seed=99)
    gone = Response.objects.get(pk=responses[1].pk)
    gone.status = "rejected"
    gone.save()
    result = services.refresh_campaign(c.pk, since=mark)
    assert not result.full
    assert result.version == v1 + 1
    assert result.changed == 2  # only the two changed rows were read
    ids = set(_frame(c.pk)["response_id"].to_list())
    assert new.pk in ids
    assert gone.pk not in ids
    assert len(ids) == len(responses)


@pytest.mark.django_db
def test_a_new_response_changes_the_cached_aggregate() -> None:
    c, responses = f.populated_campaign(per_commune=4)
    slice_ = Slice(by=("province",))
    before = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    again = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    assert again["rows"] == before["rows"]
    hanoi = next(r for r in before["rows"] if r["province"] == "01")
    # a very low score in Hà Nội
    low = f.response(c, commune=responses[0].commune, quality=0.0, seed=5, size="small")
    low.overall = 0.0
    low.save()
    services.refresh_campaign(c.pk)
    after = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    hanoi_after = next(r for r in after["rows"] if r["province"] == "01")
    assert hanoi_after["n"] == hanoi["n"] + 1
    assert hanoi_after["mean"] < hanoi["mean"]


@pytest.mark.django_db
def test_a_change_after_the_snapshot_is_seen_without_an_explicit_refresh() -> None:
    c, responses = f.populated_campaign(per_commune=4)
    slice_ = Slice(by=("province",))
    before = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    hanoi = next(r for r in before["rows"] if r["province"] == "01")
    f.response(c, commune=responses[0].commune, seed=7, size="small")
    f.response(c, commune=responses[0].commune, status="draft", seed=8, size="medium")
    after = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    hanoi_after = next(r for r in after["rows"] if r["province"] == "01")
    assert hanoi_after["n"] == hanoi["n"] + 1  # the draft is not counted
    version = Snapshot.objects.get(campaign=c).version
    selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)
    assert Snapshot.objects.get(campaign=c).version == version  # nothing changed: no refresh


@pytest.mark.django_db
def test_legacy_units_aggregate_into_current_ones() -> None:
    from thuocdo.geo.models import UnitMapping

    mapping = (
        UnitMapping.objects.select_related("legacy", "current")
        .filter(primary=True, legacy__level="commune")
        .first()
    )
    assert mapping is not None
    c = f.campaign()
    f.stratum(c, mapping.current, "enterprise", "small", 20)
    legacy_resp = f.response(c, commune=mapping.legacy)
    services.refresh_campaign(c.pk)
    row = _frame(c.pk).row(0, named=True)
    assert row["response_id"] == legacy_resp.pk
    assert row["commune"] == mapping.current.code
    assert row["province"] == mapping.current.path.split("/")[1]
    assert row["weight"] == pytest.approx(20.0)


@pytest.mark.django_db
def test_refresh_task_runs_the_service(settings: Any) -> None:
    from thuocdo.analytics.tasks import refresh_campaign_task

    c, responses = f.populated_campaign(per_commune=2)
    out = refresh_campaign_task(c.pk)
    value = out.get() if hasattr(out, "get") else out
    assert value["rows"] == len(responses)


@pytest.mark.django_db
def test_default_refresh_reads_from_the_watermark_with_overlap() -> None:
    c, responses = f.populated_campaign(per_commune=2)
    services.refresh_campaign(c.pk)
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(
        updated_at=timezone.now() - services.OVERLAP * 3
    )
    services.refresh_campaign(c.pk, full=True)
    newer = f.response(c, commune=responses[0].commune, seed=3)
    result = services.refresh_campaign(c.pk)
    assert result.changed == 1
    assert newer.pk in set(_frame(c.pk)["response_id"].to_list())
    assert result.rows == len(responses) + 1


@pytest.mark.django_db
def test_cube_does_not_depend_on_row_order() -> None:
    from thuocdo.analytics.domain.columnar import aggregate_rows, cube_of

    c, _ = f.populated_campaign(per_commune=5)
    services.refresh_campaign(c.pk)
    frame = _frame(c.pk)
    layout = store.layout_for(c.framework)
    by = ["province", "sector", "size"]
    stored = aggregate_rows(cube_of(frame, layout), by, layout)
    shuffled = aggregate_rows(
        cube_of(frame.sample(fraction=1.0, shuffle=True, seed=3), layout), by, layout
    )
    assert stored == shuffled
    assert sum(r["n"] for r in stored) == frame.height


def _forget_in_this_process() -> None:
    """What another process sees: none of this process's loaded frames."""
    with store._LOCK:
        store._FRAMES.clear()
        store._CUBES.clear()


@pytest.mark.django_db
def test_a_reader_whose_version_was_superseded_reads_the_newer_copy(
    django_capture_on_commit_callbacks: Any,
) -> None:
    c, responses = f.populated_campaign(per_commune=4)
    first = selectors.load(c)
    # other processes refresh the copy twice (the second removes the first version's parts) ...
    for seed in (7, 8):
        f.response(c, commune=responses[seed - 7].commune, seed=seed, size="small")
        with django_capture_on_commit_callbacks(execute=True):
            services.refresh_campaign(c.pk)
    _forget_in_this_process()
    for path in store.store_dir().glob(f"{store.db_tag()}-c{c.pk}-part-*"):
        path.unlink()  # a node that had not fetched the first version's parts
    newer = Snapshot.objects.get(campaign=c)
    assert newer.version == first.snapshot.version + 2
    # ... between this reader's read of the snapshot row and of its parts: the stale parts
    # read as gone, and the reader goes on with the newer copy without rebuilding it
    with pytest.raises(store.PartGoneError):
        store.read_snapshot(first.snapshot, first.layout)
    loaded = selectors.load(c)
    assert store.key_of(loaded.snapshot) == store.key_of(newer)
    assert loaded.frame.height == len(responses) + 2


@pytest.mark.django_db
def test_a_damaged_part_in_the_database_is_not_read_but_rebuilt() -> None:
    from thuocdo.analytics.models import SnapshotPart

    c, _responses = f.populated_campaign(per_commune=4)
    before = selectors.load(c)
    expected = _frame(c.pk).sort("response_id")
    _forget_in_this_process()
    for path in store.store_dir().glob(f"{store.db_tag()}-c{c.pk}-part-*"):
        path.unlink()  # a node that has not read the copy yet
    part = SnapshotPart.objects.filter(campaign=c).order_by("pk").first()
    assert part is not None
    data = bytes(part.data)
    part.data = data[: len(data) // 2]  # truncated
    part.save()
    loaded = selectors.load(c)
    assert loaded.snapshot.version == before.snapshot.version + 1
    assert not SnapshotPart.objects.filter(pk=part.pk).exists() or part.pk not in {
        p[0] for p in loaded.snapshot.parts.values()
    }
    assert_frame_equal(
        loaded.frame.sort("response_id"), expected, check_exact=True, categorical_as_str=True
    )


@pytest.mark.django_db
def test_a_damaged_cached_part_is_fetched_again() -> None:
    c, _responses = f.populated_campaign(per_commune=4)
    before = selectors.load(c)
    expected = before.frame.sort("response_id")
    _forget_in_this_process()
    cached = sorted(store.store_dir().glob(f"{store.db_tag()}-c{c.pk}-part-*"))
    assert cached
    for path in cached:
        path.write_bytes(path.read_bytes()[:100])
    loaded = selectors.load(c)
    assert loaded.snapshot.version == before.snapshot.version  # nothing rebuilt
    assert_frame_equal(
        loaded.frame.sort("response_id"), expected, check_exact=True, categorical_as_str=True
    )
    assert all(len(p.read_bytes()) > 100 for p in cached)


@pytest.mark.django_db
def test_two_nodes_with_their_own_disks_read_the_same_version(
    tmp_path: Path, settings: Any
) -> None:
    c, _responses = f.populated_campaign(per_commune=4)
    settings.ANALYTICS_STORE_DIR = str(tmp_path / "node-a")
    on_a = selectors.load(c)
    _forget_in_this_process()
    settings.ANALYTICS_STORE_DIR = str(tmp_path / "node-b")
    on_b = selectors.load(c)
    assert store.key_of(on_a.snapshot) == store.key_of(on_b.snapshot)
    assert_frame_equal(on_a.frame, on_b.frame, check_exact=True, categorical_as_str=True)
    assert list((tmp_path / "node-b" / "parts").iterdir())


@pytest.mark.django_db
def test_an_incremental_refresh_writes_only_the_provinces_that_changed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    c, responses = f.populated_campaign(per_commune=4)
    first = services.refresh_campaign(c.pk, full=True)
    provinces = set(Snapshot.objects.get(campaign=c).parts)
    assert first.parts_written == len(provinces) > 1
    f.response(c, commune=responses[0].commune, seed=11, size="small")
    result = services.refresh_campaign(c.pk)
    assert not result.full and result.changed == 1
    assert result.parts_written == 1
    assert result.rows == first.rows + 1


@pytest.mark.django_db
def test_importing_population_counts_again_reweights_the_copy() -> None:
    from thuocdo.assessments.models import Stratum
    from thuocdo.assessments.services import campaign_strata_import

    c, _ = f.populated_campaign(per_commune=4)
    slice_ = Slice(by=("province",))
    before = {
        r["province"]: r
        for r in selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)["rows"]
    }
    # the same cells, Hà Nội's counts tripled
    lines = ["commune_code,entity_type,size_class,population"]
    for s in Stratum.objects.filter(campaign=c).select_related("commune"):
        factor = 3 if s.commune.path.startswith("2025/01/") else 1
        lines.append(f"{s.commune.code},{s.entity_type},{s.size_class},{s.population * factor}")
    campaign_strata_import(scope=ADMIN, actor=None, campaign=c, data="\n".join(lines).encode())
    after = {
        r["province"]: r
        for r in selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=slice_)["rows"]
    }
    assert after["01"]["population"] == pytest.approx(3 * before["01"]["population"])
    assert after["79"]["population"] == pytest.approx(before["79"]["population"])
    assert after["01"]["n"] == before["01"]["n"]


@pytest.fixture
def queue() -> Any:
    """The real (in-memory) task queue, holding jobs instead of running them at once."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    HUEY.immediate = False
    try:
        yield HUEY
    finally:
        HUEY.immediate = True
        HUEY.flush()


@pytest.mark.django_db
def test_a_burst_of_submissions_queues_one_refresh(
    queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from thuocdo.analytics.tasks import refresh_campaign_task
    from thuocdo.assessments.services import response_submit, response_verify

    c, responses = f.populated_campaign(per_commune=2)
    commune = responses[0].commune
    drafts = [f.response(c, commune=commune, status="draft", seed=900 + i) for i in range(3)]
    for d in drafts:
        with django_capture_on_commit_callbacks(execute=True):
            response_submit(
                scope=ADMIN, actor=None, campaign=c, organisation=d.organisation, answers=d.answers
            )
    assert [t.args for t in queue.pending()] == [(c.pk,)]
    # the job reads every submission of the burst
    version = Snapshot.objects.filter(campaign=c).values_list("version", flat=True).first() or 0
    job = queue.dequeue()
    # run it as the test's own connection (a worker would close and reopen connections)
    queue.immediate = True
    queue.execute(job)
    queue.immediate = False
    snap = Snapshot.objects.get(campaign=c)
    assert snap.version > version
    assert snap.rows == Response.objects.filter(campaign=c, status="submitted").count()
    # once the job has started, the next change queues a new one
    with django_capture_on_commit_callbacks(execute=True):
        response_verify(scope=ADMIN, actor=None, response=drafts[0])
    assert [t.args for t in queue.pending()] == [(c.pk,)]
    assert queue.pending()[0].name == refresh_campaign_task.task_class.__name__


@pytest.mark.django_db
def test_a_reader_does_not_wait_for_a_queued_refresh(settings: Any) -> None:
    from django.core.cache import cache

    from thuocdo.analytics import tasks

    c, responses = f.populated_campaign(per_commune=4)
    first = selectors.load(c)
    f.response(c, commune=responses[0].commune, seed=21, size="small")
    settings.ANALYTICS_READER_WAIT_AFTER = 3600
    # a refresh job is already queued for the campaign (a worker will run it)
    cache.add(tasks._pending_key(c.pk), 1, timeout=60)
    try:
        served = selectors.load(c)
        assert store.key_of(served.snapshot) == store.key_of(first.snapshot)
        assert served.frame.height == len(responses)
    finally:
        cache.delete(tasks._pending_key(c.pk))
    # a change left waiting longer than the setting: the reader refreshes the copy itself
    settings.ANALYTICS_READER_WAIT_AFTER = 0
    cache.add(tasks._pending_key(c.pk), 1, timeout=60)
    try:
        fresh = selectors.load(c)
    finally:
        cache.delete(tasks._pending_key(c.pk))
    assert fresh.snapshot.version == first.snapshot.version + 1
    assert fresh.frame.height == len(responses) + 1
