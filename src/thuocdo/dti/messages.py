"""Translated messages for the DTI domain's problems (each names its field)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from thuocdo.dti.domain.scorecard import Problem


def problem_text(problem: Problem) -> str:
    p = {k: str(v) for k, v in problem.params.items()}
    texts = {
        "missing": _("%(field)s: this field is required."),
        "not_mapping": _("%(field)s: expected a mapping of fields."),
        "kind": _("%(field)s: %(value)s is not one of %(allowed)s."),
        "method": _("%(field)s: method %(value)s is not one of %(allowed)s."),
        "points": _("%(field)s: %(value)s is not a non-negative number of points."),
        "duplicate": _("%(field)s: the code %(code)s is used twice."),
        "unknown": _("%(field)s: unknown pillar %(code)s."),
        "observed": _("%(field)s: an observed-only index carries no points (found %(value)s)."),
        "sum": _("%(field)s: the parts sum to %(sum)s points, not the declared %(total)s."),
        "count": _("%(field)s: %(found)s found, %(declared)s declared."),
        "differs": _("%(field)s: %(value)s differs from the known structure (%(known)s)."),
        "absent": _("%(field)s: the index %(code)s of the known structure is missing."),
        "unknown_component": _("%(field)s: no component %(code)s in this structure."),
        "not_number": _("%(field)s: %(value)s is not a number."),
        "range": _("%(field)s: %(value)s is outside the point range 0–%(max)s."),
        "precision": _("%(field)s: %(value)s has more than two decimal places."),
        "evidence": _("%(field)s: a value entered by hand needs a link to its evidence."),
        "evidence_link": _("%(field)s: the evidence %(value)s is not an http(s) link."),
    }
    template = texts.get(problem.key, "%(field)s: " + problem.key)
    return template % {"field": problem.field, **p}
