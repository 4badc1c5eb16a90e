"""Models of the analytics app: the state of each campaign's columnar snapshot."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """The manifest of the wide columnar copy of a campaign's counted responses (its parts,
    one per province), and how fresh it is. ``version`` increases with every refresh; cached slice results are keyed by it, so a
    refresh invalidates them all at once."""

    campaign = models.OneToOneField(
        "assessments.Campaign", on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    watermark = models.DateTimeField(_("responses read up to"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    weighted = models.BooleanField(_("weighted"), default=False)
    collapsed = models.JSONField(_("collapsed cells"), default=dict)
    strata = models.PositiveIntegerField(_("weighting cells"), default=0)
    # population of provinces where nobody answered: left out of the estimates
    unrepresented = models.FloatField(_("population not represented"), default=0.0)
    framework_hash = models.CharField(max_length=64, blank=True)
    # the population counts the weights were made from (see selectors.population_key)
    population_key = models.CharField(max_length=64, blank=True)
    # responses with a counted status the copy leaves out (no overall score, no current unit)
    outside = models.JSONField(_("counted responses left out"), default=list)
    # province code → [part id, SHA-256 of its bytes, fingerprint of its rows]
    parts = models.JSONField(_("parts"), default=dict)
    # the previous version's part ids: kept until the next refresh for readers still fetching
    previous = models.JSONField(_("previous parts"), default=list)
    token = models.CharField(max_length=16, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("columnar snapshot")

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.version} ({self.rows})"


class Release(models.Model):
    """The public results of a published campaign: a fixed set of tables computed once at
    publication, with one suppression pattern over all of them. Public readers (portal, public
    API, open data, report) read these tables only, so the figures never move afterwards."""

    campaign = models.OneToOneField(
        "assessments.Campaign", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("released at"), auto_now_add=True)
    responses = models.PositiveIntegerField(_("responses counted"), default=0)
    weighted = models.BooleanField(_("weighted"), default=False)
    # counts of the pattern: atoms, primary and secondary suppressions
    pattern = models.JSONField(_("suppression pattern"), default=dict)

    class Meta:
        verbose_name = _("public release")

    def __str__(self) -> str:
        return f"release of campaign {self.campaign_id}"


class ReleasedTable(models.Model):
    """One table of a release: ``kind`` ``cells`` (estimates per group) or ``unmet`` (unmet
    criteria per released group), ``key`` the grouping (``province,commune``)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tables")
    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=100)
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = _("released table")
        constraints = [
            models.UniqueConstraint(fields=["release", "kind", "key"], name="released_table_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key or '-'} of release {self.release_id}"


class SnapshotPart(models.Model):
    """One province's rows of a campaign's columnar copy, as Parquet bytes (immutable)."""

    campaign = models.ForeignKey("assessments.Campaign", on_delete=models.CASCADE, related_name="+")
    province = models.CharField(_("province"), max_length=16, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("columnar snapshot part")
        indexes = [models.Index(fields=["campaign", "province"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.province} ({self.rows})"


class NationalRollup(models.Model):
    """The public national roll-up of the published provincial campaigns of one criteria-set
    version and year: the pooled respondents weighted as one campaign, its tables suppressed
    by one pattern audited together with the provincial releases' cells. ``key`` names the
    releases it combined, so a province publishing later makes a new roll-up; a roll-up
    never changes."""

    framework = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("released at"), auto_now_add=True)
    campaigns = models.JSONField(_("campaigns combined"), default=list)
    covered = models.JSONField(_("provinces covered"), default=list)
    missing = models.JSONField(_("provinces without a campaign"), default=list)
    responses = models.PositiveIntegerField(_("responses counted"), default=0)
    weighted = models.BooleanField(_("weighted"), default=False)
    pattern = models.JSONField(_("suppression pattern"), default=dict)
    # "kind:grouping" → rows, as ReleasedTable
    tables = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("national roll-up")
        constraints = [
            models.UniqueConstraint(fields=["framework", "year", "key"], name="national_rollup_key")
        ]

    def __str__(self) -> str:
        return f"national roll-up {self.framework_id} {self.year}"
