"""Writes for criteria-set versions: load, publish, retire, copy as a new draft."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.frameworks.engine import (
    Framework,
    content_hash,
    framework_to_dict,
    load_framework_text,
)
from thuocdo.frameworks.models import FrameworkVersion, Status


def _fields(fw: Framework) -> dict[str, Any]:
    return {
        "name_vi": fw.name.vi,
        "name_en": fw.name.en,
        "sector": fw.sector,
        "entity_types": list(fw.entity_types),
        "source": fw.source,
        "definition": framework_to_dict(fw),
        "content_hash": content_hash(fw),
        "pillar_count": len(fw.pillars),
        "criterion_count": sum(len(p.criteria) for p in fw.pillars),
    }


@transaction.atomic
def framework_version_load(
    *,
    actor: User | None,
    text: str | bytes,
    source_name: str = "<upload>",
    publish: bool = False,
    builtin: bool = False,
) -> tuple[FrameworkVersion, bool]:
    """Validate a criteria-set YAML and store it as a draft (or published) version.

    Raises ``engine.FrameworkInvalid`` with every problem when the file is invalid. Loading the
    same content again for an existing (code, version) is a no-op and returns ``created=False``;
    different content for a published version is refused.
    """
    fw = load_framework_text(text, source_name)
    fields = _fields(fw)
    existing = (
        FrameworkVersion.objects.select_for_update()
        .filter(code=fw.code, version=fw.version)
        .first()
    )
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if existing is not None:
        if existing.content_hash != fields["content_hash"]:
            if existing.status != Status.DRAFT:
                raise ValidationError(
                    _(
                        "Version %(label)s is already published and cannot change; "
                        "give the new content a new version."
                    )
                    % {"label": existing.label}
                )
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.yaml_text = raw
            existing.save()
            audit_record(
                actor=actor,
                action="framework.update",
                object_type="frameworks.frameworkversion",
                object_id=existing.pk,
                after=existing.snapshot(),
            )
        if publish and existing.status == Status.DRAFT:
            framework_version_publish(actor=actor, version=existing)
        return existing, False
    previous = FrameworkVersion.objects.filter(code=fw.code).order_by("-id").first()
    version = FrameworkVersion.objects.create(
        code=fw.code,
        version=fw.version,
        yaml_text=raw,
        builtin=builtin,
        based_on=previous,
        created_by=actor,
        **fields,
    )
    audit_record(
        actor=actor,
        action="framework.create",
        object_type="frameworks.frameworkversion",
        object_id=version.pk,
        after=version.snapshot(),
    )
    if publish:
        framework_version_publish(actor=actor, version=version)
    return version, True


@transaction.atomic
def framework_version_publish(*, actor: User | None, version: FrameworkVersion) -> FrameworkVersion:
    """Publish a draft; from then on its definition never changes."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be published; %(label)s is %(status)s.")
            % {"label": version.label, "status": version.get_status_display()}
        )
    before = version.snapshot()
    version.status = Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action="framework.publish",
        object_type="frameworks.frameworkversion",
        object_id=version.pk,
        before=before,
        after=version.snapshot(),
    )
    return version
