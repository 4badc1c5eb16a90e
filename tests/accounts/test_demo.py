"""Demo accounts: one per role, each linked to what the role works on."""

from __future__ import annotations

import pytest

from thuocdo.accounts.demo import ensure_demo_users
from thuocdo.accounts.models import Role, User
from thuocdo.assessments.demo import load_demo as assessments_demo
from thuocdo.assessments.models import OrganisationMember, Response
from thuocdo.ecosystem.demo import load_demo as ecosystem_demo
from thuocdo.ecosystem.models import Provider

pytestmark = pytest.mark.django_db


def test_every_role_has_a_demo_account_linked_to_its_work() -> None:
    names = ensure_demo_users(password="demo-pass-123")
    roles = set(User.objects.filter(username__in=names).values_list("role", flat=True))
    assert roles == {r.value for r in Role if r != Role.ADMIN}
    commune = User.objects.get(role=Role.COMMUNE, username__in=names)
    assert commune.unit is not None and commune.unit.level == "commune"

    assessments_demo()
    respondent = User.objects.get(role=Role.RESPONDENT, username__in=names)
    member = OrganisationMember.objects.get(user=respondent)
    assert Response.objects.filter(organisation=member.organisation).exists()

    ecosystem_demo()
    provider_user = User.objects.get(role=Role.PROVIDER, username__in=names)
    assert Provider.objects.filter(users=provider_user).count() == 1

    # Loading again links nothing twice.
    assert assessments_demo()["respondents_linked"] == 0
    assert OrganisationMember.objects.filter(user=respondent).count() == 1
