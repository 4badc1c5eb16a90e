"""The differences between two versions, named and worded for a page."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from thuocdo.frameworks.document import num
from thuocdo.frameworks.engine import Framework, FrameworkDiff

FIELD_LABELS: dict[str, Promise] = {
    "code": _("Code"),
    "version": _("Version"),
    "name": _("Name"),
    "sector": _("Sector"),
    "entity_types": _("Entity types"),
    "source": _("Source"),
    "description": _("Description"),
    "pillar": _("Pillar"),
    "weight": _("Weight"),
    "required": _("Required"),
    "relevant": _("Condition"),
    "target": _("Target score"),
    "gate": _("Required for level"),
    "solution_tags": _("Solution tags"),
    "type": _("Question type"),
    "question_text": _("Question"),
    "help": _("Help text"),
    "yes_score": _("Score for yes"),
    "no_score": _("Score for no"),
    "thresholds": _("Thresholds"),
    "min": _("Minimum"),
    "max": _("Maximum"),
    "unit": _("Unit"),
    "score": _("Score"),
    "exclusive": _("Exclusive"),
    "text": _("Text"),
    "order": _("Order"),
    "min_pillars": _("Pillars needed"),
    "pillar_min": _("Pillar score needed"),
    "compare": _("Comparison with the minimum"),
    "pillar_compare": _("Comparison with the pillar score needed"),
    "unanswered_as_zero": _("Unanswered counts as 0"),
    "points": _("Total points"),
}


def show(value: Any, lang: str) -> str:
    """A changed value as text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return num(value, lang)
    if isinstance(value, dict):
        if set(value) <= {"vi", "en"}:
            return str(value.get(lang) or value.get("vi") or "")
        if set(value) == {"min", "score"}:
            return f"≥ {num(value['min'], lang)} → {num(value['score'], lang)}"
        return ", ".join(f"{k}: {show(v, lang)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(show(v, lang) for v in value) or "—"
    return str(value)


def _changes(fields: dict[str, Any], lang: str) -> list[dict[str, str]]:
    return [
        {
            "field": str(FIELD_LABELS.get(name, name)),
            "old": show(change["old"], lang),
            "new": show(change["new"], lang),
        }
        for name, change in fields.items()
    ]


def diff_context(old: Framework, new: Framework, d: FrameworkDiff, lang: str) -> dict[str, Any]:
    """Added, removed and changed pillars, criteria (with options) and levels, with names."""

    def crit_name(fw: Framework, code: str) -> str:
        return fw.criterion(code).name.get(lang)

    old_p = {p.code: p for p in old.pillars}
    new_p = {p.code: p for p in new.pillars}
    old_l = {lv.code: lv for lv in old.levels}
    new_l = {lv.code: lv for lv in new.levels}
    criteria_changed = []
    for cc in d.criteria_changed:
        c_old = old.criterion(cc.code)
        c_new = new.criterion(cc.code)
        old_opts = {o.code: o for o in c_old.question.options}
        new_opts = {o.code: o for o in c_new.question.options}
        criteria_changed.append(
            {
                "code": cc.code,
                "name": c_new.name.get(lang),
                "fields": _changes(cc.fields, lang),
                "options_added": [
                    {
                        "code": o,
                        "text": new_opts[o].text.get(lang),
                        "score": num(new_opts[o].score, lang),
                    }
                    for o in cc.options.added
                ],
                "options_removed": [
                    {
                        "code": o,
                        "text": old_opts[o].text.get(lang),
                        "score": num(old_opts[o].score, lang),
                    }
                    for o in cc.options.removed
                ],
                "options_changed": [
                    {
                        "code": o,
                        "text": new_opts[o].text.get(lang) if o in new_opts else "",
                        "fields": _changes(ch, lang),
                    }
                    for o, ch in cc.options.changed.items()
                ],
            }
        )
    return {
        "empty": d.is_empty,
        "affects_scores": d.affects_scores,
        "fields": _changes(d.fields, lang),
        "pillars_added": [{"code": c, "name": new_p[c].name.get(lang)} for c in d.pillars_added],
        "pillars_removed": [
            {"code": c, "name": old_p[c].name.get(lang)} for c in d.pillars_removed
        ],
        "pillars_changed": [
            {"code": c, "name": new_p[c].name.get(lang), "fields": _changes(ch, lang)}
            for c, ch in d.pillars_changed.items()
        ],
        "criteria_added": [
            {
                "code": c,
                "name": crit_name(new, c),
                "pillar": new.pillar_of(c).name.get(lang),
                "weight": num(new.criterion(c).weight, lang),
            }
            for c in d.criteria_added
        ],
        "criteria_removed": [
            {
                "code": c,
                "name": crit_name(old, c),
                "pillar": old.pillar_of(c).name.get(lang),
                "weight": num(old.criterion(c).weight, lang),
            }
            for c in d.criteria_removed
        ],
        "criteria_changed": criteria_changed,
        "levels_added": [{"code": c, "name": new_l[c].name.get(lang)} for c in d.levels_added],
        "levels_removed": [{"code": c, "name": old_l[c].name.get(lang)} for c in d.levels_removed],
        "levels_changed": [
            {"code": c, "name": new_l[c].name.get(lang), "fields": _changes(ch, lang)}
            for c, ch in d.levels_changed.items()
        ],
    }
