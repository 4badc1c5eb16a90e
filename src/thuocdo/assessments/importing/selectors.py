"""Reads for imports, filtered by the viewer's scope."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, require_path
from thuocdo.assessments.models import Campaign

from .models import ImportJob


def campaign_for_import(*, scope: Scope, campaign_id: int) -> Campaign:
    """A campaign the officer may import into (its area inside the officer's scope)."""
    require_officer(scope)
    campaign = Campaign.objects.select_related("framework", "area").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    require_path(scope, campaign.unit_path)
    return campaign


def import_job_get(*, scope: Scope, job_id: int) -> ImportJob:
    require_officer(scope)
    job = ImportJob.objects.select_related("campaign", "campaign__area").filter(pk=job_id).first()
    if job is None:
        raise Http404(_("No such import."))
    require_path(scope, job.campaign.unit_path)
    return job


def import_jobs_of(*, scope: Scope, campaign: Campaign, limit: int = 20) -> list[ImportJob]:
    require_path(scope, campaign.unit_path)
    return list(ImportJob.objects.filter(campaign=campaign)[:limit])
