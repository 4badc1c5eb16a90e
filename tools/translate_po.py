"""Fill Vietnamese translations into the gettext catalogue from tools/vi_messages.py.

Usage: python tools/translate_po.py  (then msgfmt is run by the same script)
Untranslated messages are listed so nothing ships in English by accident.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from vi_messages import PLURALS, VI

PO = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "thuocdo"
    / "locale"
    / "vi"
    / "LC_MESSAGES"
    / "django.po"
)


def main() -> int:
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            if entry.msgid in PLURALS:
                entry.msgstr_plural = {0: PLURALS[entry.msgid]}
            else:
                missing.append(entry.msgid)
        elif entry.msgid in VI:
            entry.msgstr = VI[entry.msgid]
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "vi"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
