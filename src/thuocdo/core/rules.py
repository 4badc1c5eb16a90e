"""The access rule of every page and API operation, in one machine-readable place.

A rule is the operation's declared policy (``@access``, ``core/access.py``: which roles get
through) and, for each object its path names, which of those objects each role reaches
(``OBJECT_RULES``). The table in ``docs/security.md`` is generated from here
(``python -m thuocdo.core.rules --write``; a test fails when the document is stale) and the
authorization-matrix test (``tests/security/test_rule_matrix.py``) calls every operation as
every role on objects inside and outside its reach and compares the answer with the rule.

An operation without a policy, or with a path parameter no object rule names, has no rule:
``unruled()`` lists it and the tests fail.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from thuocdo.core.access import POLICY_ROLES, ROLES
from thuocdo.core.routes import UNSAFE, Route, all_routes

# What an object named in a path is to the roles a policy lets through.
ANY = "any"  # every such object (published or reference data): the policy alone decides
SCOPED = "scoped"  # officers: in their area and sectors; respondents: their organisation's;
# providers: their own listings and requests
OWN = "own"  # the caller's own (API tokens)
LINK_CODE = "secret"  # a secret code in the link is the right (form links, resume codes, e-mails)
VALUE = "value"  # a value, not an object (a format, a chart, a year)

KIND_TEXT = {
    ANY: "any",
    SCOPED: "in the caller's reach",
    OWN: "the caller's own",
    LINK_CODE: "whoever holds the link's secret code",
    VALUE: "(a value)",
}


@dataclass(frozen=True)
class ObjectRule:
    kind: str
    text: str  # what the object is, for the table


# Keyed by path parameter, or "app:parameter" / "route name:parameter" where an app or a route
# names a different object.
OBJECT_RULES: dict[str, ObjectRule] = {
    "structure": ObjectRule(ANY, "an administrative structure"),
    "geo:code": ObjectRule(ANY, "an administrative unit"),
    "frameworks:code": ObjectRule(ANY, "a criteria set"),
    "version": ObjectRule(ANY, "a criteria-set version"),
    "indicators:code": ObjectRule(ANY, "an indicator"),
    "indicators:edit:code": ObjectRule(
        SCOPED, "an indicator (national: ministries; a province's own: its officers)"
    ),
    "PATCH /api/v1/indicators/{code}:code": ObjectRule(
        SCOPED, "an indicator (national: ministries; a province's own: its officers)"
    ),
    "dti:code": ObjectRule(ANY, "a ministry or province of the DTI"),
    "label": ObjectRule(ANY, "a DTI structure"),
    "provider_id": ObjectRule(ANY, "a provider"),
    "user_id": ObjectRule(SCOPED, "an account (of the officer's area; ministries none)"),
    "token_id": ObjectRule(OWN, "an API token"),
    "organisation_id": ObjectRule(SCOPED, "an organisation"),
    "campaign_id": ObjectRule(
        SCOPED,
        "a campaign (officers: covering or inside their area; ministries: every one; "
        "respondents: the ones open to their organisation)",
    ),
    "publishing:campaign_id": ObjectRule(ANY, "a published campaign"),
    "assessments:pk": ObjectRule(SCOPED, "a campaign or a response"),
    "response_id": ObjectRule(SCOPED, "a response"),
    "solution_id": ObjectRule(SCOPED, "a listing (providers: their own; officers: every one)"),
    "promotion_id": ObjectRule(SCOPED, "a promotion (providers: their own; officers: every one)"),
    "connection_id": ObjectRule(SCOPED, "a connection request"),
    "plan_id": ObjectRule(
        SCOPED, "a plan (its province's officers; ministries read every plan, write national ones)"
    ),
    "task_id": ObjectRule(SCOPED, "a plan's task (as its plan)"),
    "evidence_id": ObjectRule(SCOPED, "a task's evidence"),
    "submission_id": ObjectRule(SCOPED, "an indicator submission"),
    "proposal_id": ObjectRule(SCOPED, "a target-change proposal"),
    "job_id": ObjectRule(OWN, "an import job (its author's, and administrators')"),
    "kind": ObjectRule(VALUE, "ministry or province"),
    "year": ObjectRule(VALUE, "a year"),
    "token": ObjectRule(LINK_CODE, "a form link or an e-mail's unsubscribe code"),
    "assessments:code": ObjectRule(LINK_CODE, "a response's resume code"),
    "verify:code": ObjectRule(LINK_CODE, "a certificate's verification code"),
    "n": ObjectRule(VALUE, "a pillar number"),
    "fmt": ObjectRule(VALUE, "a file format"),
    "chart": ObjectRule(VALUE, "a chart"),
    "dataset": ObjectRule(VALUE, "a data set"),
}


# Operations whose service lets through fewer of the policy's roles than the policy names: the
# policy is the gate the view declares, the service refuses the others (403, or 404 for an object
# outside their reach). Keyed by route name.
_ADMIN_MINISTRY = frozenset({"admin", "ministry"})
_ADMIN_PROVINCE = frozenset({"admin", "province"})
_NOT_COMMUNE = frozenset({"admin", "ministry", "province"})
NARROWED: dict[str, frozenset[str]] = {
    # campaigns are run by provinces, ministries and administrators; communes take part
    "POST /api/v1/assessments/campaigns": _NOT_COMMUNE,
    "POST /api/v1/assessments/campaigns/{campaign_id}/status": _NOT_COMMUNE,
    "assessments:campaign-status": _NOT_COMMUNE,
    "assessments:agency-results": _NOT_COMMUNE,
    "assessments:importing:form": _NOT_COMMUNE,
    "assessments:importing:template": _NOT_COMMUNE,
    "assessments:importing:xlsform": _NOT_COMMUNE,
    # listings and promotions are reviewed by ministries (and administrators)
    "POST /api/v1/ecosystem/solutions/{solution_id}/review": _ADMIN_MINISTRY,
    "POST /api/v1/ecosystem/promotions/{promotion_id}/review": _ADMIN_MINISTRY,
    "ecosystem:review": _ADMIN_MINISTRY,
    "ecosystem:promotion_review": _ADMIN_MINISTRY,
    # province figures, targets and plans are written by the province (and administrators)
    "POST /api/v1/indicators/{code}/targets": _ADMIN_PROVINCE,
    "POST /api/v1/indicators/submissions/": _ADMIN_PROVINCE,
    "POST /api/v1/indicators/reporting/target-proposals": _ADMIN_PROVINCE,
    "POST /api/v1/indicators/reporting/consolidation": _ADMIN_PROVINCE,
    "POST /api/v1/indicators/reporting/consolidation/unlock": _ADMIN_PROVINCE,
    "POST /api/v1/plans/plans": _ADMIN_PROVINCE,
    "PATCH /api/v1/plans/tasks/{task_id}": _ADMIN_PROVINCE,
    "POST /api/v1/plans/tasks/{task_id}/links": _ADMIN_PROVINCE,
    "POST /api/v1/plans/tasks/{task_id}/evidence": _ADMIN_PROVINCE,
    "POST /api/v1/plans/plans/{plan_id}/send": _ADMIN_PROVINCE,
    "POST /api/v1/plans/plans/{plan_id}/evaluate": _ADMIN_PROVINCE,
    "plans:evidence": _ADMIN_PROVINCE,
}


@dataclass(frozen=True)
class Rule:
    route: Route
    roles: frozenset[str]  # who gets through the policy
    objects: tuple[tuple[str, ObjectRule], ...]  # (path parameter, its object rule)

    @property
    def name(self) -> str:
        return self.route.name

    @property
    def changes(self) -> bool:
        return self.route.method in UNSAFE

    def object_kind(self, param: str) -> str:
        """A public operation shows every object it serves (published ones); else the rule."""
        rule = dict(self.objects)[param]
        if self.route.policy == "public" and rule.kind in (SCOPED, OWN):
            return ANY
        return rule.kind


def object_rule(route: Route, param: str) -> ObjectRule | None:
    return (
        OBJECT_RULES.get(f"{route.name}:{param}")
        or OBJECT_RULES.get(f"{route.app}:{param}")
        or OBJECT_RULES.get(param)
    )


def unruled(routes: list[Route] | None = None) -> list[str]:
    """Operations without a rule: no declared policy, or a path object no rule names."""
    out = []
    routes = all_routes() if routes is None else routes
    names = {route.name for route in routes}
    out += [f"{name}: narrowed, but no such operation" for name in NARROWED if name not in names]
    for route in routes:
        if route.policy is None:
            out.append(f"{route.name}: no @access policy")
        for param in route.params:
            if object_rule(route, param) is None:
                out.append(f"{route.name}: no object rule for {{{param}}}")
    return out


def rules(routes: list[Route] | None = None) -> list[Rule]:
    """The rule of every route that has one (``unruled`` names the others)."""
    out = []
    for route in all_routes() if routes is None else routes:
        if route.policy is None:
            continue
        objects = tuple((p, r) for p in route.params if (r := object_rule(route, p)) is not None)
        if len(objects) != len(route.params):
            continue
        roles = POLICY_ROLES[route.policy] & NARROWED.get(route.name, frozenset(ROLES))
        out.append(Rule(route=route, roles=roles, objects=objects))
    return out


def _roles_text(roles: frozenset[str]) -> str:
    if roles == frozenset(ROLES):
        return "everyone"
    return ", ".join(r for r in ROLES if r in roles)


def render_table(items: list[Rule] | None = None) -> str:
    """The rules as a Markdown table, API operations first, then pages, in URL order."""
    lines = [
        "| operation | reads / changes | policy | roles | objects in the path |",
        "|---|---|---|---|---|",
    ]
    items = rules() if items is None else items
    ordered = sorted(items, key=lambda r: (r.route.kind != "api", r.route.template, r.route.method))
    for rule in ordered:
        route = rule.route
        what = "page" if route.kind == "page" else ("changes" if rule.changes else "reads")
        objects = "; ".join(
            f"`{{{param}}}` {obj.text}: {KIND_TEXT[rule.object_kind(param)]}"
            for param, obj in rule.objects
            if obj.kind != VALUE
        )
        label = (
            f"`{route.method} {route.template}`" if route.kind == "api" else f"`{route.template}`"
        )
        lines.append(
            f"| {label} | {what} | `{route.policy}` | {_roles_text(rule.roles)} | {objects or '—'} |"
        )
    return "\n".join(lines) + "\n"


BEGIN = "<!-- rules table: generated by `python -m thuocdo.core.rules --write`; do not edit -->"
END = "<!-- end of the rules table -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "security.md"


def splice(document: str, table: str | None = None) -> str:
    """The document with its generated rules table replaced by the current one."""
    head, sep, rest = document.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the document has no {BEGIN!r} … {END!r} section")
    return head + BEGIN + "\n\n" + (table or render_table()) + "\n" + END + tail


def main(argv: list[str]) -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings.development")
    import django

    django.setup()
    missing = unruled()
    if missing:
        sys.stderr.write("operations without a rule:\n" + "\n".join(missing) + "\n")
        return 1
    current = DOC.read_text(encoding="utf-8")
    fresh = splice(current)
    if "--write" in argv:
        DOC.write_text(fresh, encoding="utf-8")
    else:
        sys.stdout.write(fresh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
