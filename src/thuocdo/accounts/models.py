"""Users with a role and a scope, API tokens, login failures and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    MINISTRY = "ministry", _("Ministry officer")
    PROVINCE = "province", _("Provincial department officer")
    COMMUNE = "commune", _("Commune officer / community digital team")
    RESPONDENT = "respondent", _("Organisation")
    PROVIDER = "provider", _("Digital solution provider")


OFFICER_ROLES = (Role.ADMIN, Role.MINISTRY, Role.PROVINCE, Role.COMMUNE)


class User(AbstractUser):
    """A person using the product. ``unit`` is the root of the geographic scope (none = whole
    country); ``sectors`` limits ministry roles to their sectors (empty = every sector)."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESPONDENT)
    unit = models.ForeignKey(
        "geo.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("administrative unit"),
    )
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    department = models.CharField(_("department"), max_length=50, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class LoginFailure(models.Model):
    """One failed login, kept for throttling per account (any address) and per client address
    (any user name)."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "ip", "at"]),
            models.Index(fields=["ip", "at"], name="accounts_lo_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Who changed what, when, with the object's state before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100)
    unit_path = models.CharField(max_length=100, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
