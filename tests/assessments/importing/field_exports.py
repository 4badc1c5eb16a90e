"""Exports of the campaign's own XLSForm in the layouts of KoboToolbox and ODK Central.

The layouts follow what KoboToolbox's export library (formpack) writes for each export
setting and what ODK Central's CSV export writes:

- Kobo "XML values and headers": field names, with or without the group names in the header
  (``customer/KH1`` or ``KH1``), joined with the group separator chosen at export; multiple
  choices as one column of space-separated option codes and/or one column per option
  (``customer/KH1/web``, ``1``/``0``); metadata ``_id``, ``_uuid``, ``_submission_time``,
  ``_validation_status``, ``_index``, ``meta/instanceID``, ``__version__``;
- Kobo "labels" (its default): the XLSForm labels in one language as headers (group labels as
  prefixes when groups are kept), option labels as cells, ``label/option label`` per option;
- ODK Central CSV: ``SubmissionDate`` first, group paths joined with ``-``, multiple choices as
  one column plus ``group-field/option`` split columns, then ``meta-instanceID``, ``KEY``,
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``.

Nothing here is imported by the product; the answers are drawn from a seeded generator and
returned with the file so that the test compares what was stored with what was exported.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from tests.assessments.importing.factories import tax_code, write_csv

from thuocdo.assessments.xlsform import EN, VI, xlsform_bytes
from thuocdo.frameworks.engine import Framework

CENTRAL_META = ("meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits",
                "FormVersion")  # fmt: skip


@dataclass
class Field:
    name: str
    kind: str  # text | select_one | select_multiple | number
    list_name: str
    groups: list[str]
    labels: dict[str, str]
    group_labels: dict[str, list[str]]


def form_fields(fw: Framework) -> tuple[list[Field], dict[str, dict[str, dict[str, str]]]]:
    """The questions of the product's XLSForm, and every list's choice labels by language."""
    wb = load_workbook(io.BytesIO(xlsform_bytes(fw, title=fw.name.vi)))
    survey, choices = wb["survey"], wb["choices"]
    cols = [c.value for c in next(survey.iter_rows(max_row=1))]
    out: list[Field] = []
    groups: list[tuple[str, dict[str, str]]] = []
    for values in survey.iter_rows(min_row=2, values_only=True):
        row = {k: str(v) if v is not None else "" for k, v in zip(cols, values, strict=False)}
        kind, name = row["type"], row["name"]
        labels = {"vi": row[f"label::{VI}"], "en": row[f"label::{EN}"]}
        if kind == "begin_group":
            groups.append((name, labels))
        elif kind == "end_group":
            groups.pop()
        elif kind and kind not in ("start", "end"):
            base, _, list_name = kind.partition(" ")
            out.append(
                Field(
                    name,
                    base if base.startswith("select") else "number" if list_name == "" and
                    base in ("integer", "decimal", "range") else base,
                    list_name,
                    [g for g, _ in groups],
                    labels,
                    {lang: [gl[lang] for _, gl in groups] for lang in ("vi", "en")},
                )
            )  # fmt: skip
    ccols = [c.value for c in next(choices.iter_rows(max_row=1))]
    lists: dict[str, dict[str, dict[str, str]]] = {}
    for values in choices.iter_rows(min_row=2, values_only=True):
        row = {k: str(v) if v is not None else "" for k, v in zip(ccols, values, strict=False)}
        for lang, col in (("vi", f"label::{VI}"), ("en", f"label::{EN}")):
            lists.setdefault(row["list_name"], {}).setdefault(lang, {})[row["name"]] = row[col]
    return out, lists


def submissions(fw: Framework, communes: list[str], n: int, seed: int = 5) -> list[dict[str, Any]]:
    """``n`` submissions: field name → XML value (multiples as lists of codes)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sub: dict[str, Any] = {
            "org_tax_code": tax_code(4000 + i),
            "org_name": f"Công ty Cổ phần Số {i}",
            "entity_type": "enterprise",
            "commune_code": communes[i % len(communes)],
            "vsic": "4711",
            "size_class": rng.choice(["micro", "small", "medium"]),
        }
        for c in fw.criteria():
            q = c.question
            if q.type == "single":
                sub[c.code] = rng.choice(q.options).code
            elif q.type == "multi":
                plain = [o.code for o in q.options if not o.exclusive]
                chosen = set(rng.sample(plain, rng.randint(1, min(3, len(plain)))))
                sub[c.code] = [o for o in plain if o in chosen]  # in the form's order
            elif q.type == "boolean":
                sub[c.code] = rng.choice(["yes", "no"])
            else:
                lo = int(q.min if q.min is not None else 0)
                hi = int(q.max if q.max is not None else lo + 50)
                sub[c.code] = str(rng.randint(lo, hi))
        sub["_uuid"] = f"0b7c3f6e-{i:04d}-4a7e-9d1c-5a8f2e4b{i:04d}"
        out.append(sub)
    return out


def kobo_export(
    fw: Framework,
    subs: list[dict[str, Any]],
    path: Path,
    *,
    lang: str | None = None,  # None: XML values and headers; "vi"/"en": labels
    groups: bool = True,
    sep: str = "/",
    multiple: str = "both",  # single | options | both
    fmt: str = "csv",
) -> Path:
    fields, lists = form_fields(fw)
    header: list[str] = ["start", "end"]
    getters: list[Any] = [lambda s: "2025-09-01T08:00:00.000+07:00",
                          lambda s: "2025-09-01T08:40:00.000+07:00"]  # fmt: skip

    def title(f: Field) -> str:
        own = f.labels[lang] if lang else f.name
        prefix = (f.group_labels[lang] if lang else f.groups) if groups else []
        return sep.join([*prefix, own])

    def label_of(f: Field, code: str) -> str:
        if not lang or not f.list_name:
            return code
        return lists[f.list_name][lang][code]

    for f in fields:
        if f.kind == "select_multiple":
            if multiple in ("single", "both"):
                header.append(title(f))
                getters.append(lambda s, f=f: " ".join(label_of(f, c) for c in s[f.name]))
            if multiple in ("options", "both"):
                for code in lists[f.list_name]["vi"]:
                    header.append(title(f) + sep + (label_of(f, code)))
                    getters.append(lambda s, f=f, code=code: "1" if code in s[f.name] else "0")
        else:
            header.append(title(f))
            getters.append(lambda s, f=f: label_of(f, s[f.name]) if f.list_name else s[f.name])
    meta = ["__version__", "meta/instanceID", "_id", "_uuid", "_submission_time",
            "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index"]  # fmt: skip
    edited = any(s.get("_deprecated") for s in subs)  # an edit in Kobo: meta/deprecatedID
    header += meta + (["meta/deprecatedID"] if edited else [])
    rows = []
    for i, s in enumerate(subs):
        row = [g(s) for g in getters]
        row += ["vKzPq4", f"uuid:{s['_uuid']}", str(1000 + i), s["_uuid"],
                "2025-09-01T01:41:00", "", "", "submitted_via_web", "", "", str(i + 1)]  # fmt: skip
        if edited:
            row.append(f"uuid:{s['_deprecated']}" if s.get("_deprecated") else "")
        rows.append(row)
    return _write(path, header, rows, fmt=fmt, delimiter=";")


def central_export(fw: Framework, subs: list[dict[str, Any]], path: Path) -> Path:
    fields, lists = form_fields(fw)
    header = ["SubmissionDate", "start", "end"]
    getters: list[Any] = [lambda s: "2025-09-01T01:41:00.000Z",
                          lambda s: "2025-09-01T08:00:00.000+07:00",
                          lambda s: "2025-09-01T08:40:00.000+07:00"]  # fmt: skip
    for f in fields:
        name = "-".join([*f.groups, f.name])
        header.append(name)
        if f.kind == "select_multiple":
            getters.append(lambda s, f=f: " ".join(s[f.name]))
            for code in lists[f.list_name]["vi"]:
                header.append(f"{name}/{code}")
                getters.append(lambda s, f=f, code=code: "1" if code in s[f.name] else "0")
        else:
            getters.append(lambda s, f=f: s[f.name])
    header += list(CENTRAL_META)
    rows = []
    for s in subs:
        key = f"uuid:{s['_uuid']}"
        row = [g(s) for g in getters]
        row += [key, key, "12", "Cán bộ xã", "0", "0", "", "approved",
                "collect:Xb2kq0", "0", "2025.1"]  # fmt: skip
        rows.append(row)
    return _write(path, header, rows, fmt="csv", delimiter=",")


def _write(
    path: Path, header: list[str], rows: list[list[str]], *, fmt: str, delimiter: str
) -> Path:
    if fmt == "csv":
        return write_csv(path, header, rows, delimiter=delimiter)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def expected_answers(fw: Framework, sub: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in fw.criteria():
        v = sub[c.code]
        t = c.question.type
        out[c.code] = (
            (v == "yes") if t == "boolean" else float(v) if t in ("number", "scale") else v
        )
    return out
