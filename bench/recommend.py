"""Ecosystem benchmark: recommendations for one response, and next-level plans in bulk.

    .venv/bin/python bench/recommend.py [--solutions 10000] [--responses 1000000]

1. Recommendations: a throw-away SQLite database with the built-in criteria sets and a
   generated catalogue of ``--solutions`` approved solutions (tags from the shared vocabulary,
   some criterion codes, sectors, entity types, promotions). For random sme-dx responses it
   times ``recommend.recommend`` end to end (catalogue-state query + cached inverted index +
   ranking) against the naive scan of every solution in the same run. Target: p95 ≤ 50 ms.
2. Next-level plans: ``--responses`` synthetic complete responses of the benchmark criteria set
   (bench/_synth.py: 50 criteria, conditions, gates, min_pillars levels); the batch planner
   (vectorised, confirmed by the batch scorer) against the scalar planner on a sample,
   extrapolated. Target: ≤ 60 s for 1,000,000 responses.
Reports medians, p95, ratios and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def setup_django(tmp: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from thuocdo.frameworks import builtins

    builtins.load()


def make_catalogue(n: int, rng: random.Random) -> None:
    from thuocdo.assessments.models import EntityType
    from thuocdo.core.collation import vi_collation_key
    from thuocdo.ecosystem import vocabulary
    from thuocdo.ecosystem.models import Promotion, Provider, Solution, SolutionStatus
    from thuocdo.frameworks.models import FrameworkVersion

    tags = sorted(vocabulary.known_tags())
    fv = FrameworkVersion.objects.get(code="sme-dx")
    codes = [f"sme-dx:{c.code}" for c in fv.engine().criteria()]
    sectors = ["general", "retail", "tourism", "agriculture", "manufacturing", "logistics"]
    types = list(EntityType.values)
    providers = Provider.objects.bulk_create(
        [
            Provider(code=f"bench-{i}", name=f"Nhà cung cấp {i}", sort_key=f"{i:05d}")
            for i in range(200)
        ]
    )
    rows = []
    for i in range(n):
        name = f"Giải pháp thử tải {i}"
        rows.append(
            Solution(
                provider=providers[i % len(providers)],
                code=f"bench-{i}",
                name_vi=name,
                sort_key=vi_collation_key(name),
                category=rng.choice(["business", "finance", "security", "agriculture"]),
                solution_tags=rng.sample(tags, rng.randint(1, 4)),
                criteria=rng.sample(codes, rng.randint(1, 3)) if rng.random() < 0.1 else [],
                sectors=rng.sample(sectors, rng.randint(1, 2)) if rng.random() < 0.5 else [],
                entity_types=rng.sample(types, rng.randint(1, 3)) if rng.random() < 0.4 else [],
                status=SolutionStatus.APPROVED,
            )
        )
    made = Solution.objects.bulk_create(rows, batch_size=2000)
    from django.utils import timezone

    today = timezone.localdate()
    Promotion.objects.bulk_create(
        [
            Promotion(
                solution=s,
                title="Ưu đãi",
                free_trial_months=rng.choice([0, 3, 6, 12]) or 1,
                discount_percent=rng.choice([0, 10, 20]),
                valid_from=today,
            )
            for s in made
            if rng.random() < 0.2
        ],
        batch_size=2000,
    )


def random_answers(fw: Any, rng: random.Random) -> dict[str, Any]:
    from thuocdo.frameworks.engine import score

    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            answers[c.code] = rng.choice(q.options).code
        elif q.type == "boolean":
            answers[c.code] = rng.random() < 0.5
        elif q.type == "multi":
            answers[c.code] = [o.code for o in q.options if not o.exclusive and rng.random() < 0.3]
        elif q.type == "number":
            answers[c.code] = float(rng.randint(0, 40))
        else:
            answers[c.code] = float(rng.randint(int(q.min), int(q.max)))
    r = score(fw, answers, validate=False)
    return {k: v for k, v in answers.items() if r.criteria.get(k) is not None}


def bench_recommendations(n_solutions: int, samples: int, advice_samples: int = 50) -> None:
    from thuocdo.ecosystem import recommend
    from thuocdo.ecosystem.domain import matching
    from thuocdo.frameworks.engine import score
    from thuocdo.frameworks.models import FrameworkVersion

    rng = random.Random(2025)
    t0 = time.perf_counter()
    make_catalogue(n_solutions, rng)
    print(f"catalogue of {n_solutions} solutions generated in {time.perf_counter() - t0:.1f} s")
    fw = FrameworkVersion.objects.get(code="sme-dx").engine()
    t0 = time.perf_counter()
    catalogue = recommend.catalogue_for(fw)
    cold = time.perf_counter() - t0
    print(
        f"index build (cold, once per criteria-set version and catalogue change): {cold * 1000:.0f} ms"
    )
    cases = []
    for _ in range(samples):
        answers = random_answers(fw, rng)
        r = score(fw, answers)
        cases.append(
            (r, rng.choice(["retail", "general", "tourism"]), rng.choice(["enterprise", "shop"]))
        )
    fast: list[float] = []
    naive: list[float] = []
    for r, sector, etype in cases:
        t = time.perf_counter()
        got = recommend.recommend(fw, r.criteria, r.unmet, sector=sector, entity_type=etype)
        fast.append(time.perf_counter() - t)
        gap = matching.gaps(fw, r.criteria, r.unmet)
        t = time.perf_counter()
        ref = matching.recommend_naive(fw, catalogue.entries, gap, sector=sector, entity_type=etype)
        naive.append(time.perf_counter() - t)
        assert [m.entry.id for m in got] == [catalogue.entries[i].id for i, _, _ in ref]
    print(
        f"recommendations, {samples} responses: indexed p50 {pct(fast, 50) * 1000:.2f} ms, "
        f"p95 {pct(fast, 95) * 1000:.2f} ms; naive scan p50 {pct(naive, 50) * 1000:.2f} ms, "
        f"p95 {pct(naive, 95) * 1000:.2f} ms; speed-up (median) "
        f"{statistics.median(naive) / statistics.median(fast):.1f}×; target p95 ≤ 50 ms: "
        f"{'met' if pct(fast, 95) <= 0.05 else 'NOT met'}"
    )
    bench_advice(fv_of(fw), cases[:advice_samples], rng)
    print(f"peak resident memory so far: {peak_mib():.0f} MiB")


def fv_of(fw: Any) -> Any:
    from thuocdo.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(code=fw.code, version=fw.version)


def bench_advice(fv: Any, cases: list[Any], rng: random.Random) -> None:
    """What the result page and GET /responses/{id}/recommendations run per response:
    recommend.advice_for_response (both next-level plans, the recommendations, the plan text)."""
    from types import SimpleNamespace

    from thuocdo.ecosystem import recommend

    fw = fv.engine()
    times: list[float] = []
    exact = 0
    for i, (_, sector, etype) in enumerate(cases):
        answers = random_answers(fw, rng)
        r = score_of(fw, answers)
        response = SimpleNamespace(  # the fields advice_for_response reads of a stored response
            pk=i,
            framework=fv,
            answers=answers,
            criterion_scores=r.criteria,
            unmet=r.unmet,
            sector=sector,
            entity_type=etype,
        )
        t = time.perf_counter()
        advice = recommend.advice_for_response(response)
        times.append(time.perf_counter() - t)
        exact += bool(getattr(advice.plan, "exact", True))
    print(
        f"advice_for_response (result page / API), {len(cases)} responses: "
        f"p50 {pct(times, 50) * 1000:.0f} ms, p95 {pct(times, 95) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms; next-level plan proven smallest for {exact}"
    )


def score_of(fw: Any, answers: dict[str, Any]) -> Any:
    from thuocdo.frameworks.engine import score

    return score(fw, answers)


def synthetic(n: int) -> tuple[Any, Any, Any]:
    import _synth
    from thuocdo.frameworks.engine import BatchScorer, framework_from_dict

    d = _synth.framework_dict()
    fw = framework_from_dict(d)
    cols, answered = _synth.columns(d, n)
    rng = np.random.default_rng(7)
    for p in d["pillars"]:  # submitted responses are complete: fill the required gaps
        for c in p["criteria"]:
            if not c.get("required", True):
                continue
            col, q = cols[c["code"]], c["question"]
            if q["type"] == "single":
                m = col < 0
                col[m] = rng.integers(0, len(q["options"]), int(m.sum()))
            elif q["type"] == "boolean":
                m = col < 0
                col[m] = rng.integers(0, 2, int(m.sum()))
            elif q["type"] == "multi":
                m = ~answered[c["code"]]
                col[m] = np.uint64(1)
                answered[c["code"]][m] = True
            else:
                m = np.isnan(col)
                col[m] = rng.integers(1, 5, int(m.sum()))
    bs = BatchScorer(fw)
    return fw, bs, bs.from_columns(cols, answered)


def bench_plans(n: int, sample: int) -> None:
    from thuocdo.ecosystem.domain import next_level as nl
    from thuocdo.ecosystem.domain.next_level_batch import PLAN, BatchPlanner

    fw, bs, enc = synthetic(n)
    planner = BatchPlanner(fw, bs)
    t = time.perf_counter()
    plans = planner.plan(enc)
    batch = time.perf_counter() - t
    t = time.perf_counter()
    after = planner.plan(enc, steps_ahead=2)
    batch_after = time.perf_counter() - t
    vectorised = int((plans.status == PLAN).sum())
    rows = np.random.default_rng(3).choice(n, size=min(sample, n), replace=False)
    scalar: list[float] = []
    changes_batch = []
    changes_scalar = []
    for i in rows:
        answers = bs.decode(enc, int(i))
        t = time.perf_counter()
        p = nl.plan_next_level(fw, answers).next
        scalar.append(time.perf_counter() - t)
        b = plans.plan(int(i), answers)
        if isinstance(p, nl.Plan) and isinstance(b, nl.Plan):
            changes_scalar.append(len(p.changes))
            changes_batch.append(len(b.changes))
    per_row = statistics.mean(scalar)
    print(
        f"next-level plans for {n} responses: batch {batch:.1f} s "
        f"({vectorised} vectorised, {len(plans.fallback)} by the scalar fallback); "
        f"plans to the level after: {batch_after:.1f} s ({len(after.fallback)} fallback); "
        f"target ≤ 60 s: {'met' if batch <= 60 else 'NOT met'}"
    )
    print(
        f"scalar planner on {len(rows)} sampled rows: median {statistics.median(scalar) * 1000:.1f} ms, "
        f"mean {per_row * 1000:.1f} ms → {per_row * n:.0f} s extrapolated to {n} rows; "
        f"batch speed-up {per_row * n / batch:.0f}×"
    )
    if changes_scalar:
        print(
            f"changes per plan on the sample: scalar mean {statistics.mean(changes_scalar):.2f}, "
            f"batch mean {statistics.mean(changes_batch):.2f}"
        )
    print(f"peak resident memory: {peak_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=int, default=10_000)
    parser.add_argument(
        "--samples", type=int, default=300, help="responses timed for recommendations"
    )
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--scalar-sample", type=int, default=100)
    parser.add_argument(
        "--advice-samples", type=int, default=50, help="responses timed for advice_for_response"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        bench_recommendations(args.solutions, args.samples, args.advice_samples)
    bench_plans(args.responses, args.scalar_sample)


if __name__ == "__main__":
    main()
