"""Export layouts of KoboToolbox and ODK Central, brought to the import contract (no Django).

A field server's export differs from the template in its header and, for labels exports, in its
cells. :func:`normalise` rewrites a :class:`~.reader.Table` so that :func:`.columns.map_header`
sees the contract's names, and returns the header as written in the file for messages:

- group prefixes are dropped whatever the separator (``customer/KH1``, ``customer.KH1``,
  ``customer-KH1``, ``customer:KH1``); no prefix is needed (Kobo's API default);
- metadata columns of Kobo (``_uuid``, ``meta/instanceID``, …) and of ODK Central
  (``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``, ``SubmitterName``,
  ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``,
  ``Edits``, ``FormVersion``) are set aside;
- a multiple choice exported as one column per option (``KH1/web``, ``customer-KH1/web``, 1/0
  cells) becomes one column of option codes when the file has no single column for it; when it
  has both, the single column is read and the per-option columns are set aside;
- headers written as the campaign's XLSForm labels (Vietnamese or English, Kobo's default
  "labels" export) are matched through those labels, and so are the cells: option labels,
  ``Có``/``Không``, ``Yes``/``No``, entity types and size classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from thuocdo.core.text import fold, nfc
from thuocdo.frameworks.engine import Criterion, Framework

from .columns import CONTRACT, ODK_META
from .messages import ImportProblem
from .reader import Table

CENTRAL_META = frozenset(
    fold(n)
    for n in (
        "SubmissionDate",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "instanceID",
        "deprecatedID",
        "formhub/uuid",
    )
)
META_GROUPS = ("meta", "formhub")
IGNORED = "_"  # a header renamed to this is ignored by map_header
_SEP = re.compile(r"[^0-9A-Za-z_]")
TRUTHY = frozenset({"1", "true", "yes", "có"})


@dataclass
class Normalised:
    """The table with contract headers, and the file's own header text of every column."""

    table: Table
    labels: list[str]
    label_values: dict[str, dict[str, str]] = field(default_factory=dict)


def _labels(fw: Framework) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Folded question label → field name; field name → folded choice label → code."""
    from thuocdo.assessments.xlsform import EN, VI, choice_rows, survey_rows

    names: dict[str, str] = {}
    names_of_list: dict[str, list[str]] = {}
    for row in survey_rows(fw):
        name = row.get("name", "")
        kind = row.get("type", "")
        if not name or kind in ("begin_group", "end_group", "start", "end"):
            continue
        for lang in (VI, EN):
            label = row.get(f"label::{lang}", "")
            if label:
                names.setdefault(fold(label), name)
        if kind.startswith("select_"):
            names_of_list.setdefault(kind.split()[1], []).append(name)
    for name in ("entity_type", "size_class"):
        names_of_list.setdefault(name, []).append(name)
    choices: dict[str, dict[str, str]] = {}
    for row in choice_rows(fw):
        for name in names_of_list.get(row["list_name"], []):
            for lang in (VI, EN):
                label = row.get(f"label::{lang}", "")
                if label:
                    choices.setdefault(name, {}).setdefault(fold(label), row["name"])
    return names, choices


def _strip_groups(text: str, groups: set[str]) -> tuple[str, bool]:
    """The header without its leading group names (any one-character separator)."""
    stripped = False
    changed = True
    while changed:
        changed = False
        for g in groups:
            if len(text) > len(g) + 1 and text.startswith(g) and _SEP.match(text[len(g)]):
                text = text[len(g) + 1 :]
                stripped = changed = True
                break
    return text, stripped


def normalise(table: Table, fw: Framework) -> Normalised:
    """See the module docstring."""
    labels = [nfc(h).strip().lstrip("\ufeff") for h in table.header]
    codes = {c.code: c for c in fw.criteria()}
    contract = set(CONTRACT)
    groups = {p.code for p in fw.pillars} | {p.name.vi for p in fw.pillars}
    groups |= {p.name.get("en") for p in fw.pillars} | set(META_GROUPS)
    label_names, label_choices = _labels(fw)
    header: list[str] = []
    options: dict[str, list[tuple[int, str]]] = {}
    singles: set[str] = set()
    by_label: set[str] = set()
    for i, text in enumerate(labels):
        name = _resolve(text, codes, contract, groups, label_names, label_choices, options, i)
        if name in codes and text != name and not text.endswith(name):
            by_label.add(name)
        if name in codes or name in contract:
            singles.add(name)
        header.append(name)
    merged = [c for c in options if c not in singles]
    if not merged and not by_label and header == labels:
        return Normalised(table, labels)
    width = len(labels)
    new_header = header + merged
    new_labels = labels + [_group_label(labels[options[c][0][0]]) for c in merged]
    rows: list[list[str]] = []
    translate = {
        j: label_choices[name]
        for j, name in enumerate(header)
        if name in label_choices and (name in by_label or name in ("entity_type", "size_class"))
    }
    for cells in table.rows:
        if len(cells) < width or any(c.strip() for c in cells[width:]):
            rows.append(cells)
            continue
        out = list(cells[:width])
        for j, mapping in translate.items():
            out[j] = _translate(out[j], mapping, multi=codes.get(header[j]) is not None
                                and codes[header[j]].question.type == "multi")  # fmt: skip
        for c in merged:
            chosen = [code for j, code in options[c] if fold(cells[j].strip()) in TRUTHY]
            out.append(" ".join(chosen))
        rows.append(out)
    new_table = Table(
        new_header, rows, table.row_numbers, table.format, table.encoding, table.delimiter
    )
    return Normalised(new_table, new_labels)


def _group_label(text: str) -> str:
    """``customer/KH1/web`` → ``customer/KH1/…``: the label of a merged column in messages."""
    m = _SEP.search(text[::-1])
    return text[: len(text) - m.start()] + "…" if m else text


def _translate(cell: str, mapping: dict[str, str], *, multi: bool) -> str:
    """A labels-export cell in codes (left as it is when it is not a label)."""
    text = cell.strip()
    if not text:
        return cell
    hit = mapping.get(fold(text))
    if hit is not None:
        return hit
    if not multi:
        return cell
    # Several labels separated by spaces (labels may contain spaces): longest first.
    folded = fold(text)
    found: list[str] = []
    ordered = sorted(mapping, key=len, reverse=True)
    while folded:
        folded = folded.strip()
        for label in ordered:
            if folded.startswith(label) and (
                len(folded) == len(label) or folded[len(label)] == " "
            ):
                found.append(mapping[label])
                folded = folded[len(label) :]
                break
        else:
            return cell
    return " ".join(found)


def _resolve(
    text: str,
    codes: dict[str, Criterion],
    contract: set[str],
    groups: set[str],
    label_names: dict[str, str],
    label_choices: dict[str, dict[str, str]],
    options: dict[str, list[tuple[int, str]]],
    index: int,
) -> str:
    """The contract name of one header cell, ``_`` when it is to be ignored (a per-option
    column is recorded in ``options``), or the header itself when it is not recognised."""
    if text in codes or text in contract:
        return text
    if fold(text) in CENTRAL_META or text.startswith("_") or text.lower() in ODK_META:
        return IGNORED
    rest, stripped = _strip_groups(text, groups)
    if stripped and rest.split("/")[0] in META_GROUPS:
        return IGNORED
    if rest in codes or rest in contract:
        return rest
    if fold(rest) in CENTRAL_META or rest.startswith("_") or rest.lower() in ODK_META:
        return IGNORED
    # A per-option column: CODE<sep>option.
    for code, crit in codes.items():
        q = crit.question
        if q.type != "multi" or len(rest) <= len(code) + 1 or not rest.startswith(code):
            continue
        if not _SEP.match(rest[len(code)]):
            continue
        option = rest[len(code) + 1 :]
        if option in q.option_index:
            options.setdefault(code, []).append((index, option))
            return IGNORED
    name = label_names.get(fold(rest))
    if name:
        return name
    # A labels export: "question label/option label" (the question label may hold '/').
    for cut in range(len(rest) - 1, 0, -1):
        if not _SEP.match(rest[cut]) or rest[cut] == " ":
            continue
        head = label_names.get(fold(rest[:cut].strip()), "")
        if head in codes and codes[head].question.type == "multi":
            picked = label_choices.get(head, {}).get(fold(rest[cut + 1 :].strip()))
            if picked:
                options.setdefault(head, []).append((index, picked))
                return IGNORED
    # A labels export with groups: "group label/question label".
    for cut in range(len(rest)):
        if _SEP.match(rest[cut]) and rest[cut] != " ":
            tail = label_names.get(fold(rest[cut + 1 :].strip()))
            if tail:
                return tail
    return text


def _last_name(text: str) -> str:
    """``meta/instanceID``, ``meta-instanceID``, ``instanceID`` → ``instanceid``."""
    parts = _SEP.split(nfc(text).strip().lstrip("\ufeff"))
    return parts[-1].lower() if parts else ""


def clean_submission_id(value: str) -> str:
    """A submission id without the ``uuid:`` prefix (Kobo's ``_uuid`` has none)."""
    text = value.strip()
    return text[5:] if text.lower().startswith("uuid:") else text


@dataclass(frozen=True)
class SubmissionIds:
    """The field server's id of every row's submission ("" when the file has none) and the id
    of the submission it replaces (``meta/deprecatedID``: an edit), by row index."""

    ids: list[str]
    replaces: list[str]
    column: str = ""

    @property
    def any(self) -> bool:
        return any(self.ids)


def submission_ids(table: Table) -> SubmissionIds:
    """The submission ids of a field server's export: ``__id`` (Central's OData, pulled),
    ``meta/instanceID`` (Kobo, Collect),
    ``meta-instanceID`` or ``KEY`` (ODK Central), else ``_uuid`` (Kobo)."""
    names = [_last_name(h) for h in table.header]
    raw = [nfc(h).strip().lstrip("\ufeff") for h in table.header]
    tests = (
        lambda j: raw[j] == "__id",  # ODK Central's OData: the id of the submission, all versions
        lambda j: names[j] == "instanceid",
        lambda j: raw[j] == "KEY",
        lambda j: raw[j] == "_uuid",
    )
    column = next((j for t in tests for j in range(len(raw)) if t(j)), -1)
    replaced = next((j for j, n in enumerate(names) if n == "deprecatedid"), -1)

    def cell(cells: list[str], j: int) -> str:
        return clean_submission_id(cells[j]) if 0 <= j < len(cells) else ""

    return SubmissionIds(
        [cell(r, column) for r in table.rows],
        [cell(r, replaced) for r in table.rows],
        raw[column] if column >= 0 else "",
    )


UNKNOWN_FOR_LAYOUT = 3


def unrecognised_layout(problems: list[ImportProblem]) -> list[ImportProblem]:
    """Header problems, with many unknown columns said once as a layout to export again."""
    unknown = [p for p in problems if p.code == "column.unknown"]
    if len(unknown) < UNKNOWN_FOR_LAYOUT:
        return problems
    shown = ", ".join(repr(p.column) for p in unknown[:3])
    return [
        ImportProblem(1, "", "", "layout.unrecognised", {"count": len(unknown), "columns": shown})
    ]
