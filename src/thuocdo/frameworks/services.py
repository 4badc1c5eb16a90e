"""Writes for criteria-set versions: load (create or edit a draft), publish, retire, copy.

Permissions: ``actor=None`` is the system itself (built-in loading, the ``thuocdo`` command on
the server); a user must be allowed by ``permissions.require_author`` for the set's sector
(and, when a new version changes the sector of a code, for the old sector too). A published or
retired version never changes (also enforced by ``FrameworkVersion.save``). Every write is
audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.frameworks import yamltext
from thuocdo.frameworks.engine import (
    Framework,
    content_hash,
    framework_from_dict,
    framework_to_dict,
    load_framework_text,
)
from thuocdo.frameworks.engine.validate import VERSION
from thuocdo.frameworks.models import FrameworkVersion, Status
from thuocdo.frameworks.permissions import require_author

OBJECT_TYPE = "frameworks.frameworkversion"


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


def _check_author(actor: User | None, *sectors: str) -> None:
    if actor is None:
        return
    from thuocdo.accounts.selectors import scope_for

    require_author(scope_for(actor), sorted(set(sectors)))


def _audit(
    actor: User | None,
    action: str,
    version: FrameworkVersion,
    before: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    after = {**version.snapshot(), **extra}
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=version.pk,
        before=before,
        after=after,
    )


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
    new content for an existing draft replaces it (draft editing by re-upload); different
    content for a published or retired version is refused.
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
        _check_author(actor, existing.sector, fw.sector)
        if existing.content_hash != fields["content_hash"]:
            if existing.status != Status.DRAFT:
                raise ValidationError(
                    _(
                        "Version %(label)s is already published and cannot change; "
                        "give the new content a new version."
                    )
                    % {"label": existing.label}
                )
            before = existing.snapshot()
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.yaml_text = raw
            existing.save()
            _audit(actor, "framework.update", existing, before)
        if publish and existing.status == Status.DRAFT:
            existing = framework_version_publish(actor=actor, version=existing)
        return existing, False
    previous = FrameworkVersion.objects.filter(code=fw.code).order_by("-id").first()
    _check_author(actor, fw.sector, *([previous.sector] if previous is not None else []))
    version = FrameworkVersion.objects.create(
        code=fw.code,
        version=fw.version,
        yaml_text=raw,
        builtin=builtin,
        based_on=previous,
        created_by=actor,
        **fields,
    )
    _audit(actor, "framework.create", version)
    if publish:
        version = framework_version_publish(actor=actor, version=version)
    return version, True


@transaction.atomic
def framework_version_publish(*, actor: User | None, version: FrameworkVersion) -> FrameworkVersion:
    """Publish a draft; from then on its definition never changes."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    _check_author(actor, version.sector)
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
    _audit(actor, "framework.publish", version, before)
    return version


@transaction.atomic
def framework_version_retire(*, actor: User | None, version: FrameworkVersion) -> FrameworkVersion:
    """Retire a published version: it stays readable (responses point at it) but is no longer
    offered for new campaigns."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    _check_author(actor, version.sector)
    if version.status != Status.PUBLISHED:
        raise ValidationError(
            _("Only a published version can be retired; %(label)s is %(status)s.")
            % {"label": version.label, "status": version.get_status_display()}
        )
    before = version.snapshot()
    version.status = Status.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    _audit(actor, "framework.retire", version, before)
    return version


@transaction.atomic
def framework_version_copy(
    *, actor: User | None, version: FrameworkVersion, new_version: str
) -> FrameworkVersion:
    """Start a new draft ``code@new_version`` as a copy of ``version`` (any status).

    The YAML text keeps the author's comments and layout when only its ``version:`` line needs
    to change; otherwise the canonical form is written.
    """
    source = FrameworkVersion.objects.get(pk=version.pk)
    _check_author(actor, source.sector)
    new_version = (new_version or "").strip()
    if not VERSION.fullmatch(new_version):
        raise ValidationError(
            {
                "new_version": _(
                    "A version has 1 to 32 letters, digits, '.', '_', '+' or '-' and starts "
                    "with a letter or digit (e.g. 2026.1)."
                )
            }
        )
    if FrameworkVersion.objects.filter(code=source.code, version=new_version).exists():
        raise ValidationError(
            {
                "new_version": _("Version %(label)s already exists.")
                % {"label": f"{source.code}@{new_version}"}
            }
        )
    definition = dict(source.definition)
    definition["version"] = new_version
    fw = framework_from_dict(definition, f"{source.code}@{new_version}")
    fields = _fields(fw)
    text = yamltext.retarget_version(
        source.yaml_text, new_version, fields["definition"], fields["content_hash"]
    )
    copy = FrameworkVersion.objects.create(
        code=source.code,
        version=new_version,
        yaml_text=text,
        based_on=source,
        created_by=actor,
        **fields,
    )
    _audit(actor, "framework.copy", copy, copied_from=source.label)
    return copy
