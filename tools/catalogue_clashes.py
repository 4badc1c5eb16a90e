"""List message ids that two app catalogues translate differently.

Usage: python tools/catalogue_clashes.py   (exit 1 when there is any clash)
Django merges all catalogues into one, so a shared id must read the same everywhere; fix a
clash in the apps' tools/vi_messages_*.py (or give a different meaning its own id).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "thuocdo"


def clashes() -> dict[str, dict[str, list[str]]]:
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for po_path in sorted(PACKAGE.glob("**/locale/vi/LC_MESSAGES/django.po")):
        app = str(po_path.parents[3].relative_to(PACKAGE)) or "."
        for entry in polib.pofile(str(po_path)):
            if entry.msgstr and not entry.obsolete:
                seen[entry.msgid][entry.msgstr].append(app)
    return {msgid: dict(t) for msgid, t in seen.items() if len(t) > 1}


def main() -> int:
    found = clashes()
    for msgid, translations in found.items():
        print(repr(msgid), translations)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
