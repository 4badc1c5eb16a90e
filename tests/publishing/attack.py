"""A determined anonymous reader of the public outputs, and the judge that scores what it got.

The reader asks the public API, the open-data files and the year view for every slice it can
think of (single values and filter lists), keeps every row that came back with values, and
combines pairs and triples of them by differencing: for cells ``A ⊇ B (⊇ C)``,

    m(A − B − C) = (W_A·m_A − W_B·m_B − W_C·m_C) / (W_A − W_B − W_C)

from the published populations ``W`` and means ``m``, and the same for every unmet-criterion
share. The judge knows the truth (the campaign's columnar copy) and counts a derivation as a
disclosure when the derived group has 1–4 respondents (or is a cell the release hid) and the
derived mean is within 1 point of the true one (an unmet share within 0.01).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from thuocdo.analytics import selectors
from thuocdo.assessments.models import Campaign

Atom = tuple[int, str, str, str, str]  # campaign, commune, sector, entity type, size
KEYS = ("province", "commune", "sector", "entity_type", "size")


@dataclass
class Cell:
    atoms: frozenset[Atom]
    population: float | None
    mean: float | None
    hidden: bool
    unmet: dict[str, float] = field(default_factory=dict)


@dataclass
class Truth:
    """Per atom (campaign × commune × sector × entity type × size): n, Σw, Σw·y and, per criterion, Σw over those
    it applies to and Σw over those who miss it."""

    n: dict[Atom, int]
    w: dict[Atom, float]
    wy: dict[Atom, float]
    applies: dict[Atom, dict[str, float]]
    misses: dict[Atom, dict[str, float]]
    province: dict[str, str]

    def of(self, atoms: Iterable[Atom]) -> tuple[int, float | None, dict[str, float]]:
        atoms = list(atoms)
        n = sum(self.n.get(a, 0) for a in atoms)
        w = sum(self.w.get(a, 0.0) for a in atoms)
        mean = sum(self.wy.get(a, 0.0) for a in atoms) / w if w > 0 else None
        shares: dict[str, float] = {}
        for code in {c for a in atoms for c in self.applies.get(a, {})}:
            app = sum(self.applies.get(a, {}).get(code, 0.0) for a in atoms)
            if app > 0:
                shares[code] = sum(self.misses.get(a, {}).get(code, 0.0) for a in atoms) / app
        return n, mean, shares


def truth_of(campaigns: Iterable[Campaign]) -> Truth:
    t = Truth({}, {}, {}, {}, {}, {})
    for c in campaigns:
        loaded = selectors.load(c)
        layout = loaded.layout
        for row in loaded.frame.iter_rows(named=True):
            atom = (
                c.pk,
                str(row["commune"]),
                str(row["sector"]),
                str(row["entity_type"]),
                str(row["size"]),
            )
            w = float(row["weight"])
            t.province[str(row["commune"])] = str(row["province"])
            t.n[atom] = t.n.get(atom, 0) + 1
            t.w[atom] = t.w.get(atom, 0.0) + w
            t.wy[atom] = t.wy.get(atom, 0.0) + w * float(row["overall"])
            app = t.applies.setdefault(atom, {})
            mis = t.misses.setdefault(atom, {})
            for code in layout.criteria:
                v = row.get(layout.criterion_col(code))
                if v is None:
                    continue
                app[code] = app.get(code, 0.0) + w
                if float(v) < layout.targets.get(code, 100.0):
                    mis[code] = mis.get(code, 0.0) + w
    return t


@dataclass
class Reader:
    client: Client
    truth: Truth
    cells: list[Cell] = field(default_factory=list)
    asked: int = 0
    refused: int = 0

    def universe(self, campaign_id: int) -> list[Atom]:
        return [a for a in self.truth.n if a[0] == campaign_id]

    def _atoms(self, campaign_id: int, constraint: Mapping[str, Iterable[str]]) -> frozenset[Atom]:
        want = {k: set(v) for k, v in constraint.items()}
        out = []
        for atom in self.universe(campaign_id):
            _c, commune, sector, entity_type, size = atom
            keys = {
                "province": self.truth.province[commune],
                "commune": commune,
                "sector": sector,
                "entity_type": entity_type,
                "size": size,
            }
            if all(keys[k] in vals for k, vals in want.items()):
                out.append(atom)
        return frozenset(out)

    def _keep(self, campaign_id: int, constraint: Mapping[str, Iterable[str]], row: Any) -> None:
        atoms = self._atoms(campaign_id, constraint)
        if not atoms:
            return
        hidden = bool(row.get("suppressed")) or row.get("mean") in (None, "")
        pop = row.get("population")
        mean = row.get("mean")
        self.cells.append(
            Cell(
                atoms,
                None if pop in (None, "") else float(pop),
                None if mean in (None, "") else float(mean),
                hidden,
            )
        )

    def aggregates(self, campaign: Campaign, target: int, params: dict[str, Any]) -> None:
        """One public API call; ``target`` is the campaign the rows are about (year view)."""
        self.asked += 1
        resp = self.client.get(f"/api/v1/public/campaigns/{campaign.pk}/aggregates", params)
        if resp.status_code != 200:
            self.refused += 1
            return
        data = resp.json()
        target = data.get("campaign", target)
        base = {k: str(v).split(",") for k, v in params.items() if k in KEYS}
        for row in data["items"]:
            constraint = dict(base)
            for k in data["by"]:
                constraint[k] = [str(row[k])]
            self._keep(target, constraint, row)

    def unmet(self, campaign: Campaign, target: int, params: dict[str, Any]) -> None:
        self.asked += 1
        summary = self.client.get(f"/api/v1/public/campaigns/{campaign.pk}/aggregates", params)
        resp = self.client.get(f"/api/v1/public/campaigns/{campaign.pk}/unmet", params)
        if resp.status_code != 200 or summary.status_code != 200 or not summary.json()["items"]:
            self.refused += 1
            return
        row = summary.json()["items"][0]
        target = summary.json().get("campaign", target)
        constraint = {k: str(v).split(",") for k, v in params.items() if k in KEYS}
        atoms = self._atoms(target, constraint)
        pop = row.get("population")
        shares = {
            r["criterion"]: float(r["share"])
            for r in resp.json()["items"]
            if r.get("share") is not None
        }
        if atoms and pop is not None and shares:
            self.cells.append(Cell(atoms, float(pop), row.get("mean"), False, shares))

    def download(self, campaign: Campaign, dataset: str) -> None:
        self.asked += 1
        resp = self.client.get(f"/public/{campaign.pk}/data/{dataset}.csv")
        if resp.status_code != 200:
            self.refused += 1
            return
        for row in csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))):
            constraint = {k: [row[k]] for k in KEYS if row.get(k) not in (None, "")}
            self._keep(campaign.pk, constraint, {**row, "suppressed": row["suppressed"] == "True"})


def read_everything(client: Client, campaigns: list[Campaign], truth: Truth) -> Reader:
    """Every slice a reader can ask for (every grouping, alone and within each single filter,
    and filter lists), the unmet view of each, the open-data files, on the latest campaign
    and, with ``year=``, on the earlier ones through it."""
    reader = Reader(client, truth)
    latest = max(campaigns, key=lambda c: c.year)
    groupings = (
        "", "province", "sector", "entity_type", "size", "province,sector", "province,commune",
        "province,entity_type", "province,size", "province,entity_type,size", "sector,size",
        "commune,sector",
    )  # fmt: skip
    for target in campaigns:
        year = {} if target.pk == latest.pk else {"year": str(target.year)}
        atoms = reader.universe(target.pk)
        values = {
            "commune": sorted({a[1] for a in atoms}),
            "sector": sorted({a[2] for a in atoms}),
            "entity_type": sorted({a[3] for a in atoms}),
            "size": sorted({a[4] for a in atoms}),
        }
        values["province"] = sorted({truth.province[c] for c in values["commune"]})
        singles: list[dict[str, str]] = [{}]
        for key, vals in values.items():
            singles += [{key: v} for v in vals]
        singles += [
            {"province": p, "sector": s} for p in values["province"] for s in values["sector"]
        ]
        singles += [
            {"commune": c, "sector": s} for c in values["commune"] for s in values["sector"]
        ]
        for filters in singles:
            reader.unmet(latest, target.pk, {**filters, **year})
            for by in groupings:
                reader.aggregates(latest, target.pk, {"by": by, **filters, **year})
        # filter lists: every value but one
        for key, vals in values.items():
            for v in vals:
                rest = ",".join(x for x in vals if x != v)
                if rest:
                    reader.aggregates(latest, target.pk, {key: rest, **year})
                    reader.unmet(latest, target.pk, {key: rest, **year})
        for dataset in (
            "province", "province-sector", "province-entity-size", "commune", "nation-sector",
        ):  # fmt: skip
            reader.download(target, dataset)
    return reader


@dataclass
class Findings:
    cells: set[frozenset[Atom]] = field(default_factory=set)
    single_organisations: set[frozenset[Atom]] = field(default_factory=set)
    answers: set[tuple[frozenset[Atom], str]] = field(default_factory=set)

    def __str__(self) -> str:
        return (
            f"{len(self.cells)} hidden cells recovered ({len(self.single_organisations)} single "
            f"organisations), {len(self.answers)} unmet-criterion answers recovered"
        )


def attack(reader: Reader) -> Findings:
    """Every pair and triple of published cells, differenced."""
    truth = reader.truth
    hidden_sets = {c.atoms for c in reader.cells if c.hidden}
    shown = [c for c in reader.cells if not c.hidden and c.population is not None]
    # one cell per atom set (the same cell asked twice adds nothing); unmet lists merged
    by_set: dict[frozenset[Atom], Cell] = {}
    for c in shown:
        kept = by_set.setdefault(c.atoms, Cell(c.atoms, c.population, c.mean, False, {}))
        if kept.mean is None:
            kept.mean = c.mean
        kept.unmet.update(c.unmet)
    cells = list(by_set.values())
    subsets: dict[frozenset[Atom], list[Cell]] = {
        a.atoms: [b for b in cells if b.atoms < a.atoms] for a in cells
    }
    found = Findings()

    def judge(a: Cell, parts: tuple[Cell, ...]) -> None:
        rest = a.atoms.difference(*[p.atoms for p in parts])
        if not rest:
            return
        n, true_mean, true_shares = truth.of(rest)
        if not (1 <= n < selectors.MIN_PUBLIC_N or rest in hidden_sets):
            return
        assert a.population is not None
        w = a.population - sum(p.population or 0.0 for p in parts)
        if w <= 0.5:
            return
        if a.mean is not None and all(p.mean is not None for p in parts) and true_mean is not None:
            wm = a.population * a.mean - sum((p.population or 0.0) * (p.mean or 0.0) for p in parts)
            if abs(wm / w - true_mean) <= 1.0:
                found.cells.add(rest)
                if n == 1:
                    found.single_organisations.add(rest)
        for code, share in a.unmet.items():
            if code not in true_shares or not all(code in p.unmet for p in parts):
                continue
            ws = a.population * share - sum((p.population or 0.0) * p.unmet[code] for p in parts)
            if abs(ws / w - true_shares[code]) <= 0.01:
                found.answers.add((rest, code))

    for a in cells:
        subs = subsets[a.atoms]
        for b in subs:
            judge(a, (b,))
        for b, c in itertools.combinations(subs, 2):
            if not b.atoms & c.atoms:
                judge(a, (b, c))
    return found
