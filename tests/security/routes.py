"""The routes of the product (``thuocdo.core.routes``) and the roles the security tests use.

The matrix tests call each route as one account per role; a province and a ministry officer
appear twice, once inside the object's area or sectors and once outside.
"""

from __future__ import annotations

from thuocdo.core.access import POLICIES, POLICY_ROLES
from thuocdo.core.routes import (
    API_PREFIX,
    FRAMEWORK_POLICIES,
    UNSAFE,
    Route,
    all_routes,
    api_routes,
    page_routes,
)

__all__ = [
    "ALLOWED",
    "API_PREFIX",
    "FRAMEWORK_POLICIES",
    "OFFICERS",
    "ROLES",
    "UNSAFE",
    "Route",
    "all_routes",
    "api_routes",
    "page_routes",
]

ROLES = (
    "anonymous",
    "respondent",
    "provider",
    "commune",
    "province_in",
    "province_out",
    "ministry_in",
    "ministry_out",
    "admin",
)
# The product role of each test role.
PRODUCT_ROLE = {role: role.removesuffix("_in").removesuffix("_out") for role in ROLES}
OFFICERS = frozenset(
    {"commune", "province_in", "province_out", "ministry_in", "ministry_out", "admin"}
)

# What each declared policy lets through, role by role (``core/access.py``).
ALLOWED: dict[str, frozenset[str]] = {
    policy: frozenset(r for r in ROLES if PRODUCT_ROLE[r] in POLICY_ROLES[policy])
    for policy in POLICIES
}
