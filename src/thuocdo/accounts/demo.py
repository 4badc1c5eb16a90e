"""Demo accounts: an administrator and one user per role, for trying the product.

The respondent account is linked to a demo organisation by the assessments demo, and the
provider account to a demo provider by the ecosystem demo (both run after this)."""

from __future__ import annotations

from django.db import transaction

from thuocdo.accounts.models import Role, User
from thuocdo.accounts.services import audit_record
from thuocdo.geo.models import Structure, Unit

DEMO_USERS: tuple[tuple[str, str, str | None, list[str], str], ...] = (
    ("bo.congthuong", Role.MINISTRY, None, ["retail"], "Cán bộ Bộ Công Thương"),
    ("so.hanoi", Role.PROVINCE, "01", [], "Cán bộ Sở KH&CN Hà Nội"),
    ("so.danang", Role.PROVINCE, "48", [], "Cán bộ Sở KH&CN Đà Nẵng"),
    ("xa.badinh", Role.COMMUNE, "00004", [], "Cán bộ UBND phường Ba Đình"),
    ("dn.demo", Role.RESPONDENT, None, [], "Người đại diện doanh nghiệp (thử)"),
    ("ncc.demo", Role.PROVIDER, None, [], "Nhà cung cấp giải pháp số (thử)"),
)


@transaction.atomic
def ensure_admin(*, username: str, password: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": Role.ADMIN, "full_name": "Quản trị hệ thống"}
    )
    user.role = Role.ADMIN
    user.is_superuser = True
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    audit_record(
        actor=None,
        action="user.create" if created else "user.password",
        object_type="accounts.user",
        object_id=user.pk,
        after={"username": username, "role": "admin"},
    )
    return user


@transaction.atomic
def ensure_demo_users(*, password: str) -> list[str]:
    names = []
    for username, role, unit_code, sectors, full_name in DEMO_USERS:
        unit = (
            Unit.objects.filter(structure=Structure.CURRENT, code=unit_code).first()
            if unit_code
            else None
        )
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "unit": unit, "sectors": sectors, "full_name": full_name},
        )
        user.set_password(password)
        user.save()
        if created:
            audit_record(
                actor=None,
                action="user.create",
                object_type="accounts.user",
                object_id=user.pk,
                after={"username": username, "role": role},
                unit_path=unit.path if unit else "",
            )
        names.append(username)
    return names
