"""The suppression pattern of a release (pure function): no set of fewer than 5 respondents
is in the span of the released cells, checked by brute force over every combination."""

from __future__ import annotations

import itertools
import random

import numpy as np

from thuocdo.analytics.domain.disclosure import atoms_of, protect


def _span_rank(rows: list[list[int]], n_atoms: int) -> int:
    m = np.zeros((len(rows), n_atoms))
    for i, r in enumerate(rows):
        m[i, r] = 1
    return int(np.linalg.matrix_rank(m)) if rows else 0


def _derivable_small_sets(
    cells: list[list[int]], counts: list[int], released: list[bool]
) -> list[tuple[int, ...]]:
    shown = [c for c, ok in zip(cells, released, strict=True) if ok and c]
    base = _span_rank(shown, len(counts))
    out = []
    atoms = [a for a in range(len(counts)) if counts[a] >= 1]
    for k in range(1, 5):
        for s in itertools.combinations(atoms, k):
            n = sum(counts[a] for a in s)
            if 1 <= n < 5 and _span_rank([*shown, list(s)], len(counts)) == base:
                out.append(s)
    return out


def _two_way(rows: int, cols: int, counts: list[int]) -> tuple[list[list[int]], list[int]]:
    """A rows × cols table with its margins and total: atoms are the inner cells."""
    cells = [[r * cols + c] for r in range(rows) for c in range(cols)]
    cells += [[r * cols + c for c in range(cols)] for r in range(rows)]
    cells += [[r * cols + c for r in range(rows)] for c in range(cols)]
    cells.append(list(range(rows * cols)))
    return cells, counts


def test_a_single_small_cell_of_a_margin_table_takes_others_with_it() -> None:
    cells, counts = _two_way(2, 2, [1, 9, 9, 9])
    pattern = protect(cells, counts)
    assert pattern.released[0] is False
    assert pattern.secondary >= 2  # its row and its column must both stop giving it away
    assert not _derivable_small_sets(cells, counts, pattern.released)
    # primary suppression alone would leave it derivable (total minus the three others)
    only_primary = [sum(counts[a] for a in c) >= 5 for c in cells]
    assert _derivable_small_sets(cells, counts, only_primary)


def test_nothing_is_hidden_without_small_cells() -> None:
    cells, counts = _two_way(3, 3, [7] * 9)
    pattern = protect(cells, counts)
    assert all(pattern.released) and pattern.primary == pattern.secondary == 0


def test_random_nested_tables_leave_no_small_set_derivable() -> None:
    rnd = random.Random(7)
    for _trial in range(25):
        rows, cols = rnd.randint(2, 4), rnd.randint(2, 3)
        counts = [rnd.choice([0, 1, 1, 2, 3, 6, 9, 14]) for _ in range(rows * cols)]
        cells, counts = _two_way(rows, cols, counts)
        # a second grouping that cuts across: pairs of rows
        cells += [
            [r * cols + c for r in (r0, r0 + 1) for c in range(cols)] for r0 in range(rows - 1)
        ]
        cells = [[a for a in c if counts[a] > 0] for c in cells]
        pattern = protect(cells, counts)
        assert not _derivable_small_sets(cells, counts, pattern.released), (counts, pattern)
        # every cell under 5 respondents is hidden
        for c, ok in zip(cells, pattern.released, strict=True):
            if 0 < sum(counts[a] for a in c) < 5:
                assert not ok


def test_atoms_group_respondents_of_the_same_cells() -> None:
    cells, counts = atoms_of([[0, 1, 2, 3], [0, 1], [2]], 4)
    assert counts.tolist() == [2, 1, 1]
    assert cells == [[0, 1, 2], [0], [1]]
