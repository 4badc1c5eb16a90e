"""``thuocdo aggregate``: rows, independent weighted means, CSV, suppression, bad input."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from tests.analytics import factories as f

from thuocdo.assessments.models import Response, Stratum
from thuocdo.cli import main


def _weighted_means_by_province(campaign_id: int) -> dict[str, tuple[int, float]]:
    """Post-stratified means computed directly from the rows (every cell has respondents)."""
    pop = {
        (s.commune_id, s.entity_type, s.size_class): s.population
        for s in Stratum.objects.filter(campaign_id=campaign_id)
    }
    responses = list(
        Response.objects.filter(campaign_id=campaign_id, status__in=["submitted", "verified"])
    )
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for r in responses:
        counts[(r.commune_id, r.entity_type, r.size_class)] += 1
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in responses:
        cell = (r.commune_id, r.entity_type, r.size_class)
        w = pop[cell] / counts[cell]
        prov = r.unit_path.split("/")[1]
        sums[prov][0] += w * r.overall
        sums[prov][1] += w
        sums[prov][2] += 1
    return {p: (int(v[2]), v[0] / v[1]) for p, v in sums.items()}


@pytest.mark.django_db
def test_aggregate_by_province_json(capsys: pytest.CaptureFixture[str]) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    assert main(["aggregate", str(c.pk), "--by", "province"]) == 0
    rows = json.loads(capsys.readouterr().out)
    expected = _weighted_means_by_province(c.pk)
    assert [r["province"] for r in rows] == sorted(expected)
    for row in rows:
        assert set(row) == {"province", "n", "mean", "ci_low", "ci_high", "levels", "pillars"}
        n, mean = expected[row["province"]]
        assert row["n"] == n
        assert row["mean"] == pytest.approx(mean, abs=0.006)
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        assert sum(row["levels"].values()) == pytest.approx(1.0, abs=1e-3)
        assert set(row["levels"]) == {"0", "1", "2", "3", "4", "5"}
        assert len(row["pillars"]) == 6


@pytest.mark.django_db
def test_aggregate_public_suppresses_small_cells(capsys: pytest.CaptureFixture[str]) -> None:
    c, responses = f.populated_campaign(per_commune=6, provinces=("01", "79", "48"))
    # 3 respondents in the logistics sector only
    for r in responses[:3]:
        Response.objects.filter(pk=r.pk).update(sector="logistics")
    assert main(["aggregate", str(c.pk), "--by", "province,sector", "--public"]) == 0
    rows = json.loads(capsys.readouterr().out)
    small = [r for r in rows if r["sector"] == "logistics"]
    assert len(small) == 1
    assert small[0]["suppressed"] is True
    assert small[0]["n"] == 3
    for key in ("mean", "ci_low", "ci_high", "levels", "pillars"):
        assert small[0][key] is None
    assert all(r["suppressed"] for r in rows if r["n"] < 5)
    shown = [r for r in rows if not r["suppressed"]]
    assert shown
    assert all(r["mean"] is not None for r in shown)
    # complementary suppression: no province or sector has a single hidden row
    for key, other in (("province", "sector"), ("sector", "province")):
        for value in {r[other] for r in rows}:
            members = [r for r in rows if r[other] == value]
            assert sum(r["suppressed"] for r in members) != 1 or len(members) == 1, (key, value)
    # without --public the same cell is shown
    assert main(["aggregate", str(c.pk), "--by", "province,sector"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert next(r for r in rows if r["sector"] == "logistics")["mean"] is not None


@pytest.mark.django_db
def test_aggregate_csv_matches_json(capsys: pytest.CaptureFixture[str]) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    assert main(["aggregate", str(c.pk), "--by", "province,size"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert main(["aggregate", str(c.pk), "--by", "province,size", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == len(rows)
    for row, line in zip(rows, table, strict=True):
        assert line["province"] == row["province"]
        assert line["size"] == row["size"]
        assert int(line["n"]) == row["n"]
        assert float(line["mean"]) == pytest.approx(row["mean"])
        assert float(line["level_0"] or 0) == pytest.approx(row["levels"]["0"] or 0)
        assert float(line["pillar_strategy"]) == pytest.approx(row["pillars"]["strategy"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--by", "district"], "district"),
        (["--province", "99"], "99"),
        (["--province", "abc"], "abc"),
        (["--sector", "nonexistent-sector"], "nonexistent-sector"),
        (["--size", "huge"], "huge"),
        (["--year", "20x5"], "20x5"),
    ],
)
def test_aggregate_bad_input_exits_1_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    c, _ = f.populated_campaign(per_commune=1, provinces=("01",), communes=1)
    assert main(["aggregate", str(c.pk), *args]) == 1
    err = capsys.readouterr().err
    assert needle in err


@pytest.mark.django_db
def test_aggregate_unknown_campaign(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aggregate", "999999"]) == 1
    assert "999999" in capsys.readouterr().err


@pytest.mark.django_db
def test_analytics_refresh_prints_the_contract_json(capsys: pytest.CaptureFixture[str]) -> None:
    c, responses = f.populated_campaign(per_commune=4)
    assert main(["analytics", "refresh", str(c.pk), "--full"]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    out = json.loads(line)
    assert list(out) == ["campaign", "rows", "changed", "full", "seconds"]
    assert out["campaign"] == c.pk
    assert out["rows"] == len(responses) == out["changed"]
    assert out["full"] is True
    assert isinstance(out["seconds"], float) and out["seconds"] >= 0
    # nothing changed since: an incremental refresh reads nothing
    assert main(["analytics", "refresh", str(c.pk)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["full"], again["changed"], again["rows"]) == (False, 0, len(responses))
    f.response(c, commune=responses[0].commune, seed=3, size="small")
    assert main(["analytics", "refresh", str(c.pk)]) == 0
    third = json.loads(capsys.readouterr().out)
    assert (third["full"], third["changed"], third["rows"]) == (False, 1, len(responses) + 1)


@pytest.mark.django_db
def test_analytics_refresh_of_an_unknown_campaign_fails_with_a_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analytics", "refresh", "987654"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "987654" in captured.err and "đợt đánh giá" in captured.err
