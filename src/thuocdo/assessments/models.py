"""Organisations, campaigns, population strata and responses.

A response stores its answers and the scores computed by the criteria-set engine for the exact
framework version of its campaign, plus copies of the organisation's commune, entity type,
size class and sector at the time of the response, so results aggregate by the strata the
respondent belonged to when it answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    HOUSEHOLD_BUSINESS = "household_business", _("Household business")
    SHOP = "shop", _("Shop")
    MARKET = "market", _("Traditional market")
    DESTINATION = "destination", _("Tourist destination")
    FARM = "farm", _("Farm")
    COOPERATIVE = "cooperative", _("Cooperative")
    AGENCY_DEPARTMENT = "agency_department", _("Provincial department or agency")
    AGENCY_COMMUNE = "agency_commune", _("Commune People's Committee")
    AGENCY_MINISTRY_UNIT = "agency_ministry_unit", _("Unit of a ministry")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Public service unit")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Organisation(models.Model):
    """A respondent organisation. ``tax_code`` is the normalised tax code (10 digits, or 13
    with the branch suffix) or the owner's 12-digit citizen-ID number; organisations without
    one are known by ``registry_id`` alone.

    A state agency (entity types in ``domain.agency.AGENCY_TYPES``) has no tax code: it is
    identified by ``agency_code``, its electronic identifier code (Decision 20/2020/QĐ-TTg), and
    has a ``parent`` agency (empty for a top-level one) and the ``admin_unit`` it serves (the
    province of a department, the commune of a commune People's Committee; empty for a unit of
    a ministry). ``commune`` is, as for every organisation, the commune of its seat."""

    registry_id = models.CharField(_("registry id"), max_length=20, unique=True)
    tax_code = models.CharField(_("tax code"), max_length=14, null=True, blank=True, unique=True)
    agency_code = models.CharField(
        _("electronic identifier code"), max_length=13, null=True, blank=True, unique=True
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_agencies",
        verbose_name=_("parent agency"),
    )
    admin_unit = models.ForeignKey(
        "geo.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("administrative unit"),
    )
    name = models.CharField(_("name"), max_length=300)
    name_folded = models.CharField(max_length=300, db_index=True)
    sort_key = models.CharField(max_length=900)
    entity_type = models.CharField(_("entity type"), max_length=30, choices=EntityType.choices)
    vsic = models.CharField(_("VSIC 2018 code"), max_length=5, blank=True)
    sector = models.CharField(_("sector"), max_length=50, blank=True, db_index=True)
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    unit_path = models.CharField(max_length=100, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "id"]
        indexes = [models.Index(fields=["name_folded", "commune"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code or self.agency_code or self.registry_id})"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


COUNTRY_CODE = "VN"  # the area code of a campaign over the whole country


class Campaign(models.Model):
    """A published criteria-set version × area × entity types × year."""

    name = models.CharField(_("name"), max_length=300)
    framework = models.ForeignKey(
        "frameworks.FrameworkVersion",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("criteria set"),
    )
    # no area: the whole country (unit_path is the current structure's root, ``2025/``)
    area = models.ForeignKey(
        "geo.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )
    unit_path = models.CharField(max_length=100, db_index=True)
    year = models.PositiveIntegerField(_("year"), db_index=True)
    entity_types = models.JSONField(_("entity types"), default=list)
    pilot = models.BooleanField(_("pilot"), default=False)
    # a campaign over state agencies only may publish each agency's result by name (the
    # owner's decision, audited); every other campaign publishes suppressed aggregates only
    publish_named = models.BooleanField(_("publish results by name"), default=False)
    # months after a submission when the organisation is reminded to assess itself again
    # (an e-mail, when it gave an address); 0: no reminder
    reassess_months = models.PositiveSmallIntegerField(
        _("re-assessment reminder after (months)"), default=12
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    public_token = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # the legacy province (Kon Tum, 62) a campaign was carried over from into its successor
    origin_unit = models.ForeignKey(
        "geo.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("carried over from"),
    )

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def whole_country(self) -> bool:
        """A national campaign: its area is the whole country (no unit)."""
        return self.area_id is None

    @property
    def area_code(self) -> str:
        return self.area.code if self.area is not None else COUNTRY_CODE

    @property
    def area_name(self) -> str:
        return self.area.name if self.area is not None else str(_("Vietnam"))


class Stratum(models.Model):
    """Population count of one post-stratification cell: commune × entity type × size."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="strata")
    commune = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    entity_type = models.CharField(max_length=30, choices=EntityType.choices)
    size_class = models.CharField(max_length=10, choices=SizeClass.choices, blank=True)
    population = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "commune", "entity_type", "size_class"],
                name="assessments_stratum_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.commune_id}:{self.entity_type}:{self.size_class}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    ON_BEHALF = "on_behalf", _("On behalf of the organisation")
    OFFLINE = "offline", _("Offline form")
    IMPORT = "import", _("Bulk import")
    API = "api", _("API")


class Response(models.Model):
    """One organisation's answers in one campaign (at most one per campaign)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responses"
    )
    framework = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(default=dict)
    # campaigns over agencies: one evidence link per criterion ({criterion code: url});
    # shown to the officers and the respondent, never scored, never published or exported
    evidence_links = models.JSONField(default=dict, blank=True)
    overall = models.FloatField(null=True, blank=True)
    level = models.IntegerField(null=True, blank=True)
    pillar_scores = models.JSONField(default=dict)
    # {pillar code: level reached by the pillar on its own, or null}: the set's pillar levels
    pillar_levels = models.JSONField(default=dict, blank=True)
    criterion_scores = models.JSONField(default=dict)
    unmet = models.JSONField(default=list)
    # strata copied from the organisation when the response was submitted
    commune = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=100, db_index=True)
    entity_type = models.CharField(max_length=30, choices=EntityType.choices)
    size_class = models.CharField(max_length=10, choices=SizeClass.choices, blank=True)
    sector = models.CharField(max_length=50, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # NULL = no key given; keys are unique per campaign among those given.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # The field server's id of the submission this response came from (KoboToolbox/ODK
    # ``meta/instanceID`` or ``_uuid``, ODK Central ``KEY``, without ``uuid:``); NULL when the
    # response was not imported from a field server. Unique per campaign among those given.
    submission_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="assessments_response_one_per_org"
            ),
            models.UniqueConstraint(
                fields=["campaign", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="assessments_response_idempotency",
            ),
            models.UniqueConstraint(
                fields=["campaign", "submission_id"],
                condition=models.Q(submission_id__isnull=False),
                name="assessments_response_submission_id",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.organisation_id} {self.status}"


class ResponseRevision(models.Model):
    """The state of a response before an edited submission replaced it (an import of a field
    server's export in which the same submission came back with changed answers)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="revisions")
    submission_id = models.CharField(max_length=100, blank=True, db_index=True)
    answers = models.JSONField(default=dict)
    overall = models.FloatField(null=True, blank=True)
    level = models.IntegerField(null=True, blank=True)
    pillar_scores = models.JSONField(default=dict)
    organisation_name = models.CharField(max_length=300, blank=True)
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["response", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.response_id}@{self.replaced_at:%Y-%m-%d}"


class OrganisationMember(models.Model):
    """Links a respondent account to the organisation it answers for.

    A respondent user belongs to at most one organisation; it sees and changes only that
    organisation's responses. Officers create the link (or the self-assessment form creates it
    when a logged-in respondent registers its organisation)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_membership"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.organisation_id}"


class SubmissionKey(models.Model):
    """An ``Idempotency-Key`` already used in a campaign and the response it produced: a
    retry with the same key returns that response and writes nothing."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="assessments_submission_key")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.key}"


class Certificate(models.Model):
    """The certificate of one submission's digital-transformation level: what it states is
    copied when it is issued, and its public verification code confirms it. Whether it still
    holds (the result withdrawn, re-assessed, expired) is read from the response at the time
    of the check."""

    code = models.CharField(max_length=16, unique=True)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="certificates")
    organisation_name = models.CharField(max_length=500)
    level = models.IntegerField()
    level_name = models.CharField(max_length=200)
    overall = models.FloatField()
    framework_label = models.CharField(max_length=200)
    campaign_name = models.CharField(max_length=300)
    submitted_at = models.DateTimeField()  # the submission it certifies
    valid_until = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "submitted_at"],
                name="assessments_certificate_one_per_submission",
            )
        ]

    def __str__(self) -> str:
        return self.code


class ResumeCode(models.Model):
    """The code with which a respondent without an account resumes a draft."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="resume")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class ResumeFailure(models.Model):
    """One wrong resume code tried in a campaign from a client address, kept an hour for
    throttling guesses (RESUME_FAILURE_LIMIT)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "ip", "at"], name="assessments_resume_fail")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.ip} {self.at:%Y-%m-%d %H:%M}"


from thuocdo.assessments.importing.models import (  # noqa: E402, F401
    ImportJob,
    ImportStatus,
    PullCursor,
)
