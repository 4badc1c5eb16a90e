"""Criteria-set versions stored in the database (draft → published → retired).

A version keeps its definition as the canonical dict of the pure engine
(``engine.framework_to_dict``) plus the content hash of that definition; every response
points at the exact version it was scored with. A published or retired version never
changes its definition.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuocdo.frameworks.engine import Framework, framework_from_dict

_ENGINES: dict[tuple[int, str], Framework] = {}

# What a version *is*: none of these may change once it has left the draft status.
FROZEN_FIELDS = (
    "code",
    "version",
    "name_vi",
    "name_en",
    "sector",
    "entity_types",
    "source",
    "definition",
    "content_hash",
    "yaml_text",
    "pillar_count",
    "criterion_count",
)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FrameworkVersionQuerySet(models.QuerySet["FrameworkVersion"]):
    """Bulk writes keep the rule of :meth:`FrameworkVersion.save`/``delete``: a published or
    retired version never changes (its status neither) and is never deleted."""

    def _refuse_if_frozen(self, message: Any) -> None:
        frozen = self.exclude(status=Status.DRAFT).values_list("code", "version", "status")
        first = frozen.first()
        if first is not None:
            raise ValidationError(
                message % {"label": f"{first[0]}@{first[1]}", "status": Status(first[2]).label}
            )

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) & {*FROZEN_FIELDS, "status"}:
            self._refuse_if_frozen(
                _(
                    "Version %(label)s is %(status)s and can no longer change; "
                    "copy it as a new draft version instead."
                )
            )
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_frozen(
            _("Version %(label)s is %(status)s and cannot be deleted; retire it instead.")
        )
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class FrameworkVersion(models.Model):
    code = models.CharField(_("code"), max_length=64, db_index=True)
    version = models.CharField(_("version"), max_length=32)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    sector = models.CharField(_("sector"), max_length=50, db_index=True)
    entity_types = models.JSONField(_("entity types"), default=list)
    source = models.TextField(_("source"), blank=True)
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    yaml_text = models.TextField(_("YAML text"), blank=True)
    pillar_count = models.PositiveIntegerField(default=0)
    criterion_count = models.PositiveIntegerField(default=0)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived"
    )
    builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="frameworks_code_version")
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, refusing any change to a published or retired version's content.

        The only changes allowed after publication are the status moving forward
        (published → retired) and the dates and people recorded with it.
        """
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
            if stored is not None and stored["status"] != Status.DRAFT:
                changed = [f for f in FROZEN_FIELDS if getattr(self, f) != stored[f]]
                backwards = self.status == Status.DRAFT or (
                    stored["status"] == Status.RETIRED and self.status != Status.RETIRED
                )
                if changed or backwards:
                    raise ValidationError(
                        _(
                            "Version %(label)s is %(status)s and can no longer change; "
                            "copy it as a new draft version instead."
                        )
                        % {
                            "label": f"{stored['code']}@{stored['version']}",
                            "status": Status(stored["status"]).label,
                        }
                    )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Only a draft can be deleted: responses may point at a published version."""
        if self.pk is not None and self.status != Status.DRAFT:
            raise ValidationError(
                _("Version %(label)s is %(status)s and cannot be deleted; retire it instead.")
                % {"label": self.label, "status": self.get_status_display()}
            )
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"

    def engine(self) -> Framework:
        """The pure-engine criteria set of this version (parsed once per process)."""
        key = (self.pk or 0, self.content_hash)
        fw = _ENGINES.get(key)
        if fw is None:
            fw = framework_from_dict(self.definition, self.label)
            if self.pk:
                _ENGINES[key] = fw
        return fw

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "status": self.status,
            "content_hash": self.content_hash,
        }
