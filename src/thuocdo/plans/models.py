"""Action plans: frameworks, plans, task groups, tasks, evidence and the history of changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


class Stage(models.TextChoices):
    """Where a plan is in its life: drafted, approved by a decision, sent to the ministry,
    evaluated at the end of its year (``domain.lifecycle``)."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to the ministry")
    EVALUATED = "evaluated", _("Evaluated")


class Framework(models.Model):
    """A task framework plans are made from (the built-in ones, loaded idempotently)."""

    code = models.SlugField(max_length=50, unique=True)
    version = models.CharField(max_length=20, blank=True)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300, blank=True)
    scope = models.CharField(max_length=20)
    default_year = models.PositiveSmallIntegerField()
    task_count = models.PositiveIntegerField(default=0)
    group_count = models.PositiveIntegerField(default=0)
    definition = models.JSONField()
    builtin = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Plan(models.Model):
    """An action plan of one unit (nation, ministry, province, commune) for a year or period."""

    title = models.CharField(_("title"), max_length=300)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    # The materialised path of the unit, copied so scope filters are one prefix query.
    unit_path = models.CharField(max_length=100, blank=True, db_index=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    framework_code = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Life cycle: the approving decision, the day it was sent to the ministry, the evaluation.
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT, db_index=True
    )
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    evaluation_note = models.TextField(_("evaluation"), blank=True)
    # A plan of a legacy province (Kon Tum, 62) carried into its successor (Quảng Ngãi).
    origin_unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_code", "level", "unit", "year"],
                name="plans_plan_one_per_framework_unit_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=20)
    title_vi = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plans_group_code_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title_vi}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(TaskGroup, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("code"), max_length=30)
    position = models.PositiveIntegerField(default=0)
    title_vi = models.TextField(_("title"))
    title_en = models.TextField(blank=True)
    lead_unit = models.CharField(_("lead unit"), max_length=200, blank=True, db_index=True)
    lead_unit_name = models.CharField(max_length=300, blank=True)
    # The lead department as an agency of the organisation registry (assessments), when the
    # province's department is registered there.
    lead_organisation = models.ForeignKey(
        "assessments.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    coordinating_units = models.JSONField(_("coordinating units"), default=list, blank=True)
    # Ids of the registry agencies of the coordinating departments that are registered.
    coordinating_organisations = models.JSONField(default=list, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_spec = models.CharField(max_length=200, blank=True)
    # fixed (one-off), recurring, continuous or none: how overdue is decided.
    deadline_kind = models.CharField(max_length=20, default="none")
    deadline_text = models.CharField(max_length=300, blank=True)
    expected_output = models.TextField(_("expected output"), blank=True)
    kpi = models.TextField(_("KPI"), blank=True)
    indicator_code = models.CharField(_("indicator"), max_length=50, blank=True)
    survey_stage = models.CharField(max_length=20, blank=True, db_index=True)
    # Focus sectors of the task (criteria-set sector codes such as "retail"); empty: all.
    sectors = models.JSONField(default=list, blank=True)
    # Entity types whose verified responses are the task's evidence (empty: any) and the
    # task's own completion condition (null: the survey stage's default).
    entity_types = models.JSONField(default=list, blank=True)
    min_responses = models.PositiveIntegerField(null=True, blank=True)
    min_communes = models.PositiveIntegerField(null=True, blank=True)
    # What the latest campaign of the task's stage lacked; empty once the task is done.
    evidence_missing = models.TextField(blank=True)
    # Annex 02's implementing unit and period; the source's description, references to
    # existing tools ([{name_vi, name_en, url}]) and intermediate milestones
    # ([{label_vi, label_en, due (ISO date or null), spec, text}]).
    implementing_unit = models.CharField(_("implementing unit"), max_length=300, blank=True)
    period = models.CharField(_("period"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    resources = models.JSONField(default=list, blank=True)
    milestones = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    last_report_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plans_task_code_per_plan"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="plans_task_progress_0_100"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title_vi[:60]}"


class PlanTarget(models.Model):
    """A quantified target of a plan (copied from its frame), the indicator that measures it
    and, once the plan is evaluated, the value reached."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField(default=0)
    title_vi = models.TextField()
    title_en = models.TextField(blank=True)
    value = models.FloatField()
    comparator = models.CharField(max_length=2, default=">=")
    unit = models.CharField(max_length=20, default="%")
    text = models.TextField(blank=True)
    section = models.CharField(max_length=20, blank=True)
    indicator_code = models.CharField(max_length=80, blank=True)
    register = models.CharField(max_length=30, blank=True)
    result = models.FloatField(null=True, blank=True)
    achieved = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plans_target_code_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_vi[:60]}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"plans/evidence/{instance.task.plan_id}/{instance.task_id}/{filename}"


class Evidence(models.Model):
    """A file or a link that shows what a task produced."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField(max_length=1000, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.original_name or self.url

    @property
    def is_link(self) -> bool:
        return bool(self.url)


class TaskUpdate(models.Model):
    """One change to a task: status, progress, a note, evidence; who, when and why."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    on = models.DateField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    progress_from = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_to = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.at:%Y-%m-%d}"


class InformationSystem(models.Model):
    """An information system of an agency in the register: its security level (1–5), the
    approval of its level dossier, inspections, drills, backups and trust label."""

    unit = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=100, db_index=True)
    agency = models.ForeignKey(
        "assessments.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_systems",
    )
    agency_name = models.CharField(_("agency"), max_length=300)
    name = models.CharField(_("name"), max_length=300)
    security_level = models.PositiveSmallIntegerField(_("security level"))
    dossier_number = models.CharField(_("dossier approval number"), max_length=100, blank=True)
    dossier_date = models.DateField(_("dossier approval date"), null=True, blank=True)
    last_inspection = models.DateField(_("last inspection"), null=True, blank=True)
    next_inspection = models.DateField(_("next inspection"), null=True, blank=True, db_index=True)
    last_drill = models.DateField(_("last drill"), null=True, blank=True)
    backup_copies = models.PositiveSmallIntegerField(default=0)
    backup_media = models.PositiveSmallIntegerField(default=0)
    backup_offline = models.BooleanField(default=False)
    trust_label = models.CharField(_("trust label"), max_length=100, blank=True)
    website = models.URLField(max_length=300, blank=True)
    contact_email = models.EmailField(blank=True)
    # The due date of the inspection the agency was last reminded of (reminders once per date).
    reminded_for = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_path", "agency_name", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(security_level__gte=1, security_level__lte=5),
                name="plans_system_level_1_5",
            ),
            models.UniqueConstraint(
                fields=["unit", "agency_name", "name"], name="plans_system_name_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency_name})"

    @property
    def approved(self) -> bool:
        return bool(self.dossier_number and self.dossier_date)


class TaskReminder(models.Model):
    """One reminder e-mailed about a task: before its deadline (``due_soon``) or once it is
    overdue (``overdue``), to one address; at most one per task, kind, deadline and address."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    deadline = models.DateField()
    address = models.CharField(max_length=254)
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "deadline", "address"], name="plans_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.deadline}"
