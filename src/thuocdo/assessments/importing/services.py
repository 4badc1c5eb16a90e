"""Import operations: read, validate, write (one transaction), audit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Campaign
from thuocdo.geo.models import Level, Structure, Unit, UnitMapping

from . import fieldservers
from .columns import map_header
from .fieldservers import Source
from .layouts import normalise, submission_ids, unrecognised_layout
from .messages import ImportProblem, ImportRefused, Lang
from .models import PullCursor
from .reader import Table, read_table
from .submissions import ON_EDIT, OnEdit, apply_updates, plan_submissions
from .validate import CommuneIssue, CommuneRef, Prepared, commune_codes, prepare
from .writer import Progress, write_responses

Mode = Literal["all-or-nothing", "valid-rows"]
MODES: tuple[str, ...] = ("all-or-nothing", "valid-rows")
LEVEL_NAMES = {"province": ("tỉnh/thành phố", "province"), "district": ("huyện", "district")}


@dataclass
class ImportOutcome:
    """What an import did: ``written`` is False when validation failed and nothing was written."""

    total: int = 0
    imported: int = 0
    duplicates: int = 0
    updated: int = 0
    organisations_created: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    written: bool = False

    def to_json(self, lang: Lang = "vi", *, limit: int | None = None) -> dict[str, Any]:
        """The CLI contract: imported, duplicates, errors (row, column, value, message)."""
        shown = self.problems if limit is None else self.problems[:limit]
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "updated": self.updated,
            "errors": [p.to_dict(lang) for p in shown],
            "error_count": len(self.problems),
            "warnings": [p.to_dict(lang) for p in self.warnings],
            "rows": self.total,
        }


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def communes_resolve(
    codes: Iterable[str], *, campaign: Campaign
) -> dict[str, CommuneRef | CommuneIssue]:
    """Current commune of each code (legacy codes mapped to the current commune that took over
    most of their territory), or why the code cannot be used."""
    codes = sorted(set(codes))
    out: dict[str, CommuneRef | CommuneIssue] = {}
    current = {u.code: u for u in Unit.objects.filter(structure=Structure.CURRENT, code__in=codes)}
    legacy_codes = [c for c in codes if c not in current]
    legacy: dict[str, Unit] = {}
    mappings = (
        UnitMapping.objects.filter(
            legacy__structure=Structure.LEGACY, legacy__code__in=legacy_codes
        )
        .select_related("legacy", "current")
        .order_by("-primary", "current__sort_key")
    )
    for m in mappings:
        legacy.setdefault(m.legacy.code, m.current)
    legacy_units = {
        u.code: u for u in Unit.objects.filter(structure=Structure.LEGACY, code__in=legacy_codes)
    }
    for code in codes:
        unit = current.get(code)
        if unit is None and code in legacy_units:
            if legacy_units[code].level != Level.COMMUNE:
                unit = legacy_units[code]
            else:
                unit = legacy.get(code)
        if unit is None:
            out[code] = CommuneIssue("commune.unknown")
        elif unit.level != Level.COMMUNE:
            out[code] = CommuneIssue(
                "commune.not_commune", {"level": LEVEL_NAMES.get(unit.level, (unit.level,))[0]}
            )
        elif not unit.path.startswith(campaign.unit_path):
            if unit.code != code and code in legacy_units:
                out[code] = CommuneIssue(
                    "commune.former_outside_area",
                    {
                        "former": legacy_units[code].name,
                        "became": unit.name,
                        "area": campaign.area_name,
                    },
                )
            else:
                out[code] = CommuneIssue("commune.outside_area", {"area": campaign.area_name})
        else:
            out[code] = CommuneRef(unit.code, unit.pk, unit.path)
    return out


def import_validate(
    *, campaign: Campaign, path: Path | None = None, table: Table | None = None
) -> Prepared:
    """Read and validate a file (or rows already read: a pull) against a campaign (no
    write). Raises ImportRefused."""
    if table is None:
        assert path is not None
        table = read_table(path, max_bytes=max_upload_bytes())
    found = submission_ids(table)
    fw = campaign.framework.engine()
    normalised = normalise(table, fw)
    table = normalised.table
    try:
        layout = map_header(table.header, fw)
    except ImportRefused as exc:
        raise ImportRefused(unrecognised_layout(exc.problems)) from None
    layout.labels = normalised.labels
    if not table.rows:
        raise ImportRefused([ImportProblem(1, "", "", "file.no_rows")])
    communes = communes_resolve(commune_codes(table, layout), campaign=campaign)
    prepared = prepare(
        table, fw, communes=communes, entity_types=campaign.entity_types or (), layout=layout
    )
    prepared.submissions = found if found.any else None
    prepared.table_rows = table.row_numbers
    return prepared


def responses_import(
    *,
    actor: User | None,
    campaign: Campaign,
    path: Path | None = None,
    mode: Mode = "all-or-nothing",
    progress: Progress | None = None,
    chunk_size: int = 5000,
    on_written: Callable[[ImportOutcome], None] | None = None,
    on_edit: OnEdit = "update",
    table: Table | None = None,
    audit: Mapping[str, Any] | None = None,
) -> ImportOutcome:
    """Import a file into a campaign. All-or-nothing: any problem → nothing written.
    Valid rows: rows with problems are skipped, the others written. Always one transaction;
    ``on_written`` is called inside it with the outcome, so what it records (a job's result)
    commits with the rows or not at all. A row of a submission imported before (the same
    field-server id) is a duplicate when unchanged, else an edit: ``on_edit="update"``
    updates the response, ``"conflict"`` reports it (see :mod:`.submissions`). ``table``
    instead of ``path``: rows already read (a pull from a field server); ``audit`` adds to
    the audit event."""
    if mode not in MODES:
        raise ValueError(mode)
    if on_edit not in ON_EDIT:
        raise ValueError(on_edit)
    if progress:
        progress("reading", 0, 0)
    try:
        prepared = import_validate(campaign=campaign, path=path, table=table)
    except ImportRefused as exc:
        return ImportOutcome(problems=exc.problems)
    outcome = ImportOutcome(
        total=prepared.total, problems=prepared.problems, warnings=prepared.warnings
    )
    if progress:
        progress("validated", prepared.total, prepared.total)
    if (prepared.problems and mode == "all-or-nothing") or not prepared.orgs:
        return outcome
    with transaction.atomic():
        ids: list[str | None] | None = None
        skip: frozenset[int] = frozenset()
        updated = earlier = 0
        if prepared.submissions is not None:
            plan = plan_submissions(
                campaign=campaign,
                prepared=prepared,
                found=prepared.submissions,
                row_numbers=prepared.table_rows,
                on_edit=on_edit,
            )
            if plan.conflicts:
                outcome.problems = sorted(
                    [*prepared.problems, *plan.conflicts], key=lambda p: p.row
                )
                if mode == "all-or-nothing":
                    return outcome
            ids, skip, earlier = plan.ids, frozenset(plan.skip), plan.duplicates
            updated = apply_updates(campaign=campaign, prepared=prepared, plan=plan, actor=actor)
        result = write_responses(
            campaign=campaign,
            prepared=prepared,
            actor_id=actor.pk if actor else None,
            progress=progress,
            chunk_size=chunk_size,
            submission_ids=ids,
            skip=skip,
        )
        audit_record(
            actor=actor,
            action="responses.import",
            object_type="campaign",
            object_id=campaign.pk,
            after={
                "file": path.name if path else "",
                "mode": mode,
                "on_edit": on_edit,
                "rows": prepared.total,
                "imported": result.imported,
                "duplicates": result.duplicates + earlier,
                "updated": updated,
                "conflicts": len(outcome.problems) - len(prepared.problems),
                "organisations_created": result.organisations_created,
                "errors": len(outcome.problems),
                **(audit or {}),
            },
            unit_path=campaign.unit_path,
        )
        if result.imported or updated:
            from thuocdo.analytics.tasks import queue_refresh

            queue_refresh(campaign.pk)
        outcome.imported = result.imported
        outcome.duplicates = result.duplicates + earlier
        outcome.updated = updated
        outcome.organisations_created = result.organisations_created
        outcome.written = True
        if on_written:
            on_written(outcome)
    return outcome


@dataclass
class PullOutcome:
    """A pull: what was fetched from where, and the import of it."""

    source: Source
    since: str | None
    fetched: int
    outcome: ImportOutcome
    cursor: str | None = None
    ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing new to fetch, or the fetched submissions were written."""
        return self.outcome.written or (self.fetched == 0 and not self.outcome.problems)

    def to_json(self, lang: Lang = "vi", *, limit: int | None = None) -> dict[str, Any]:
        """The file import's JSON plus ``source``, ``since``, ``fetched``; every error names
        the ``submission`` (its id on the server) of its row."""
        data = self.outcome.to_json(lang, limit=limit)
        for error in [*data["errors"], *data["warnings"]]:
            k = error["row"] - 2
            if 0 <= k < len(self.ids):
                error["submission"] = self.ids[k]
        return {"source": self.source.label, "since": self.since, "fetched": self.fetched, **data}


def _cursor_of(campaign: Campaign, source: Source) -> PullCursor | None:
    return PullCursor.objects.filter(
        campaign=campaign, kind=source.kind, server=source.server, form=source.form
    ).first()


def responses_pull(
    *,
    actor: User | None,
    campaign: Campaign,
    source: Source,
    mode: Mode = "all-or-nothing",
    on_edit: OnEdit = "update",
    full: bool = False,
    progress: Progress | None = None,
    chunk_size: int = 5000,
) -> PullOutcome:
    """Fetch the submissions of a field server's form since the campaign's last successful
    pull from it (all of them with ``full``), then import them through the same validation,
    identity and write path as a file. Every page is fetched before anything is written, and
    the cursor moves in the import's transaction: a failure (raised as
    :class:`~.fieldservers.PullError`) or an import that writes nothing leaves it where it
    was, and the next pull asks again for the same submissions."""
    stored = _cursor_of(campaign, source)
    since = None if full or stored is None or not stored.cursor else stored.cursor
    if progress:
        progress("fetching", 0, 0)
    fetched = fieldservers.pull(source, since)
    result = PullOutcome(
        source, since, fetched.fetched, ImportOutcome(), fetched.cursor, fetched.ids
    )
    if fetched.fetched == 0:
        return result

    def remember(_: ImportOutcome) -> None:
        row, _created = PullCursor.objects.select_for_update().get_or_create(
            campaign=campaign, kind=source.kind, server=source.server, form=source.form
        )
        row.cursor = max(filter(None, [row.cursor, fetched.cursor or ""]), default="")
        row.pulls += 1
        row.fetched = fetched.fetched
        row.pulled_at = timezone.now()
        row.save()

    result.outcome = responses_import(
        actor=actor,
        campaign=campaign,
        table=fetched.table,
        mode=mode,
        progress=progress,
        chunk_size=chunk_size,
        on_written=remember,
        on_edit=on_edit,
        audit={"source": source.label, "since": since, "fetched": fetched.fetched},
    )
    return result
