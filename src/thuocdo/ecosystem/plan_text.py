"""Plain-language next-level plans ("Nâng S3 từ phương án b lên c; đáp ứng S7 …")."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.frameworks.engine import Framework


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _option(c: Any, code: Any, lang: str) -> str:
    """An option as its code and its text, so the plan reads without the questionnaire."""
    texts = {o.code: o.text.get(lang) for o in c.question.options}
    text = texts.get(str(code))
    return f"{code} «{text}»" if text and text != str(code) else _show(code)


def change_text(fw: Framework, ch: nl.Change, lang: str = "vi") -> str:
    """One change as a sentence in ``lang``."""
    with translation.override(lang):
        c = fw.criterion(ch.criterion)
        params = {
            "code": c.code,
            "name": c.name.get(lang),
            "from": _show(ch.before),
            "to": _show(ch.after),
        }
        qtype = c.question.type
        if qtype == "boolean":
            if ch.after:
                return _("Meet %(code)s (%(name)s)") % params
            return _("Answer %(code)s (%(name)s): no") % params
        if qtype == "multi":
            before = set(ch.before or [])
            added = [o for o in ch.after if o not in before]
            params["options"] = ", ".join(_option(c, o, lang) for o in added) if added else "—"
            return _("Add to %(code)s (%(name)s): %(options)s") % params
        if qtype == "single":
            params["from"] = _option(c, ch.before, lang)
            params["to"] = _option(c, ch.after, lang)
        if ch.before is None:
            if qtype == "single":
                return _("Answer %(code)s (%(name)s) with option %(to)s") % params
            return _("Answer %(code)s (%(name)s) with %(to)s") % params
        if qtype == "single":
            return _("Raise %(code)s (%(name)s) from option %(from)s to %(to)s") % params
        return _("Raise %(code)s (%(name)s) from %(from)s to %(to)s") % params


def plan_lines(fw: Framework, plan: nl.Plan | nl.NoPlan | None, lang: str = "vi") -> list[str]:
    if not isinstance(plan, nl.Plan):
        return []
    return [change_text(fw, ch, lang) for ch in plan.changes]
