"""Solution catalogue, promotions, connection requests and measured effects.

A solution lists the shared ``solution_tags`` and/or the criteria (``framework_code:criterion``)
it helps meet; it becomes public only once an officer approves it. A connection request ties an
organisation to a solution and moves requested → contacted → trial → adopted (or declined at
any open step); when an organisation that adopted a solution re-assesses with the same criteria
set, the score change is recorded as an :class:`AdoptionEffect`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

POLICY_TRIAL_MONTHS = 6  # seed 000 §III.4b: free trials of at least six months


class Provider(models.Model):
    """A digital-technology enterprise offering solutions; ``users`` manage its listings."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    sort_key = models.CharField(max_length=900, default="")
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="providers", verbose_name=_("users")
    )
    builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return self.name


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PriceModel(models.TextChoices):
    FREE = "free", _("Free")
    ONE_OFF = "one_off", _("One-off purchase")
    MONTHLY = "monthly", _("Monthly subscription")
    YEARLY = "yearly", _("Yearly subscription")
    PER_USE = "per_use", _("Pay per use")
    CONTACT = "contact", _("Price on request")


class Solution(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="solutions")
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    sort_key = models.CharField(max_length=900, default="")
    category = models.CharField(_("category"), max_length=50, db_index=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    price_model = models.CharField(
        _("price model"), max_length=10, choices=PriceModel.choices, default=PriceModel.CONTACT
    )
    price = models.DecimalField(
        _("price (VND)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    sectors = models.JSONField(_("sectors served"), default=list, blank=True)
    entity_types = models.JSONField(_("entity types served"), default=list, blank=True)
    solution_tags = models.JSONField(_("solution tags"), default=list, blank=True)
    criteria = models.JSONField(_("criteria helped"), default=list, blank=True)
    url = models.URLField(_("web address"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SolutionStatus.choices, default=SolutionStatus.DRAFT
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["sort_key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="ecosystem_price_gte_0"
            )
        ]

    def __str__(self) -> str:
        return self.name_vi

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    def description(self, lang: str = "vi") -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_vi


class PromotionStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Not approved")


class Promotion(models.Model):
    """A free trial and/or discount; public (and used in ranking) only once an officer approves
    it. A new or edited promotion is pending."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="promotions")
    title = models.CharField(_("title"), max_length=300)
    free_trial_months = models.PositiveSmallIntegerField(_("free-trial months"), default=0)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PromotionStatus.choices,
        default=PromotionStatus.PENDING,
        db_index=True,
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="ecosystem_discount_0_100",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="ecosystem_promotion_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def meets_policy(self) -> bool:
        """A free trial of at least six months (seed 000 §III.4b)."""
        return self.free_trial_months >= POLICY_TRIAL_MONTHS

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ConnectionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONTACTED = "contacted", _("Contacted")
    TRIAL = "trial", _("On trial")
    ADOPTED = "adopted", _("Adopted")
    DECLINED = "declined", _("Declined")


class ConnectionRequest(models.Model):
    """An organisation asks for a solution (itself or through an officer)."""

    organisation = models.ForeignKey(
        "assessments.Organisation", on_delete=models.PROTECT, related_name="connection_requests"
    )
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="requests")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="requests")
    response = models.ForeignKey(
        "assessments.Response",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connection_requests",
    )
    status = models.CharField(
        max_length=10, choices=ConnectionStatus.choices, default=ConnectionStatus.REQUESTED
    )
    message = models.TextField(_("message"), blank=True)
    on_behalf = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commune = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=100, db_index=True)
    sector = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(db_index=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # a respondent without an account, proven by the response's resume code, leaves how to be
    # contacted and agrees (``consent_version``: the wording agreed to) to it being passed on
    without_account = models.BooleanField(default=False)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-status_changed_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.solution_id} ({self.status})"


class ConnectionEvent(models.Model):
    """One status change of a connection request."""

    request = models.ForeignKey(ConnectionRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class ContactAttempt(models.Model):
    """One accepted request to be contacted, made without an account: counted per response
    (a day) and per client address (an hour) to limit them; rows older than a day are dropped
    when the next one is written."""

    response = models.ForeignKey("assessments.Response", on_delete=models.CASCADE, related_name="+")
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["response", "at"], name="ecosystem_contact_response"),
            models.Index(fields=["ip", "at"], name="ecosystem_contact_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.ip} {self.at:%Y-%m-%d %H:%M}"


class AdoptionEffect(models.Model):
    """Score before adoption vs. at the next assessment with the same criteria set."""

    connection = models.OneToOneField(
        ConnectionRequest, on_delete=models.CASCADE, related_name="effect"
    )
    before_response = models.ForeignKey(
        "assessments.Response", on_delete=models.PROTECT, related_name="+"
    )
    after_response = models.ForeignKey(
        "assessments.Response", on_delete=models.PROTECT, related_name="+"
    )
    framework_code = models.CharField(max_length=64)
    category = models.CharField(max_length=50, db_index=True)
    province_path = models.CharField(max_length=100, db_index=True)
    unit_path = models.CharField(max_length=100, db_index=True)
    before_overall = models.FloatField()
    after_overall = models.FloatField()
    before_level = models.IntegerField()
    after_level = models.IntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.before_overall:.1f} → {self.after_overall:.1f}"

    @property
    def delta(self) -> float:
        return self.after_overall - self.before_overall
