"""A bilingual site, built for real and parsed back: an English article and its French
translation (same file name under content/en/ and content/fr/), a French-only article in
the English site (`lang: fr`), a pair linked by `translation_key`, and an Arabic article
(right to left)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitebuilder import SITE_TOML, article, build_ok, read_page, write_site

FAQ_EN = "faq:\n  - q: Where did it happen?\n    a: In the 18th arrondissement."
FAQ_FR = "faq:\n  - q: Où cela s'est-il passé ?\n    a: Dans le 18e arrondissement."
FILES = {
    "content/en/paris.md": article(
        "Barefoot on a sixth-floor ledge", "2025-07-14 09:30:00", "The rescue.",
        updated="2025-07-14 18:00:00", tags="[Paris]", summary="A rescue in Paris.",
        faq=FAQ_EN[len("faq:"):]),
    "content/fr/paris.md": article(
        "Pieds nus au sixième étage", "2025-07-14 09:30:00", "Le sauvetage.",
        updated="2025-07-14 18:00:00", tags="[Paris]", summary="Un sauvetage à Paris.",
        faq=FAQ_FR[len("faq:"):]),
    "content/marseille.md": article("Le port de Marseille", "2025-07-10 08:00:00",
                                    "Un article en français seulement.", lang="fr"),
    "content/lyon.md": article("Lyon lights", "2025-07-01", "Festival.",
                               translation_key="lyon-2025"),
    "content/lyon-lumieres.md": article("Les lumières de Lyon", "2025-07-01", "Fête.",
                                        lang="fr", translation_key="lyon-2025"),
    "content/ar/cairo.md": article("القاهرة", "2025-07-14", "نص المقال."),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("bilingual"), FILES)
    build_ok(root)
    return root / "site"


def head_alternates(page) -> dict[str, str]:  # noqa: ANN001
    return {link.get("hreflang"): link.get("href")
            for link in page.find_all("link", rel="alternate") if link.get("hreflang")}


def test_french_translation_speaks_french(site: Path) -> None:
    page = read_page(site, "fr/paris/index.html")
    html = page.find("html")
    assert (html.get("lang"), html.get("dir")) == ("fr", "ltr")
    byline = page.find("p", class_="article__byline").text()
    assert "14 juillet 2025" in byline
    assert "Mis à jour le 14 juillet 2025, 18:00" in byline
    assert "Lecture : 1 min" in byline and "Par Test Desk" in byline
    assert page.find("h2", id="faq-heading").text() == "Questions fréquentes"
    nav = [a.text() for a in page.find("nav", class_="masthead__nav").find_all("a")]
    assert nav == ["À la une", "Thèmes", "Archives", "Flux"]
    assert page.find("nav", class_="breadcrumbs").find("a").text() == "Accueil"
    assert page.find("a", class_="skip-link").text() == "Aller au contenu"
    assert page.find("form", role="search").get("action") == "/search/fr/"
    assert page.find("meta", property="og:locale").get("content") == "fr"


def test_english_original_stays_english(site: Path) -> None:
    page = read_page(site, "en/paris/index.html")
    assert page.find("html").get("lang") == "en"
    byline = page.find("p", class_="article__byline").text()
    assert "July 14, 2025" in byline and "Updated July 14, 2025, 6:00" in byline
    assert "1 min read" in byline
    assert page.find("h2", id="faq-heading").text() == "Frequently asked questions"
    assert page.find("form", role="search").get("action") == "/search/"


def test_translations_link_each_other(site: Path) -> None:
    english, french = read_page(site, "en/paris/index.html"), read_page(site, "fr/paris/index.html")
    expected = {"en": "https://example.org/en/paris/", "fr": "https://example.org/fr/paris/",
                "x-default": "https://example.org/en/paris/"}
    assert head_alternates(english) == expected
    assert head_alternates(french) == expected
    switch = english.find("nav", class_="article__languages")
    link = switch.find("a", hreflang="fr")
    assert (link.get("href"), link.get("lang"), link.text()) == ("/fr/paris/", "fr", "Français")
    assert switch.find("span", lang="en").get("aria-current") == "page"
    back = french.find("nav", class_="article__languages").find("a", hreflang="en")
    assert (back.get("href"), back.text()) == ("/en/paris/", "English")
    by_key = read_page(site, "lyon/index.html").find("nav", class_="article__languages")
    assert by_key.find("a", hreflang="fr").get("href") == "/lyon-lumieres/"


def test_json_ld_carries_the_language(site: Path) -> None:
    french = read_page(site, "fr/paris/index.html").jsonld_of("NewsArticle")[0]
    assert french["inLanguage"] == "fr"
    assert french["workTranslation"] == [{"@type": "NewsArticle",
                                          "@id": "https://example.org/en/paris/",
                                          "url": "https://example.org/en/paris/",
                                          "inLanguage": "en"}]
    crumbs = read_page(site, "fr/paris/index.html").jsonld_of("BreadcrumbList")[0]
    assert crumbs["itemListElement"][0]["name"] == "Accueil"
    assert read_page(site, "en/paris/index.html").jsonld_of("NewsArticle")[0]["inLanguage"] == "en"


def test_french_only_article_in_an_english_site(site: Path) -> None:
    page = read_page(site, "marseille/index.html")
    assert page.find("html").get("lang") == "fr"
    assert "10 juillet 2025" in page.find("p", class_="article__byline").text()
    assert page.jsonld_of("NewsArticle")[0]["inLanguage"] == "fr"
    assert not page.find_all("nav", class_="article__languages")
    assert head_alternates(page) == {"fr": "https://example.org/marseille/"}
    home = read_page(site, "index.html")
    assert home.find("html").get("lang") == "en"
    card = next(c for c in home.find_all("article", class_="card")
                if c.find("h2").text() == "Le port de Marseille")
    assert card.get("lang") == "fr"
    assert "July 10, 2025" in card.text()  # the listing's language, the card's own lang


def test_right_to_left_language(site: Path) -> None:
    page = read_page(site, "ar/cairo/index.html")
    html = page.find("html")
    assert (html.get("lang"), html.get("dir")) == ("ar", "rtl")
    assert "يوليو" in page.find("p", class_="article__byline").text()
    assert read_page(site, "search/ar/index.html").find("html").get("dir") == "rtl"


def test_feeds_and_sitemap_carry_the_language(site: Path) -> None:
    atom = ET.parse(site / "feed.xml").getroot()
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert atom.get(xml_lang) == "en"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    langs = {entry.find("a:link", ns).get("href"): entry.get(xml_lang)
             for entry in atom.findall("a:entry", ns)}
    assert langs["https://example.org/fr/paris/"] == "fr"
    assert langs["https://example.org/en/paris/"] is None  # the feed's own language
    assert "<h2>Questions fréquentes</h2>" in (site / "feed.json").read_text()
    rss = ET.parse(site / "rss.xml").getroot()
    dc = "{http://purl.org/dc/elements/1.1/}language"
    item = next(i for i in rss.iter("item") if i.findtext("link").endswith("/fr/paris/"))
    assert item.findtext(dc) == "fr"
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    sm = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    url = next(u for u in sitemap.findall("s:url", sm)
               if u.findtext("s:loc", namespaces=sm) == "https://example.org/fr/paris/")
    assert {(link.get("hreflang"), link.get("href")) for link in url.findall("x:link", sm)} == {
        ("en", "https://example.org/en/paris/"), ("fr", "https://example.org/fr/paris/")}


def test_one_search_page_per_language(site: Path) -> None:
    assert read_page(site, "search/index.html").find("html").get("lang") == "en"
    french = read_page(site, "search/fr/index.html")
    assert french.find("html").get("lang") == "fr"
    assert french.find("h1").text() == "Rechercher"


def test_site_overrides_and_adds_languages(tmp_path: Path) -> None:
    files = {
        "content/en/paris.md": FILES["content/en/paris.md"],
        "content/fr/paris.md": FILES["content/fr/paris.md"],
        "content/berlin.md": article("Berlin", "2025-07-14", "Text.", lang="de",
                                     faq=FAQ_EN[len("faq:"):]),
        "i18n/fr.po": 'msgid "Frequently asked questions"\nmsgstr "FAQ"\n',
        "i18n/de.po": 'msgid "Frequently asked questions"\nmsgstr "Häufige Fragen"\n',
    }
    toml = SITE_TOML + '\n[strings]\n"Latest" = "Today"\n\n[strings.fr]\nLatest = "Ce jour"\n'
    root = write_site(tmp_path, files, site_toml=toml)
    build_ok(root)
    french = read_page(root / "site", "fr/paris/index.html")
    assert french.find("h2", id="faq-heading").text() == "FAQ"
    assert french.find("nav", class_="masthead__nav").find("a").text() == "Ce jour"
    assert "Accueil" in french.find("nav", class_="breadcrumbs").text()  # theme's, below
    english = read_page(root / "site", "en/paris/index.html")
    assert english.find("nav", class_="masthead__nav").find("a").text() == "Today"
    german = read_page(root / "site", "berlin/index.html")
    assert german.find("h2", id="faq-heading").text() == "Häufige Fragen"
    assert "14. Juli 2025" in german.find("p", class_="article__byline").text()


def test_editing_a_catalog_rerenders_its_pages(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**FILES, "i18n/fr.po": 'msgid "Home"\nmsgstr "Une"\n'})
    build_ok(root)
    (root / "i18n/fr.po").write_text('msgid "Home"\nmsgstr "Début"\n', encoding="utf-8")
    result = build_ok(root)
    assert "fr/paris/index.html" in result.written
    page = read_page(root / "site", "fr/paris/index.html")
    assert page.find("nav", class_="breadcrumbs").find("a").text() == "Début"


def test_moving_a_translation_updates_the_other(tmp_path: Path) -> None:
    untagged = {rel: FILES[rel].replace("tags: [Paris]\n", "")
                for rel in ("content/en/paris.md", "content/fr/paris.md")}
    root = write_site(tmp_path, untagged)
    build_ok(root)
    (root / "content/fr/paris.md").write_text(
        untagged["content/fr/paris.md"].replace("---\n\n", "slug: fr/pieds-nus\n---\n\n", 1),
        encoding="utf-8")
    result = build_ok(root)
    assert "en/paris/index.html" in result.written
    english = read_page(root / "site", "en/paris/index.html")
    assert head_alternates(english)["fr"] == "https://example.org/fr/pieds-nus/"


def test_linking_translations_updates_the_sitemap(tmp_path: Path) -> None:
    files = {"content/lyon.md": article("Lyon lights", "2025-07-01", "Festival."),
             "content/lyon-lumieres.md": article("Les lumières", "2025-07-01", "Fête.",
                                                 lang="fr")}
    root = write_site(tmp_path, files)
    build_ok(root)
    assert "hreflang" not in (root / "site/sitemap.xml").read_text()
    for rel, text in files.items():
        (root / rel).write_text(text.replace("---\n\n", "translation_key: lyon\n---\n\n", 1),
                                encoding="utf-8")
    build_ok(root)
    assert 'hreflang="fr" href="https://example.org/lyon-lumieres/"' in \
        (root / "site/sitemap.xml").read_text()


def test_a_version_turning_french_updates_the_page_it_translates(tmp_path: Path) -> None:
    """Only the other file changes (its language), so the English article is assembled
    from the same inputs as before; its translations are new, and so is its page."""
    files = {"content/lyon.md": article("Lyon lights", "2025-07-01", "Festival.",
                                        translation_key="lyon"),
             "content/lyon-lumieres.md": article("Les lumières", "2025-07-01", "Fête.",
                                                 translation_key="lyon", lang="en")}
    root = write_site(tmp_path, files)
    build_ok(root)
    assert "fr" not in head_alternates(read_page(root / "site", "lyon/index.html"))
    lumieres = root / "content/lyon-lumieres.md"
    lumieres.write_text(lumieres.read_text(encoding="utf-8").replace("lang: en", "lang: fr"),
                        encoding="utf-8")
    result = build_ok(root)
    assert "lyon/index.html" in result.written
    english = read_page(root / "site", "lyon/index.html")
    assert head_alternates(english)["fr"] == "https://example.org/lyon-lumieres/"


def test_changing_an_articles_language_updates_its_card(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/lyon.md": FILES["content/lyon.md"]})
    build_ok(root)
    (root / "content/lyon.md").write_text(
        FILES["content/lyon.md"].replace("---\n\n", "lang: de\n---\n\n", 1), encoding="utf-8")
    build_ok(root)
    card = read_page(root / "site", "index.html").find("article", class_="card")
    assert card.get("lang") == "de"


@pytest.mark.parametrize(("style", "path"), [("ascii", "ete-a-zurich"),
                                              ("unicode", "été-à-zürich")])
def test_slug_style(tmp_path: Path, style: str, path: str) -> None:
    toml = SITE_TOML.replace('description =', f'slug_style = "{style}"\ndescription =')
    root = write_site(tmp_path, {"content/Été à Zürich.md": article("Summer", "2025-07-01",
                                                                     tags="[Été]")},
                      site_toml=toml)
    build_ok(root)
    assert (root / "site" / path / "index.html").is_file()
    tag = "été" if style == "unicode" else "ete"
    assert (root / "site" / "tags" / tag / "index.html").is_file()
    sitemap = (root / "site/sitemap.xml").read_text(encoding="utf-8")
    assert "é" not in sitemap.split("<loc>")[2].split("</loc>")[0]  # percent-encoded URI


def test_media_words_follow_the_page_language(tmp_path: Path) -> None:
    from media_clips import make_audio, make_clip

    make_clip(tmp_path / "media/rue.mp4", duration=1.0)
    make_audio(tmp_path / "media/son.wav", duration=1.0)
    body = ("![La rue](/media/rue.mp4)\n\n![Le son](/media/son.wav)\n\n"
            "![La conférence](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n")
    toml = SITE_TOML + "\n[video]\nav1 = false\n"
    root = write_site(tmp_path, {"content/fr/rue.md": article("La rue", "2025-07-14", body)},
                      site_toml=toml)
    build_ok(root)
    page = read_page(root / "site", "fr/rue/index.html")
    text = page.find("div", class_="article__body").text()
    assert "Votre navigateur ne peut pas lire cette vidéo. Télécharger la vidéo (MP4)" in text
    assert "Télécharger l’audio (M4A)" in text
    assert "Regarder « La conférence » sur YouTube" in page.source
    assert page.find("button", class_="reelpress-facade").get("aria-label") == \
        "Lire : La conférence (charge YouTube)"
    assert "Download the" not in page.source
    feed = (root / "site/feed.json").read_text()
    assert "Télécharger la vidéo (MP4)" in feed and "Download the video" not in feed
