"""Models of the indicators app: registry, targets, reporting plans, submissions, digital economy.

A ``unit`` of ``None`` means the nation (``VN``). Periods are stored by label (``2025Q3``,
``2025``) with their window, so they sort and filter without re-parsing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NATIONAL_CODE = "VN"


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class UnitKind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    COUNT = "count", _("Count")
    MONEY = "money", _("Money amount")
    INDEX = "index", _("Index or score")
    RATE = "rate", _("Rate")


class IndicatorKind(models.TextChoices):
    INPUT = "input", _("Reported value")
    FORMULA = "formula", _("Formula over other indicators")
    SURVEY = "survey", _("From published assessment results")


class Aggregation(models.TextChoices):
    LAST = "last", _("Latest quarter of the year")
    MEAN = "mean", _("Mean of the quarters")
    SUM = "sum", _("Sum of the four quarters")


class ReportingPlan(models.Model):
    """Deadlines for reporting: data by ``deadline_day``, consolidation by ``consolidation_day``
    of the month after each quarter (Decision 466 §II.2 by default)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=300)
    deadline_day = models.PositiveSmallIntegerField(default=5)
    consolidation_day = models.PositiveSmallIntegerField(default=10)
    close_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close a period this many days after its consolidation date (empty: only when "
        "closed explicitly).",
    )
    receiving_unit = models.CharField(max_length=300, blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PeriodSetting(models.Model):
    """A plan's override for one period: other deadlines, or closed to submissions."""

    plan = models.ForeignKey(ReportingPlan, on_delete=models.CASCADE, related_name="periods")
    period = models.CharField(max_length=10)
    due = models.DateField(null=True, blank=True)
    consolidation_due = models.DateField(null=True, blank=True)
    closed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="ind_periodsetting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.period}"


class Indicator(models.Model):
    code = models.SlugField(max_length=80, unique=True)
    name_vi = models.CharField(max_length=500)
    name_en = models.CharField(max_length=500, blank=True)
    unit_symbol = models.CharField(max_length=50)
    unit_kind = models.CharField(max_length=10, choices=UnitKind.choices)
    unit_min = models.FloatField(null=True, blank=True)
    unit_max = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    scope = models.JSONField(default=list, help_text="national, ministry, province")
    responsible_unit = models.CharField(max_length=300, blank=True)
    reporting_unit = models.CharField(max_length=300, blank=True)
    data_source = models.TextField(blank=True)
    definition_vi = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    international_comparator = models.TextField(blank=True)
    # the international comparison value itself (Annex 01 "So sánh quốc tế"), with its source
    international_value = models.FloatField(null=True, blank=True)
    international_value_source = models.CharField(max_length=300, blank=True)
    international_value_year = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=IndicatorKind.choices, default="input")
    formula = models.TextField(blank=True)
    survey_source = models.CharField(max_length=100, blank=True)
    aggregation = models.CharField(max_length=4, choices=Aggregation.choices, default="last")
    group = models.CharField(max_length=50, blank=True)
    seed001_row = models.CharField(max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    plan = models.ForeignKey(
        ReportingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="indicators"
    )
    origin = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    builtin = models.BooleanField(default=False)
    by_sector = models.BooleanField(
        default=False, help_text="One value per sector per period besides the headline value."
    )
    # the province that defined the indicator for itself; empty: the national registry
    owner_unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        return self.unit_min, self.unit_max


class IndicatorVersion(models.Model):
    """The definition of an indicator as it was after one change (number 1: as created), with
    its targets; a later edit adds a version and keeps the previous ones."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    change = models.CharField(max_length=20)
    fields = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="ind_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} v{self.number}"


class TargetKind(models.TextChoices):
    TARGET = "target", _("Target")
    PLAN = "plan", _("Yearly plan")


class Target(models.Model):
    """A value to reach in a year, for the nation (``unit`` empty) or one unit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    comparator = models.CharField(max_length=2, default=">=")
    kind = models.CharField(max_length=6, choices=TargetKind.choices, default="target")
    text = models.CharField(max_length=500, blank=True)
    origin = models.JSONField(default=list, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year"],
                condition=Q(unit__isnull=False),
                name="ind_target_unit_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(unit__isnull=True),
                name="ind_target_national_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.comparator}{self.value:g}"


class Status(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional estimate")
    OFFICIAL = "official", _("Official")


class Submission(models.Model):
    """One value of one indicator for one unit and period, with the Annex 01 narrative."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=100, blank=True, db_index=True)
    period = models.CharField(max_length=10)
    sector = models.CharField(max_length=50, blank=True, default="")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    status = models.CharField(max_length=12, choices=Status.choices, default="official")
    source = models.TextField(blank=True)
    international_value = models.FloatField(null=True, blank=True)
    international_reference = models.TextField(blank=True)
    trend_assessment = models.TextField(blank=True)
    international_comparison = models.TextField(blank=True)
    difficulties = models.TextField(blank=True)
    proposals = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    computed = models.BooleanField(default=False)
    inputs = models.JSONField(default=dict, blank=True)
    late = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period_end", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period", "sector"],
                condition=Q(unit__isnull=False),
                name="ind_submission_unit_period_sector",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "sector"],
                condition=Q(unit__isnull=True),
                name="ind_submission_national_period_sector",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "unit", "period_end"])]

    def __str__(self) -> str:
        sector = f" [{self.sector}]" if self.sector else ""
        return f"{self.indicator_id} {self.unit_id or NATIONAL_CODE} {self.period}{sector}"

    @property
    def provisional(self) -> bool:
        return self.status == Status.PROVISIONAL


class SubmissionRevision(models.Model):
    """A value as it was before it was replaced (provisional → official, or a correction)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    value = models.FloatField()
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.TextField(blank=True)
    reason = models.CharField(max_length=30)
    snapshot = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.value:g} ({self.status})"


class ReminderLog(models.Model):
    """Reminders sent for a unit and period, so a day's run does not repeat them."""

    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=10)
    day = models.DateField()
    recipients = models.JSONField(default=list)
    indicators = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.unit_id or NATIONAL_CODE} {self.period} {self.day}"


class DigitalEconomyDeclaration(models.Model):
    """Declared inputs of a digital-economy measurement for one area and period."""

    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=100, blank=True, db_index=True)
    period = models.CharField(max_length=10)
    grdp = models.FloatField()
    grdp_source = models.TextField()
    currency_unit = models.CharField(max_length=30, default="tỷ đồng")
    core = models.JSONField(default=list)
    platform = models.JSONField(null=True, blank=True)
    sectoral = models.JSONField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(unit__isnull=False),
                name="ind_de_decl_unit_period",
            ),
            models.UniqueConstraint(
                fields=["period"], condition=Q(unit__isnull=True), name="ind_de_decl_national"
            ),
        ]

    def __str__(self) -> str:
        return f"DE {self.unit_id or NATIONAL_CODE} {self.period}"


class DigitalEconomyResult(models.Model):
    """One computed measurement: the shares, the method version and the inputs it came from."""

    declaration = models.ForeignKey(
        DigitalEconomyDeclaration, on_delete=models.PROTECT, related_name="results"
    )
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=100, blank=True, db_index=True)
    period = models.CharField(max_length=10)
    method_version = models.CharField(max_length=30)
    de_share_pct = models.FloatField(null=True, blank=True)
    ict_share_pct = models.FloatField()
    platform_share_pct = models.FloatField(null=True, blank=True)
    digitalisation_share_pct = models.FloatField(null=True, blank=True)
    core_fraction_of_de_pct = models.FloatField(null=True, blank=True)
    missing = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    current = models.BooleanField(default=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"DE result {self.unit_id or NATIONAL_CODE} {self.period} {self.method_version}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TargetProposal(models.Model):
    """A proposed change of a target (seed 001 principle 3: a target met or far exceeded is
    proposed for raising), applied only when another officer approves it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    current_value = models.FloatField(null=True, blank=True)
    current_comparator = models.CharField(max_length=2, blank=True)
    value = models.FloatField()
    comparator = models.CharField(max_length=2)
    reason = models.TextField()
    basis = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year"],
                condition=Q(status="pending", unit__isnull=False),
                name="ind_proposal_pending_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(status="pending", unit__isnull=True),
                name="ind_proposal_pending_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id or NATIONAL_CODE} {self.year} → {self.value:g}"


class Consolidation(models.Model):
    """ "Chốt số liệu": the responsible unit locks an indicator's figures of a period for the
    nation (``unit`` empty) or a province; while locked, no value of it changes. Unlocking
    deletes the row (both steps are in the audit log)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="consolidations"
    )
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(max_length=10)
    due = models.DateField()
    late = models.BooleanField(default=False)
    values = models.JSONField(default=dict, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"],
                condition=Q(unit__isnull=False),
                name="ind_consolidation_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(unit__isnull=True),
                name="ind_consolidation_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id or NATIONAL_CODE} {self.period} locked"
