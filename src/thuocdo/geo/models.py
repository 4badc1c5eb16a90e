"""Administrative units as versioned hierarchies (current 2025 structure and the legacy one)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Structure(models.TextChoices):
    CURRENT = "2025", _("Current structure (from 1 Jul 2025)")
    LEGACY = "legacy", _("Legacy structure (before 1 Jul 2025)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Unit(models.Model):
    """One administrative unit of one structure.

    ``path`` is a materialised path (``2025/01/00004/``) so a subtree is a prefix query;
    ``sort_key`` orders names in Vietnamese alphabetical order with plain byte comparison.
    """

    structure = models.CharField(max_length=10, choices=Structure.choices)
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices)
    kind = models.CharField(max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=100, db_index=True)
    name_folded = models.CharField(max_length=200, db_index=True)
    sort_key = models.CharField(max_length=600)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    #: Set by :func:`thuocdo.geo.selectors.unit_search` on a current unit found through a former
    #: (pre-2025) name: the legacy unit whose name matched. Not stored.
    former: Unit | None = None

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="geo_unit_structure_code")
        ]
        indexes = [models.Index(fields=["structure", "level", "sort_key"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_current(self) -> bool:
        return self.structure == Structure.CURRENT


class UnitMapping(models.Model):
    """A legacy unit and a current unit that took over (all or part of) its territory."""

    legacy = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="current_mappings")
    current = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="legacy_mappings")
    primary = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["legacy", "current"], name="geo_mapping_pair")
        ]

    def __str__(self) -> str:
        return f"{self.legacy_id} → {self.current_id}"
