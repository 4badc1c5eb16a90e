"""Recommendations: unmet criteria matched to approved solutions, ranked by weighted gap."""

from __future__ import annotations

from typing import Any

import pytest

from thuocdo.ecosystem import recommend
from thuocdo.ecosystem.domain import matching
from thuocdo.frameworks.engine import Framework, score

from . import factories as f

pytestmark = pytest.mark.django_db


def gaps_by_hand(fw: Framework, answers: dict[str, Any]) -> dict[str, float]:
    r = score(fw, answers)
    out = {}
    for p in fw.pillars:
        for c in p.criteria:
            s = r.criteria[c.code]
            if s is not None and s < c.target:
                out[c.code] = c.weight * p.weight * (c.target - s)
    return out


def tagged(fw: Framework, gaps: dict[str, float]) -> list[tuple[str, str]]:
    """Unmet criteria with a tag no other unmet criterion shares, largest gap first."""
    owners: dict[str, set[str]] = {}
    for code in gaps:
        for t in fw.criterion(code).solution_tags:
            owners.setdefault(t, set()).add(code)
    out = []
    for code in sorted(gaps, key=lambda c: -gaps[c]):
        for t in fw.criterion(code).solution_tags:
            if owners[t] == {code}:
                out.append((code, t))
                break
    return out


def test_ranking_follows_the_weighted_gap_and_shows_what_is_covered() -> None:
    fv = f.framework("sme-dx")
    fw = fv.engine()
    answers = f.low_answers(fv)
    gaps = gaps_by_hand(fw, answers)
    pairs = tagged(fw, gaps)
    assert len(pairs) >= 3
    (c1, t1), (c2, t2), (c3, t3) = pairs[0], pairs[1], pairs[-1]
    p = f.provider()
    small = f.solution(p, tags=[t3])
    both = f.solution(p, tags=[t2, t3])
    big = f.solution(p, tags=[t1])
    hidden = f.solution(p, tags=[t1, t2, t3], approved=False)
    r = score(fw, answers)
    matches = recommend.recommend(fw, r.criteria, r.unmet, limit=50)
    mine = [m for m in matches if m.entry.id in {small.pk, both.pk, big.pk, hidden.pk}]
    expected = {small.pk: gaps[c3], both.pk: gaps[c2] + gaps[c3], big.pk: gaps[c1]}
    assert {m.entry.id for m in mine} == set(expected)  # the unapproved one is not offered
    for m in mine:
        assert m.rank == pytest.approx(expected[m.entry.id])
    ranks = [m.rank for m in matches]
    assert ranks == sorted(ranks, reverse=True)
    by_id = {m.entry.id: m for m in matches}
    assert by_id[both.pk].covers == tuple(c for c in r.unmet if c in (c2, c3))
    assert by_id[big.pk].covers == (c1,)


def test_criterion_codes_match_like_tags_and_promotions_and_fit_change_the_rank() -> None:
    fv = f.framework("sme-dx")
    fw = fv.engine()
    answers = f.low_answers(fv)
    gaps = gaps_by_hand(fw, answers)
    code = max(gaps, key=lambda c: gaps[c])
    p = f.provider()
    plain = f.solution(p, criteria=[f"sme-dx:{code}"], sectors=["general"])
    promoted = f.solution(p, criteria=[f"sme-dx:{code}"])
    f.promotion(promoted, months=6)
    elsewhere = f.solution(p, criteria=[f"sme-dx:{code}"], sectors=["tourism"])
    r = score(fw, answers)
    matches = recommend.recommend(fw, r.criteria, r.unmet, sector="retail", limit=200)
    rank = {m.entry.id: m.rank for m in matches}
    covered = gaps[code]
    assert rank[plain.pk] >= covered  # may cover more via its tags: none here
    assert rank[plain.pk] == pytest.approx(covered)
    assert rank[promoted.pk] == pytest.approx(covered * matching.PROMO_POLICY)
    assert rank[elsewhere.pk] == pytest.approx(covered * matching.SECTOR_MISS)
    info = next(m for m in matches if m.entry.id == promoted.pk)
    assert recommend.match_dict(info)["promotion"]["meets_policy"] is True


def test_the_index_sees_a_newly_approved_solution() -> None:
    fv = f.framework("sme-dx")
    fw = fv.engine()
    answers = f.low_answers(fv)
    r = score(fw, answers)
    code = r.unmet[0]
    before = recommend.catalogue_for(fw).count_for(code)
    f.solution(f.provider(), criteria=[f"sme-dx:{code}"])
    assert recommend.catalogue_for(fw).count_for(code) == before + 1


def test_vectorised_matching_agrees_with_the_naive_scan() -> None:
    fv = f.framework("retail-dx")
    fw = fv.engine()
    tags = sorted({t for c in fw.criteria() for t in c.solution_tags})
    entries = [
        matching.Entry(
            id=i,
            name=str(i),
            tags=frozenset(tags[j % len(tags)] for j in range(i, i + 1 + i % 3)),
            criteria=frozenset(),
            sectors=frozenset(["retail"] if i % 2 else []),
            entity_types=frozenset(["shop"] if i % 5 == 0 else []),
            promotion=i % 3,
        )
        for i in range(300)
    ]
    answers = f.low_answers(fv)
    r = score(fw, answers)
    gap = matching.gaps(fw, r.criteria, r.unmet)
    fast = matching.Catalogue(fw, entries).recommend(
        gap, sector="tourism", entity_type="enterprise", limit=15
    )
    slow = matching.recommend_naive(
        fw, entries, gap, sector="tourism", entity_type="enterprise", limit=15
    )
    assert [(m.entry.id, m.covers) for m in fast] == [(i, covers) for i, _, covers in slow]
    assert [m.rank for m in fast] == pytest.approx([rank for _, rank, _ in slow])


def test_a_renamed_provider_shows_its_new_name_in_recommendations() -> None:
    from thuocdo.ecosystem.models import Provider

    fv = f.framework("sme-dx")
    fw = fv.engine()
    prov = f.provider()
    sol = f.solution(prov, tags=["crm"])
    first = recommend.catalogue_for(fw)
    entry = next(e for e in first.entries if e.id == sol.pk)
    assert entry.extra.provider == prov.name
    prov = Provider.objects.get(pk=prov.pk)
    prov.name = "Tên mới"
    prov.save()  # bumps the provider's updated_at, as any write through the models does
    again = recommend.catalogue_for(fw)
    assert next(e for e in again.entries if e.id == sol.pk).extra.provider == "Tên mới"
