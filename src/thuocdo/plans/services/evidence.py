"""Evidence services: files (limited size and type) and links attached to tasks.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.plans import selectors
from thuocdo.plans.domain.workflow import (
    ALLOWED_EVIDENCE_TYPES,
    evidence_type_ok,
)
from thuocdo.plans.models import (
    Evidence,
    Task,
)
from thuocdo.plans.services.common import (
    evidence_max_bytes,
    record_update,
    today,
)

# --------------------------------------------------------------------------- evidence


def _read_upload(upload: Any) -> tuple[str, bytes]:
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    limit = evidence_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": _too_big(name, int(size), limit)})
    reader: IO[bytes] = upload
    data = reader.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _too_big(name, len(data), limit)})
    return name, data


def _too_big(name: str, size: int, limit: int) -> str:
    return _("File %(name)s is %(size)s MB; the limit is %(limit)s MB.") % {
        "name": name,
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{limit / 1024 / 1024:.0f}",
    }


@transaction.atomic
def task_evidence_add(
    *,
    actor: Any,
    task: Task,
    file: Any = None,
    url: str = "",
    title: str = "",
) -> Evidence:
    """Attach a file (limited size and type) or a link to a task."""
    task = Task.objects.select_related("plan", "plan__framework").get(pk=task.pk)
    selectors.require_task_edit(user=actor, task=task)
    title = clean(title or "")[:300]
    url = (url or "").strip()
    if (file is None) == (not url):
        raise ValidationError({"file": _("Give either a file or a link.")})
    evidence = Evidence(task=task, title=title, added_by=actor)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                {"url": _("The link must be a web address starting with http:// or https://.")}
            ) from None
        evidence.url = url
        evidence.save()
    else:
        name, data = _read_upload(file)
        if not evidence_type_ok(name, data[:16]):
            raise ValidationError(
                {
                    "file": _("File %(name)s is not an allowed type (%(types)s).")
                    % {"name": name, "types": ", ".join(sorted(ALLOWED_EVIDENCE_TYPES))}
                }
            )
        evidence.original_name = name[:255]
        evidence.size = len(data)
        evidence.file.save(name, ContentFile(data), save=False)
        evidence.save()
    record_update(
        task=task,
        actor=actor,
        kind="evidence",
        on=today(),
        note=title or evidence.original_name or evidence.url,
        changes={"evidence": evidence.pk},
    )
    task.last_report_on = max(task.last_report_on or today(), today())
    task.save(update_fields=["last_report_on", "updated_at"])
    audit_record(
        actor=actor,
        action="plans.evidence.add",
        object_type="plans.Task",
        object_id=task.pk,
        after={"evidence": evidence.pk, "file": evidence.original_name, "url": evidence.url},
        unit_path=task.plan.unit_path,
    )
    return evidence
