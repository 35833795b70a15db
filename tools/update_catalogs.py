"""Extract every string of the default theme and update its catalogs.

Not product code: run by hand after changing a template's strings
(`python tools/update_catalogs.py`). Strings come from the templates (Jinja's i18n
extension: `_()`, `{% trans %}`) and from `gettext(...)` calls in reelpress/render/.
New msgids are added to each `reelpress/themes/default/i18n/<lang>.po` (English gets
msgstr = msgid; other languages get an empty msgstr to translate), gone ones are dropped.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
THEME = REPO / "reelpress" / "themes" / "default"
RENDER = REPO / "reelpress" / "render"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def theme_messages() -> Catalog:
    """Every msgid the default theme and the renderer use (with where it is used)."""
    catalog = Catalog(project="reelpress default theme")
    sources = [
        (THEME / "templates", [("**.html", "jinja2")], {"**.html": JINJA_OPTIONS}, None),
        (RENDER, [("**.py", "python")], {}, {"gettext": None}),
    ]
    for folder, method_map, options_map, keywords in sources:
        extra = {"keywords": keywords} if keywords else {}
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, method_map, options_map, **extra):
            location = (f"{folder.relative_to(REPO).as_posix()}/{filename}", lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def update(po_path: Path, template: Catalog) -> None:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    if po_path.stem == "en":
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


def main() -> int:
    template = theme_messages()
    for po_path in sorted((THEME / "i18n").glob("*.po")):
        update(po_path, template)
        print(f"updated {po_path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
