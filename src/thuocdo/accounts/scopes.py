"""What a user may see and change: a role, an administrative-unit subtree and sectors.

Every scope check in the product goes through ``Scope``; views and API endpoints never test
roles themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
MINISTRY = "ministry"
PROVINCE = "province"
COMMUNE = "commune"
RESPONDENT = "respondent"
PROVIDER = "provider"
ANONYMOUS = "anonymous"
OFFICERS = frozenset({ADMIN, MINISTRY, PROVINCE, COMMUNE})


@dataclass(frozen=True)
class Scope:
    """A user's reach. ``unit_path`` None means the whole country; ``sectors`` None means all."""

    role: str
    user_id: int | None = None
    unit_path: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    sectors: frozenset[str] | None = None
    department: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICERS

    @property
    def is_anonymous(self) -> bool:
        return self.role == ANONYMOUS

    @property
    def manages_accounts(self) -> bool:
        """Administrators and province and commune officers manage (and read) the accounts of
        their area; ministries do not."""
        return self.role in {ADMIN, PROVINCE, COMMUNE}

    def covers_path(self, path: str | None) -> bool:
        """True when a unit with this materialised path lies inside the scope."""
        if not self.is_officer:
            return False
        if self.unit_path is None:
            return True
        return path is not None and path.startswith(self.unit_path)

    def covers_sector(self, sector: str | None) -> bool:
        if not self.is_officer:
            return False
        if self.sectors is None or sector is None:
            return True
        return sector in self.sectors or sector == "general"

    def can_manage_role(self, role: str) -> bool:
        """Which roles an officer may create or change inside its scope."""
        if self.is_admin:
            return True
        if self.role == PROVINCE:
            return role in {COMMUNE, RESPONDENT, PROVINCE}
        if self.role == COMMUNE:
            return role == RESPONDENT
        return False


ANONYMOUS_SCOPE = Scope(role=ANONYMOUS)
