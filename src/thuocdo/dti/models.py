"""DTI structures (built-in or loaded from the ministry's file), entered component values per
province or ministry and year, and the published history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DtiStructure(models.Model):
    """One version of the index; ``body`` is the checked file (see ``domain.scorecard``)."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)
    name = models.CharField(max_length=300)
    decision = models.CharField(max_length=200)
    body = models.JSONField()
    origin = models.CharField(max_length=10, default="builtin")  # builtin | file
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="dti_structure_unique")
        ]
        ordering = ["code", "version"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"


class SubjectKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    MINISTRY = "ministry", _("Ministry")
    NATION = "nation", _("Nation")


class DtiValue(models.Model):
    """Points of one component for one province (on the current or legacy structure) or one
    ministry, in one year."""

    structure = models.ForeignKey(DtiStructure, on_delete=models.CASCADE, related_name="values")
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    geo_structure = models.CharField(max_length=10, blank=True, default="")
    subject_code = models.CharField(max_length=20)
    subject_name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    component = models.CharField(max_length=60)
    points = models.DecimalField(max_digits=8, decimal_places=2)
    evidence_url = models.URLField(max_length=500, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "structure",
                    "subject_kind",
                    "geo_structure",
                    "subject_code",
                    "year",
                    "component",
                ],
                name="dti_value_unique",
            )
        ]
        indexes = [models.Index(fields=["structure", "year", "subject_kind", "geo_structure"])]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.year} {self.component}"


class DtiPublished(models.Model):
    """A published figure: the national index or a province's published rank and value."""

    year = models.PositiveSmallIntegerField()
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    geo_structure = models.CharField(max_length=10, blank=True, default="")
    subject_code = models.CharField(max_length=20)
    subject_name = models.CharField(max_length=200)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "subject_kind", "geo_structure", "subject_code"],
                name="dti_published_unique",
            )
        ]
        ordering = ["year", "subject_kind", "geo_structure", "rank"]

    def __str__(self) -> str:
        return f"{self.year} {self.subject_name}"
