"""The agency registry import: a CSV or XLSX file of state agencies, all rows or none.

Header (fixed names, any order): ``agency_code, name, entity_type, parent_code, commune_code``
and optionally ``admin_unit_code, address, contact_name, phone, email``. A row whose code is
already registered updates that agency; the others are created. A parent may be a row further
down the file: rows are taken parents first. Every row is checked by the same service as the
registry form and the API, so the messages are those of the fields; any problem rolls the whole
file back and is reported as ``row N, column: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.assessments.domain import agency
from thuocdo.assessments.importing.reader import read_table
from thuocdo.assessments.models import Organisation
from thuocdo.assessments.services.organisations import organisation_create, organisation_update
from thuocdo.core.text import clean

REQUIRED = ("agency_code", "name", "entity_type", "parent_code", "commune_code")
OPTIONAL = ("admin_unit_code", "address", "contact_name", "phone", "email")
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class AgencyRowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class AgencyImportError(ValidationError):
    """The file was refused; ``problems`` lists every row error (nothing was written)."""

    def __init__(self, problems: list[AgencyRowError]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


@dataclass(frozen=True)
class AgencyImportResult:
    created: int
    updated: int

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated}


def _order(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their parents first (a parent named in the file comes before its children);
    a cycle keeps the file order, and the service then names the missing parent."""
    by_code: dict[str, tuple[int, dict[str, str]]] = {}
    for row in rows:
        try:
            by_code.setdefault(agency.parse_agency_code(row[1]["agency_code"]).text, row)
        except agency.InvalidAgencyCodeError:
            continue
    out: list[tuple[int, dict[str, str]]] = []
    placed: set[int] = set()

    def place(row: tuple[int, dict[str, str]], depth: int = 0) -> None:
        if row[0] in placed or depth > 50:
            return
        try:
            parent_code = agency.parse_agency_code(row[1]["parent_code"]).text
        except agency.InvalidAgencyCodeError:
            parent_code = ""
        parent = by_code.get(parent_code)
        if parent is not None and parent[0] != row[0]:
            place(parent, depth + 1)
        if row[0] not in placed:
            placed.add(row[0])
            out.append(row)

    for row in rows:
        place(row)
    return out


def agencies_import(*, scope: Scope, actor: User | None, path: str | Path) -> AgencyImportResult:
    """Create or update the agencies of a file (officers, inside their area)."""
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers may import agencies."))
    table = read_table(path, max_bytes=MAX_BYTES)
    header = [clean(h).lstrip("\ufeff").lower() for h in table.header]
    missing = [k for k in REQUIRED if k not in header]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if missing or unknown:
        header_problems = [
            AgencyRowError(1, k, _("This column is missing from the header.")) for k in missing
        ] + [
            AgencyRowError(
                1,
                h or "∅",
                _("Unknown column; allowed: %(allowed)s.")
                % {"allowed": ", ".join(REQUIRED + OPTIONAL)},
            )
            for h in unknown
        ]
        raise AgencyImportError(header_problems)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        values = {h: clean(cells[i]) if i < len(cells) else "" for i, h in enumerate(header)}
        rows.append((number, values))
    problems: list[AgencyRowError] = []
    created = updated = 0
    with transaction.atomic():
        for number, values in _order(rows):
            data: dict[str, Any] = {k: v for k, v in values.items() if k in OPTIONAL and v}
            data |= {k: values[k] for k in REQUIRED}
            existing = None
            try:
                code = agency.parse_agency_code(values["agency_code"]).text
                existing = Organisation.objects.filter(
                    agency_code=code, merged_into__isnull=True
                ).first()
            except agency.InvalidAgencyCodeError:
                pass
            try:
                with transaction.atomic():
                    if existing is None:
                        organisation_create(scope=scope, actor=actor, data=data)
                        created += 1
                    else:
                        organisation_update(
                            scope=scope, actor=actor, organisation=existing, data=data
                        )
                        updated += 1
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    problems.extend(AgencyRowError(number, field, m) for m in messages)
            except PermissionDenied as exc:
                problems.append(AgencyRowError(number, "commune_code", str(exc)))
        if problems:
            transaction.set_rollback(True)
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        raise AgencyImportError(problems)
    return AgencyImportResult(created, updated)
