"""Bulk import of providers and solutions from CSV or XLSX (all rows or none).

One row per solution. Columns (header names, any order): ``provider_code``, ``provider_name``
(needed when the provider is new), ``provider_tax_code``, ``provider_email``,
``provider_website``, ``code``, ``name_vi``, ``name_en``, ``category``, ``description_vi``,
``description_en``, ``price_model``, ``price``, ``sectors``, ``entity_types``,
``solution_tags``, ``criteria`` (lists separated by ``;`` or ``,``), ``url``. Every problem is
reported with its row (2 = first data row), column, value and message; when there is any, nothing
is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.core.text import nfc
from thuocdo.ecosystem import services, vocabulary
from thuocdo.ecosystem.models import Provider, Solution, SolutionStatus

REQUIRED = ("provider_code", "code", "name_vi", "category")
SOLUTION_FIELDS = (
    "name_vi",
    "name_en",
    "category",
    "description_vi",
    "description_en",
    "price_model",
    "price",
    "sectors",
    "entity_types",
    "solution_tags",
    "criteria",
    "url",
)
PROVIDER_FIELDS = ("provider_name", "provider_tax_code", "provider_email", "provider_website")
KNOWN = frozenset(("provider_code", "code", *SOLUTION_FIELDS, *PROVIDER_FIELDS))


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class ImportFailedError(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    providers: int
    solutions: int


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file as header → text."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.active
        assert ws is not None
        it = ws.iter_rows(values_only=True)
        header = [nfc(str(h or "")).strip() for h in next(it, ())]
        rows = []
        for values in it:
            rows.append(
                {
                    h: "" if v is None else nfc(str(v)).strip()
                    for h, v in zip(header, values, strict=False)
                    if h
                }
            )
        wb.close()
        return rows
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(nfc(text)))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _errors_of(
    exc: ValidationError, row: int, data: dict[str, str], prefix: str = ""
) -> list[RowError]:
    out = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            column = prefix + field if prefix and field != "__all__" else field
            for m in messages:
                out.append(RowError(row, column, data.get(column, ""), m))
    else:
        out += [RowError(row, "", "", m) for m in exc.messages]
    return out


def catalogue_import(
    *, scope: Scope, actor: User | None, path: Path, approve: bool = False
) -> ImportResult:
    """Load a file; raises ImportFailedError with every row error (and writes nothing)."""
    if not scope.is_officer:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only an officer may import the catalogue."))
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, ValueError) as exc:
        raise ImportFailedError(
            [RowError(0, "", path.name, _("The file cannot be read: %(e)s") % {"e": exc})]
        ) from exc
    if not rows:
        raise ImportFailedError([RowError(1, "", "", _("The file has no data rows."))])
    missing = [c for c in REQUIRED if c not in rows[0]]
    unknown = [c for c in rows[0] if c not in KNOWN]
    errors: list[RowError] = [RowError(1, c, "", _("Required column missing.")) for c in missing]
    errors += [RowError(1, c, c, _("Unknown column.")) for c in unknown]
    if errors:
        raise ImportFailedError(errors)
    known_criteria = vocabulary.known_criteria()
    providers_new = 0
    solutions_new = 0
    seen_codes: dict[str, int] = {}
    try:
        with transaction.atomic():
            for n, row in enumerate(rows, start=2):
                code = row.get("code", "")
                if code in seen_codes:
                    errors.append(
                        RowError(
                            n,
                            "code",
                            code,
                            _("Same code as row %(row)s.") % {"row": seen_codes[code]},
                        )
                    )
                    continue
                seen_codes[code] = n
                try:
                    with transaction.atomic():
                        provider = Provider.objects.filter(code=row["provider_code"]).first()
                        if provider is None:
                            if not row.get("provider_name"):
                                errors.append(
                                    RowError(
                                        n, "provider_name", "", _("A new provider needs a name.")
                                    )
                                )
                                continue
                            try:
                                provider = services.provider_create(
                                    scope=scope,
                                    actor=actor,
                                    code=row["provider_code"],
                                    name=row["provider_name"],
                                    tax_code=row.get("provider_tax_code", ""),
                                    email=row.get("provider_email", ""),
                                    website=row.get("provider_website", ""),
                                )
                            except ValidationError as exc:
                                errors += _errors_of(exc, n, row, "provider_")
                                continue
                            providers_new += 1
                        data = {k: row[k] for k in SOLUTION_FIELDS if k in row}
                        if not data.get("price_model"):
                            data.pop("price_model", None)
                        solution = services.solution_create(
                            scope=scope,
                            actor=actor,
                            provider=provider,
                            code=code,
                            data=data,
                            known_criteria=known_criteria,
                        )
                        if approve:
                            services.solution_submit(scope=scope, actor=actor, solution=solution)
                            services.solution_review(
                                scope=scope, actor=actor, solution=solution, approve=True
                            )
                        else:
                            Solution.objects.filter(pk=solution.pk).update(
                                status=SolutionStatus.PENDING
                            )
                        solutions_new += 1
                except ValidationError as exc:
                    errors += _errors_of(exc, n, row)
            if errors:
                raise ImportFailedError(errors)
    except ImportFailedError:
        raise
    return ImportResult(providers=providers_new, solutions=solutions_new)
