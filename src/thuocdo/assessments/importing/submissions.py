"""Field submissions keep their identity across imports.

A KoboToolbox/ODK export gives every row the id of its submission (``meta/instanceID``,
``_uuid``, ODK Central's ``KEY``); the response stores it. On a later import:

- the same id with the same content (answers, organisation name, size class) is a duplicate;
- the same id with changed content is an edit: the response is updated (its previous state kept
  as a :class:`~thuocdo.assessments.models.ResponseRevision`, an audit event, scores
  recomputed, the analytics copy refreshed), or, with ``on_edit="conflict"``, reported as a
  conflict and left as it is (KoboToolbox answers such a write with 409);
- an edit made in the field server carries ``meta/deprecatedID``, the id it replaces: the
  response of that id (or of any earlier id of the same response) is the one edited, and
  takes the new id;
- an id that a response had before it was edited (an older version) is a duplicate;
- within one file, a row replaced by another row (its id is another row's ``deprecatedID``)
  and a second row with the same id are duplicates.

So the organisation of an already imported submission is never created a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils import timezone

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Campaign, Organisation, Response, ResponseRevision
from thuocdo.assessments.services.responses import response_snapshot
from thuocdo.frameworks.engine import score

from .layouts import SubmissionIds
from .messages import ImportProblem
from .validate import Prepared
from .writer import collation_key, folded

OnEdit = Literal["update", "conflict"]
ON_EDIT: tuple[str, ...] = ("update", "conflict")
LOOKUP_CHUNK = 500


@dataclass
class SubmissionPlan:
    """What the ids of a file decide before anything is written: the id of each prepared row,
    the rows not to insert (``skip``), the responses to update (prepared row, response)."""

    ids: list[str | None]
    skip: set[int] = field(default_factory=set)
    updates: list[tuple[int, Response]] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[ImportProblem] = field(default_factory=list)


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[a : a + LOOKUP_CHUNK] for a in range(0, len(values), LOOKUP_CHUNK)]


def _same(response: Response, prepared: Prepared, i: int) -> bool:
    o = prepared.orgs[i]
    org = response.organisation
    return (
        response.answers == prepared.answers[i]
        and org.name == o.name
        and (response.size_class or "") == (o.size_class or "")
    )


def plan_submissions(
    *,
    campaign: Campaign,
    prepared: Prepared,
    found: SubmissionIds,
    row_numbers: list[int],
    on_edit: OnEdit = "update",
) -> SubmissionPlan:
    """See the module docstring. ``row_numbers`` are the table's row numbers, aligned with
    ``found``; ``prepared.row_numbers`` says which table row each prepared row is."""
    index = {n: k for k, n in enumerate(row_numbers)}
    ids: list[str | None] = []
    replaces: list[str] = []
    for n in prepared.row_numbers:
        k = index[n]
        ids.append(found.ids[k][:100] or None)
        replaces.append(found.replaces[k][:100])
    plan = SubmissionPlan(ids)
    if not any(ids):
        return plan
    replaced_in_file = {r for r in replaces if r}
    seen: set[str] = set()
    for i, sid in enumerate(ids):
        if sid is None:
            continue
        if sid in seen or sid in replaced_in_file:
            plan.skip.add(i)
            plan.duplicates += 1
        seen.add(sid)
    wanted = sorted({s for s in ids if s} | replaced_in_file)
    by_id: dict[str, Response] = {}
    for chunk in _chunks(wanted):
        for r in Response.objects.filter(campaign=campaign, submission_id__in=chunk).select_related(
            "organisation"
        ):
            assert r.submission_id is not None
            by_id[r.submission_id] = r
    earlier: dict[str, int] = {}
    for chunk in _chunks(wanted):
        earlier.update(
            ResponseRevision.objects.filter(
                response__campaign=campaign, submission_id__in=chunk
            ).values_list("submission_id", "response_id")
        )
    missing = set(earlier.values()) - {r.pk for r in by_id.values()}
    by_pk = {r.pk: r for r in by_id.values()}
    by_pk.update(
        {r.pk: r for r in Response.objects.filter(pk__in=missing).select_related("organisation")}
    )
    taken: set[int] = set()
    for i, sid in enumerate(ids):
        if sid is None or i in plan.skip:
            continue
        response = by_id.get(sid)
        if response is None and sid in earlier:
            # an id the response had before: an older version of a submission edited since
            plan.skip.add(i)
            plan.duplicates += 1
            continue
        if response is None:
            old = replaces[i]
            response = by_id.get(old) if old else None
            if response is None and old and old in earlier:
                response = by_pk.get(earlier[old])
        if response is None:
            continue
        plan.skip.add(i)
        if response.pk in taken or _same(response, prepared, i):
            plan.duplicates += 1
            continue
        taken.add(response.pk)
        if on_edit == "conflict":
            plan.conflicts.append(
                ImportProblem(
                    prepared.row_numbers[i],
                    found.column,
                    sid,
                    "submission.conflict",
                    {"id": sid, "response": response.pk},
                )
            )
        else:
            plan.updates.append((i, response))
    return plan


def apply_updates(
    *, campaign: Campaign, prepared: Prepared, plan: SubmissionPlan, actor: User | None
) -> int:
    """Update the responses of edited submissions (inside the caller's transaction)."""
    if not plan.updates:
        return 0
    fw = campaign.framework.engine()
    now = timezone.now()
    for i, response in plan.updates:
        before = response_snapshot(response)
        org: Organisation = response.organisation
        ResponseRevision.objects.create(
            response=response,
            submission_id=response.submission_id or "",
            answers=response.answers,
            overall=response.overall,
            level=response.level,
            pillar_scores=response.pillar_scores,
            organisation_name=org.name,
            replaced_by=actor,
        )
        o = prepared.orgs[i]
        result = score(fw, prepared.answers[i], validate=False)
        response.answers = prepared.answers[i]
        response.overall = result.overall
        response.level = result.level
        response.pillar_scores = dict(result.pillars)
        response.pillar_levels = dict(result.pillar_levels)
        response.criterion_scores = dict(result.criteria)
        response.unmet = list(result.unmet)
        response.submission_id = plan.ids[i]
        response.size_class = o.size_class
        response.framework_id = campaign.framework_id
        response.submitted_at = now
        response.save()
        if org.name != o.name or org.size_class != o.size_class:
            org.name = o.name
            org.name_folded = folded(o.name)
            org.sort_key = collation_key(o.name)
            org.size_class = o.size_class or org.size_class
            org.save(update_fields=["name", "name_folded", "sort_key", "size_class", "updated_at"])
        after: dict[str, Any] = response_snapshot(response)
        after["submission_id"] = response.submission_id
        audit_record(
            actor=actor,
            action="response.import_edit",
            object_type="assessments.response",
            object_id=response.pk,
            before=before,
            after=after,
            unit_path=response.unit_path,
        )
    return len(plan.updates)
