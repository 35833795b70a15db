"""The default theme's catalogs are complete, Babel formats in the page's locale, and bad
language input (site.toml, front matter, a site's .po file) is one clear line."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sitebuilder import (
    REPO,
    SITE_TOML,
    article,
    assert_no_traceback,
    build,
    read_page,
    run_cli,
    write_site,
)

from reelpress.core.languages import is_rtl, language_name, slugify
from reelpress.render.i18n import load_catalogs

CATALOGS = REPO / "reelpress/themes/default/i18n"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
PARIS = dt.timezone(dt.timedelta(hours=2))


def theme_messages():  # noqa: ANN201 - a babel Catalog
    spec = importlib.util.spec_from_file_location("update_catalogs",
                                                  REPO / "tools/update_catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.theme_messages()


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_catalog_translates_every_string_the_theme_uses(language: str) -> None:
    used = {m.id for m in theme_messages() if m.id}
    assert len(used) > 30  # the extraction found the templates and the renderer
    with (CATALOGS / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    assert set(translated) == used  # nothing missing, nothing stale
    for msgid, msgstr in translated.items():
        assert msgstr, f"{language}.po: {msgid!r} is not translated"
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_babel_formats_in_the_page_locale() -> None:
    catalogs, problems = load_catalogs([CATALOGS], "en", {})
    assert not problems
    moment = dt.datetime(2025, 7, 14, 18, 5, tzinfo=PARIS)
    french = catalogs.locale("fr")
    assert (french.date(moment), french.short_date(moment)) == ("14 juillet 2025", "14 juil.")
    assert french.datetime(moment).startswith("14 juillet 2025, 18:05")
    assert french.minutes(7) == "7\u00a0min"
    assert french.number(1234) == "1\u202f234"
    assert french.gettext("Home") == "Accueil"
    english = catalogs.locale(None)
    assert (english.code, english.date(moment), english.number(1234)) == \
        ("en", "July 14, 2025", "1,234")
    assert catalogs.locale("fr-CA").gettext("Home") == "Accueil"  # falls back to fr
    assert catalogs.locale("de").gettext("Home") == "Home"  # no catalog: the msgid
    assert catalogs.locale("de").date(moment) == "14. Juli 2025"
    assert catalogs.locale("ar").direction == "rtl" and is_rtl("he") and not is_rtl("fr")
    assert language_name("fr") == "Français" and language_name("ar") == "العربية"


@pytest.mark.parametrize(("text", "style", "slug"), [
    ("Été à Zürich", "ascii", "ete-a-zurich"),
    ("Été à Zürich", "unicode", "été-à-zürich"),
    ("القاهرة اليوم", "unicode", "القاهرة-اليوم"),
    ("القاهرة اليوم", "ascii", "lqhrh-lywm"),
    ("नमस्ते दुनिया", "unicode", "नमस्ते-दुनिया"),  # combining marks kept
])
def test_slug_styles(text: str, style: str, slug: str) -> None:
    assert slugify(text, style) == slug


@pytest.mark.parametrize(("toml_extra", "expected"), [
    ('language = "xx-nope"', 'site.toml:5: language: unknown language \'xx-nope\''),
    ('slug_style = "fancy"', 'site.toml:5: slug_style: expected "ascii" or "unicode", got '
                             "'fancy'"),
    ('[strings]\n"By %(author)s" = "Par %(auteur)s"',
     "site.toml:7: [strings] 'By %(author)s': unknown placeholder %(auteur)s"),
    ('[strings.klingon]\nHome = "x"', "site.toml:6: [strings.klingon]: unknown language "
                                      "'klingon'"),
    ('[search]\nenabled = "yes"', "site.toml:7: [search] enabled: expected true or false"),
])
def test_bad_language_settings_are_one_line(tmp_path: Path, toml_extra: str,
                                            expected: str) -> None:
    toml = SITE_TOML.replace("\n[authors.desk]", f"{toml_extra}\n\n[authors.desk]") \
        if toml_extra.startswith("[") else SITE_TOML.replace(
            "author =", f"{toml_extra}\nauthor =")
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")}, site_toml=toml)
    result = build(root)
    assert not result.ok
    assert any(d.format().startswith(expected) for d in result.diagnostics), result.diagnostics


def test_unknown_article_language_names_the_line(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01", lang="elvish")})
    process = run_cli(root, "build")
    assert process.returncode == 1
    assert_no_traceback(process)
    assert "content/a.md:4: lang: unknown language 'elvish'" in process.stderr, process.stderr


def test_broken_site_catalog_is_an_error_with_its_line(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "content/a.md": article("A", "2025-07-01"),
        "i18n/fr.po": 'msgid "Home"\nmsgstr "Accueil"\n\nmsgid "Topics"\nmsgstr Thèmes\n',
    })
    process = run_cli(root, "build")
    assert process.returncode == 1
    assert_no_traceback(process)
    assert re.search(r"^i18n/fr\.po:5: invalid \.po file: expected a keyword and a quoted",
                     process.stderr, re.M), process.stderr


def test_po_entry_without_translation_names_its_line(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "content/a.md": article("A", "2025-07-01"),
        "i18n/fr.po": 'msgid "Home"\nmsgstr "Accueil"\n\nmsgid "Topics"\n\nmsgid "x"\nmsgstr "y"\n',
    })
    result = build(root)
    assert not result.ok
    assert [d.format() for d in result.diagnostics] == [
        "i18n/fr.po:4: invalid .po file: missing msgstr for msgid 'Topics'"]


def test_translation_with_a_foreign_placeholder_is_ignored(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "content/a.md": article("A", "2025-07-01", lang="fr"),
        "i18n/fr.po": 'msgid "By %(author)s"\nmsgstr "Signé %(nom)s"\n',
    })
    result = build(root)
    assert result.ok
    expected = ("i18n/fr.po:1: warning: translation of 'By %(author)s' uses the unknown "
                "placeholder %(nom)s")
    assert [d.format().split(" (")[0] for d in result.warnings] == [expected]
    byline = read_page(root / "site", "a/index.html").find("p", class_="article__byline")
    assert "Par Test Desk" in byline.text()  # the theme's translation, one layer down
