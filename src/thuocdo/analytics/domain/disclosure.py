"""One suppression pattern over every table of a release, audited by linear algebra (no Django).

A released cell is the sum of its *atoms*: the groups of respondents that no two released
cells tell apart (respondents belonging to exactly the same cells). Every published total of a
cell (its population, its weighted sum of scores, of level indicators, of unmet criteria) is
the same indicator vector over the atoms applied to the atoms' totals, so what a reader can
work out by any linear combination of released cells (sums, differences, nested slices across
tables) is exactly the row space of the released cells' indicator matrix.

A set ``S`` of atoms is *disclosed* when its indicator ``e_S`` lies in that row space, i.e.
when it is orthogonal to the null space: ``Σ_{a∈S} N[a] = 0`` for a basis ``N`` of the null
space. :func:`protect` hides every cell under ``minimum`` respondents (primary suppression),
then, while some set of atoms with 1 to ``minimum - 1`` respondents is disclosed, hides the
released cell with the fewest respondents whose removal breaks the derivation (secondary
suppression). A hidden cell that stays derivable from the released ones is released again (it
tells nothing new), so a hidden value can never be worked out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space

TOL = 1e-8


@dataclass(frozen=True)
class Pattern:
    """``released[i]`` for every input cell; ``primary`` and ``secondary`` count the hidden
    distinct cells (as atom sets) of each kind."""

    released: list[bool]
    primary: int
    secondary: int
    atoms: int


def atoms_of(
    memberships: Sequence[Sequence[int]], respondents: int
) -> tuple[list[list[int]], np.ndarray]:
    """Group respondents ``0..respondents-1`` into atoms: ``memberships[c]`` lists the
    respondents of cell ``c``. Returns, per cell, its atom indices and the count per atom."""
    signature: list[list[int]] = [[] for _ in range(respondents)]
    for c, members in enumerate(memberships):
        for r in members:
            signature[r].append(c)
    index: dict[tuple[int, ...], int] = {}
    atom_of = np.empty(respondents, dtype=np.int64)
    for r, sig in enumerate(signature):
        atom_of[r] = index.setdefault(tuple(sig), len(index))
    counts = np.bincount(atom_of, minlength=len(index)) if respondents else np.zeros(0, int)
    cells = [sorted({int(atom_of[r]) for r in members}) for members in memberships]
    return cells, counts


def _rank(m: np.ndarray) -> int:
    return 0 if m.size == 0 else int(np.linalg.matrix_rank(m, tol=TOL * max(m.shape)))


def _in_span(m: np.ndarray, v: np.ndarray) -> bool:
    if m.shape[0] == 0:
        return not v.any()
    return _rank(np.vstack([m, v])) == _rank(m)


def disclosed_set(m: np.ndarray, counts: np.ndarray, minimum: int) -> list[int] | None:
    """A set of atoms with 1 to ``minimum - 1`` respondents whose total the rows of ``m``
    determine, or None. Exact search over every such set (at most ``minimum - 1`` atoms):
    halves of up to two atoms are matched on a random projection of their null-space sums,
    then checked on the whole vectors."""
    n_atoms = m.shape[1]
    if n_atoms == 0:
        return None
    basis = null_space(m) if m.shape[0] else np.eye(n_atoms)
    if basis.shape[1] == 0:
        alone = np.flatnonzero((counts >= 1) & (counts < minimum))
        return [int(alone[0])] if alone.size else None
    small = [a for a in range(n_atoms) if 1 <= counts[a] < minimum]
    if not small:
        return None
    rows = basis[small]
    norms = np.linalg.norm(rows, axis=1)
    for i, a in enumerate(small):
        if norms[i] < 1e-7:
            return [a]
    limit = minimum - 1
    # halves: one atom or two atoms, with their respondents
    halves: list[tuple[tuple[int, ...], int, np.ndarray]] = []
    for i in range(len(small)):
        halves.append(((i,), int(counts[small[i]]), rows[i]))
    for i in range(len(small)):
        for j in range(i + 1, len(small)):
            n = int(counts[small[i]] + counts[small[j]])
            if n <= limit:
                halves.append(((i, j), n, rows[i] + rows[j]))
    # a two-atom half alone
    for idx, _n, vec in halves:
        if len(idx) == 2 and np.linalg.norm(vec) < 1e-7:
            return [small[i] for i in idx]
    rnd = np.random.default_rng(0)
    direction = rnd.standard_normal(rows.shape[1])
    keys = np.array([float(vec @ direction) for _idx, _n, vec in halves])
    order = np.argsort(keys)
    sorted_keys = keys[order]
    for h, (idx, n, vec) in enumerate(halves):
        target = -keys[h]
        lo = np.searchsorted(sorted_keys, target - 1e-6, side="left")
        hi = np.searchsorted(sorted_keys, target + 1e-6, side="right")
        for pos in range(lo, hi):
            g = int(order[pos])
            if g <= h:
                continue
            idx2, n2, vec2 = halves[g]
            if n + n2 > limit or set(idx) & set(idx2):
                continue
            if np.linalg.norm(vec + vec2) < 1e-7:
                return [small[i] for i in (*idx, *idx2)]
    return None


def protect(
    cells: Sequence[Sequence[int]],
    counts: Sequence[int] | np.ndarray,
    *,
    minimum: int = 5,
    fixed: Sequence[bool] | None = None,
) -> Pattern:
    """The suppression pattern of a release: ``cells[c]`` lists the atoms of cell ``c`` and
    ``counts[a]`` the respondents of atom ``a``. Cells with the same atoms share their fate.

    ``fixed[c]``: cell ``c`` is already published (a released cell of an earlier release the
    new tables are audited with): it counts as released, is never hidden, and a new cell with
    the same atoms is released with it. ``primary`` and ``secondary`` count new cells only."""
    counts = np.asarray(counts, dtype=np.int64)
    fixed = [False] * len(cells) if fixed is None else list(fixed)
    n_atoms = len(counts)
    distinct: dict[tuple[int, ...], int] = {}
    of_cell = [distinct.setdefault(tuple(sorted(set(c))), len(distinct)) for c in cells]
    sets = list(distinct)
    vectors = np.zeros((len(sets), n_atoms))
    for i, s in enumerate(sets):
        vectors[i, list(s)] = 1.0
    n_of = np.array([int(counts[list(s)].sum()) if s else 0 for s in sets], dtype=np.int64)
    pinned = np.zeros(len(sets), dtype=bool)
    for c, is_fixed in enumerate(fixed):
        if is_fixed:
            pinned[of_cell[c]] = True
    released = np.array([not (0 < n < minimum) for n in n_of], dtype=bool) | pinned
    primary = int((~released).sum())
    secondary = 0
    while True:
        shown = np.flatnonzero(released & (n_of > 0))
        found = disclosed_set(vectors[shown], counts, minimum)
        if found is None:
            break
        target = np.zeros(n_atoms)
        target[found] = 1.0
        # the cells a derivation of the set uses (minimum-norm combination), fewest first
        coef = np.linalg.lstsq(vectors[shown].T, target, rcond=None)[0]
        touching = [
            int(i) for i, c in zip(shown, coef, strict=True) if abs(c) > 1e-9 and not pinned[i]
        ]
        if not touching:  # the published cells alone determine it: nothing new can help
            break
        touching.sort(key=lambda i: (n_of[i], i))
        choice: int = touching[0]
        for i in touching:
            rest = np.array([j for j in shown if j != i], dtype=np.int64)
            if not _in_span(vectors[rest], target):
                choice = i
                break
        released[choice] = False
        secondary += 1
    # a hidden cell the released ones determine anyway is released
    shown_m = vectors[np.flatnonzero(released & (n_of > 0))]
    for hidden in np.flatnonzero(~released).tolist():
        if n_of[hidden] >= minimum and _in_span(shown_m, vectors[hidden]):
            released[hidden] = True
            secondary -= 1
    return Pattern(
        [bool(released[of_cell[c]]) for c in range(len(cells))], primary, secondary, n_atoms
    )
