"""The Vietnamese catalogues of the apps agree with each other.

Django merges every app's catalogue into one: a message id translated differently in two
catalogues would show whichever app comes first, so each shared id must read the same
everywhere, and every catalogue must be complete and compiled.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import catalogue_clashes

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "thuocdo"
CATALOGUES = sorted(PACKAGE.glob("**/locale/vi/LC_MESSAGES/django.po"))


def test_there_are_catalogues() -> None:
    assert PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po" in CATALOGUES


def test_shared_message_ids_have_one_translation() -> None:
    assert catalogue_clashes.clashes() == {}


def test_every_catalogue_is_translated_and_compiled() -> None:
    for po_path in CATALOGUES:
        po = polib.pofile(str(po_path))
        missing = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
        assert missing == [], po_path
        mo = po_path.with_suffix(".mo")
        assert mo.exists(), mo
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo)) if e.msgid}
        for entry in po.translated_entries():
            if not entry.msgid_plural:
                assert compiled.get(entry.msgid) == entry.msgstr, (po_path, entry.msgid)
