"""Writes of the assessments capability (organisations, campaigns, responses)."""

from thuocdo.assessments.services.agencies import (
    AgencyImportError,
    AgencyImportResult,
    agencies_import,
)
from thuocdo.assessments.services.campaigns import (
    RowError,
    StrataImportError,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_publish,
    campaign_set_named_publication,
    campaign_snapshot,
    campaign_strata_import,
    campaign_transition,
    campaign_update,
)
from thuocdo.assessments.services.common import commune_resolve
from thuocdo.assessments.services.organisations import (
    DuplicateOrganisationError,
    organisation_create,
    organisation_member_add,
    organisation_merge,
    organisation_update,
)
from thuocdo.assessments.services.responses import (
    AnswersRejectedError,
    SubmitResult,
    check_can_answer,
    response_reject,
    response_reopen,
    response_save_draft,
    response_submit,
    response_verify,
)

__all__ = [
    "AgencyImportError",
    "AgencyImportResult",
    "AnswersRejectedError",
    "DuplicateOrganisationError",
    "RowError",
    "StrataImportError",
    "SubmitResult",
    "agencies_import",
    "campaign_close",
    "campaign_create",
    "campaign_open",
    "campaign_publish",
    "campaign_set_named_publication",
    "campaign_snapshot",
    "campaign_strata_import",
    "campaign_transition",
    "campaign_update",
    "check_can_answer",
    "commune_resolve",
    "organisation_create",
    "organisation_member_add",
    "organisation_merge",
    "organisation_update",
    "response_reject",
    "response_reopen",
    "response_save_draft",
    "response_submit",
    "response_verify",
]
