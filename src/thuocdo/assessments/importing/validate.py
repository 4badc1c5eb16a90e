"""Validate every row of an import table and score the valid ones (no Django here).

The database-dependent facts (which commune codes exist, and where) come in as a mapping
prepared by the caller, so this module stays pure and is benchmarked on its own.
Answers are parsed column by column with a per-column cache (cells repeat a lot: option
codes, 0/1, small numbers), encoded into the batch scorer's NumPy columns and scored with
:class:`~thuocdo.frameworks.engine.BatchScorer`; rows that leave a required, relevant criterion
unanswered are reported with the engine's ``answer.missing`` problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from thuocdo.assessments.domain.agency import (
    AGENCY_TYPES,
    InvalidAgencyCodeError,
    parse_agency_code,
)
from thuocdo.assessments.domain.identity import (
    InvalidIdentifierError,
    dedupe_key,
    normalise_identifier,
)
from thuocdo.core.text import clean, fold
from thuocdo.frameworks.engine import BatchResult, BatchScorer, Criterion, Framework
from thuocdo.frameworks.engine.batch import DTYPES
from thuocdo.frameworks.engine.scoring import missing_answers

from .columns import ENTITY_TYPES, REQUIRED_CONTRACT, SIZE_CLASSES, Layout, map_header, parse_answer
from .layouts import SubmissionIds
from .messages import ImportProblem
from .reader import Table

MAX_NAME = 300
MAX_CACHE = 20_000
_VSIC = re.compile(r"^([A-U]|\d{2,5})$")
_ENTITY_LOOKUP = {fold(k): k for k in ENTITY_TYPES} | {fold(v): k for k, v in ENTITY_TYPES.items()}
_SIZE_LOOKUP = {fold(k): k for k in SIZE_CLASSES} | {fold(v): k for k, v in SIZE_CLASSES.items()}


@dataclass(frozen=True)
class CommuneRef:
    """A current commune an import row belongs to."""

    code: str
    unit_id: int
    path: str


@dataclass(frozen=True)
class CommuneIssue:
    """Why a commune code cannot be used: ``commune.unknown``, ``commune.not_commune``…"""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrgRow:
    """The organisation columns of a valid row, normalised."""

    tax_code: str | None
    name: str
    entity_type: str
    commune: CommuneRef
    vsic: str
    size_class: str
    agency_code: str | None = None

    @property
    def key(self) -> str:
        """Identity within one file: the agency code or tax code, else the name + commune
        duplicate key."""
        return self.agency_code or self.tax_code or dedupe_key(self.name, self.commune.code)


@dataclass
class Prepared:
    """The outcome of validation: valid rows (organisations, answers, scores) and problems."""

    total: int
    row_numbers: list[int]
    orgs: list[OrgRow]
    answers: list[dict[str, Any]]
    scores: BatchResult | None
    problems: list[ImportProblem]
    # the field server's submission ids of the table's rows (set by the caller)
    submissions: SubmissionIds | None = None
    table_rows: list[int] = field(default_factory=list)
    # repairs made (leading zeros restored), one per row and column
    warnings: list[ImportProblem] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.problems})


COMMUNE_DIGITS = 5


def commune_codes(table: Table, layout: Layout) -> set[str]:
    """Distinct commune codes of the file, for the caller to resolve (with the code that a
    spreadsheet that dropped leading zeros had: ``556`` → ``00556``)."""
    j = layout.contract["commune_code"]
    codes = {clean(r[j]) for r in table.rows if j < len(r) and r[j].strip()}
    return codes | {c.zfill(COMMUNE_DIGITS) for c in codes if c.isdigit()}


def padded_identifier(raw: str) -> str | None:
    """A tax code or citizen ID whose one leading zero a spreadsheet dropped, when restoring it
    is unambiguous: 9 digits that are a valid 10-digit tax code with a leading 0, or 11 digits
    that are a valid 12-digit citizen ID with a leading 0 (no identifier has 9 or 11 digits)."""
    value = clean(raw)
    if not value.isdigit() or len(value) not in (9, 11):
        return None
    try:
        return normalise_identifier("0" + value)[1]
    except InvalidIdentifierError:
        return None


def prepare(
    table: Table,
    fw: Framework,
    *,
    communes: Mapping[str, CommuneRef | CommuneIssue],
    entity_types: Sequence[str] = (),
    layout: Layout | None = None,
    scorer: BatchScorer | None = None,
) -> Prepared:
    """Validate every row; see the module docstring."""
    layout = layout or map_header(table.header, fw)
    scorer = scorer or BatchScorer(fw)
    width = len(layout.labels)
    problems: list[ImportProblem] = []
    bad = np.zeros(len(table.rows), dtype=bool)
    rows = table.rows
    numbers = table.row_numbers

    shaped: list[list[str]] = []
    for i, cells in enumerate(rows):
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]
        elif len(cells) < width and table.format == "xlsx":
            cells = cells + [""] * (width - len(cells))
        if len(cells) != width:
            single = bool(table.delimiter) and len(cells) == 1
            problems.append(
                ImportProblem(
                    numbers[i],
                    "",
                    cells[0][:80] if single else "",
                    "row.cell_count_delimiter" if single else "row.cell_count",
                    {
                        "count": len(cells),
                        "expected": width,
                        "delimiter": {"\t": "tab"}.get(table.delimiter or "", table.delimiter),
                    },
                )
            )
            bad[i] = True
            cells = [""] * width
        shaped.append(cells)

    orgs: list[OrgRow | None] = []
    repaired: list[ImportProblem] = []
    allowed_types = list(entity_types)
    first_row: dict[str, int] = {}
    c_idx = layout.contract
    for i, cells in enumerate(shaped):
        if bad[i]:
            orgs.append(None)
            continue
        row_problems: list[ImportProblem] = []

        def add(
            key: str,
            value: str,
            code: str,
            rp: list[ImportProblem] = row_problems,
            n: int = numbers[i],
            **params: Any,
        ) -> None:
            rp.append(ImportProblem(n, layout.label(key), value, code, params))

        raw = {k: cells[j] for k, j in c_idx.items()}
        for k in REQUIRED_CONTRACT:
            if not raw[k].strip():
                add(k, raw[k], "row.required")
        tax: str | None = None
        agency_code: str | None = None
        is_agency = _code(_ENTITY_LOOKUP, raw["entity_type"]) in AGENCY_TYPES
        if is_agency:
            # the identifier column of a state agency holds its electronic identifier code
            try:
                agency_code = parse_agency_code(raw["org_tax_code"]).text
            except InvalidAgencyCodeError as exc:
                add("org_tax_code", raw["org_tax_code"], f"agency_code.{exc.code}")
        elif raw["org_tax_code"].strip():
            try:
                tax = normalise_identifier(raw["org_tax_code"])[1]
            except InvalidIdentifierError as exc:
                tax = padded_identifier(raw["org_tax_code"])
                if tax is None:
                    add("org_tax_code", raw["org_tax_code"], f"tax_code.{exc.code}")
                else:
                    repaired.append(_repair(numbers[i], layout.label("org_tax_code"),
                                            raw["org_tax_code"], tax))  # fmt: skip
        name = clean(raw["org_name"])
        if len(name) > MAX_NAME:
            add("org_name", raw["org_name"][:80], "row.too_long", length=len(name), limit=MAX_NAME)
        etype = ""
        if raw["entity_type"].strip():
            etype = _code(_ENTITY_LOOKUP, raw["entity_type"])
            if not etype:
                add(
                    "entity_type",
                    raw["entity_type"],
                    "entity_type.unknown",
                    allowed=", ".join(ENTITY_TYPES),
                )
            elif allowed_types and etype not in allowed_types:
                add(
                    "entity_type",
                    raw["entity_type"],
                    "entity_type.not_in_campaign",
                    allowed=", ".join(allowed_types),
                )
        size = ""
        if raw["size_class"].strip():
            size = _code(_SIZE_LOOKUP, raw["size_class"])
            if not size:
                add(
                    "size_class",
                    raw["size_class"],
                    "size_class.unknown",
                    allowed=", ".join(SIZE_CLASSES),
                )
        vsic = clean(raw["vsic"]).upper()
        if vsic and not _VSIC.match(vsic):
            add("vsic", raw["vsic"], "vsic.format")
        commune: CommuneRef | None = None
        code = clean(raw["commune_code"])
        if code:
            found = communes.get(code) or CommuneIssue("commune.unknown")
            fixed = code.zfill(COMMUNE_DIGITS)
            if (
                isinstance(found, CommuneIssue)
                and found.code == "commune.unknown"
                and code.isdigit()
                and fixed != code
                and isinstance(communes.get(fixed), CommuneRef)
            ):
                found = communes[fixed]
                repaired.append(_repair(numbers[i], layout.label("commune_code"), code, fixed))
            if isinstance(found, CommuneIssue):
                add("commune_code", raw["commune_code"], found.code, **dict(found.params))
            else:
                commune = found
        if row_problems or commune is None:
            problems.extend(row_problems)
            bad[i] = True
            orgs.append(None)
            continue
        org = OrgRow(tax, name, etype, commune, vsic, size, agency_code)
        first = first_row.get(org.key)
        if first is not None:
            by_code = bool(tax or agency_code)
            problems.append(
                ImportProblem(
                    numbers[i],
                    layout.label("org_tax_code" if by_code else "org_name"),
                    raw["org_tax_code"] if by_code else raw["org_name"],
                    "row.duplicate",
                    {"first": numbers[first], "key": org.key},
                )
            )
            bad[i] = True
            orgs.append(None)
            continue
        first_row[org.key] = i
        orgs.append(org)

    criteria = fw.criteria()
    parsed: dict[str, list[Any]] = {}
    encoded: dict[str, np.ndarray] = {}
    answered: dict[str, np.ndarray] = {}
    n = len(shaped)
    for c in criteria:
        j = layout.criteria[c.code]
        cache: dict[str, tuple[Any, Any, str | None, dict[str, object]]] = {}

        def lookup(raw_cell: str, c: Criterion = c, cache: dict[str, Any] = cache) -> Any:
            hit = cache.get(raw_cell)
            if hit is None:
                value, problem, params = parse_answer(c, raw_cell)
                hit = (value, _encode(c, None if problem else value), problem, params)
                if len(cache) < MAX_CACHE:
                    cache[raw_cell] = hit
            return hit

        column = [cells[j] for cells in shaped]
        get = cache.get
        hits: list[tuple[Any, Any, str | None, dict[str, object]]] = [
            get(v) or lookup(v) for v in column
        ]
        for i in [i for i, h in enumerate(hits) if h[2] is not None]:
            _, _, problem, params = hits[i]
            assert problem is not None
            problems.append(
                ImportProblem(
                    numbers[i],
                    layout.labels[j],
                    column[i],
                    problem,
                    {"criterion": c.code, **params},
                )
            )
            bad[i] = True
        values = [h[0] for h in hits]
        col = np.array([h[1] for h in hits], dtype=DTYPES[c.question.type])
        ans = np.array([h[0] is not None for h in hits], dtype=bool)
        parsed[c.code] = values
        encoded[c.code] = col
        answered[c.code] = ans

    valid = np.flatnonzero(~bad)
    scores: BatchResult | None = None
    if valid.size:
        enc_valid = scorer.from_columns(
            {k: v[valid] for k, v in encoded.items()},
            {k: v[valid] for k, v in answered.items() if _is_multi(fw, k)},
            n=int(valid.size),
            validate=False,
        )
        scores = scorer.score(enc_valid)
        incomplete = valid[~scores.complete]
        if incomplete.size:
            for i in incomplete.tolist():
                answers = {k: parsed[k][i] for k in parsed if parsed[k][i] is not None}
                for p in missing_answers(fw, answers):
                    j = layout.criteria[p.criterion]
                    problems.append(
                        ImportProblem(
                            numbers[i],
                            layout.labels[j],
                            "",
                            "answer.missing",
                            {"criterion": p.criterion},
                        )
                    )
                bad[i] = True
            valid = np.flatnonzero(~bad)
            scores = None
            if valid.size:
                scores = scorer.score(
                    scorer.from_columns(
                        {k: v[valid] for k, v in encoded.items()},
                        {k: v[valid] for k, v in answered.items() if _is_multi(fw, k)},
                        n=int(valid.size),
                        validate=False,
                    )
                )
    keep = valid.tolist()
    codes = [c.code for c in criteria]
    answers_out = [{k: parsed[k][i] for k in codes if parsed[k][i] is not None} for i in keep]
    valid_orgs = [orgs[i] for i in keep]
    problems.sort(key=lambda p: p.row)
    return Prepared(
        total=n,
        row_numbers=[numbers[i] for i in keep],
        orgs=[o for o in valid_orgs if o is not None],
        answers=answers_out,
        scores=scores,
        problems=problems,
        warnings=repaired,
    )


def _repair(row: int, column: str, value: str, fixed: str) -> ImportProblem:
    return ImportProblem(row, column, value, "repair.leading_zeros", {"fixed": fixed})


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    return fold(text)


def _code(lookup: Mapping[str, str], raw: str) -> str:
    """The code a cell names (code or Vietnamese name, folded), or ''."""
    return lookup.get(_folded(raw), "")


def _is_multi(fw: Framework, code: str) -> bool:
    return fw.criterion(code).question.type == "multi"


def _missing(c: Criterion) -> Any:
    t = c.question.type
    if t in ("number", "scale"):
        return np.nan
    if t == "multi":
        return 0
    return -1


def _encode(c: Criterion, value: Any) -> Any:
    """The batch scorer's column value of a parsed answer."""
    if value is None:
        return _missing(c)
    q = c.question
    if q.type == "single":
        return q.option_index[value]
    if q.type == "multi":
        mask = 0
        for v in value:
            mask |= 1 << q.option_index[v]
        return mask
    if q.type == "boolean":
        return 1 if value else 0
    return float(value)
