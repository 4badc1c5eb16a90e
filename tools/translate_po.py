"""Fill Vietnamese translations into a gettext catalogue and compile it.

Usage:
  python tools/translate_po.py          the shared catalogue (src/thuocdo/locale) from
                                        tools/vi_messages.py
  python tools/translate_po.py APP      the catalogue of one app (src/thuocdo/APP/locale) from
                                        tools/vi_messages_APP.py

Each app keeps its own catalogue, made with ``cd src/thuocdo/APP && thuocdo manage
makemessages -l vi``. Untranslated messages are listed so nothing ships in English by accident.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
import importlib

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "thuocdo"


def main() -> int:
    app = sys.argv[1] if len(sys.argv) > 1 else None
    messages = importlib.import_module(f"vi_messages_{app}" if app else "vi_messages")
    plurals: dict[str, str] = getattr(messages, "PLURALS", {})
    vi: dict[str, str] = messages.VI
    po_path = (PACKAGE / app if app else PACKAGE) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            if entry.msgid in plurals:
                entry.msgstr_plural = {0: plurals[entry.msgid]}
            else:
                missing.append(entry.msgid)
        elif entry.msgid in vi:
            entry.msgstr = vi[entry.msgid]
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "vi"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    subprocess.run(["msgfmt", "-o", str(po_path.with_suffix(".mo")), str(po_path)], check=True)
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
