"""Partials rendered once per build (`include_cached`: the masthead, the footer, the
cards): a site's override of any of them is what every page shows, with what that page
gives it, whatever the override reads."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import SITE_TOML, article, build_ok, read_page, write_site

STORIES = {
    "content/one.md": article("First story", "2025-07-01", tags="[Alpha]"),
    "content/two.md": article("Second story", "2025-07-02", tags="[Alpha, Beta]"),
    "content/three.md": article("Third story", "2025-07-03", tags="[Beta]"),
}


def _tagline(site: Path, rel: str) -> str:
    return read_page(site, rel).find("p", class_="tagline").text()


def test_masthead_override_reading_the_page_shows_each_page_its_own(tmp_path: Path) -> None:
    """An override that reads `page` is keyed by it: each story's masthead names it."""
    root = write_site(tmp_path, {**STORIES, "templates/partials/masthead.html": (
        '<p class="tagline">{% if page is defined %}{{ page.title }}'
        '{% else %}{{ site.title }}{% endif %}</p>\n')})
    build_ok(root)
    site = root / "site"
    assert [_tagline(site, f"{slug}/index.html") for slug in ("one", "two", "three")] == \
        ["First story", "Second story", "Third story"]
    assert _tagline(site, "index.html") == "Test Gazette"


def test_masthead_including_a_template_named_by_a_variable(tmp_path: Path) -> None:
    """What a template named by a variable reads cannot be known: rendered per page."""
    root = write_site(tmp_path, {
        **STORIES,
        "templates/partials/masthead.html": "{% include site.extra.box %}",
        "templates/partials/box.html": (
            '<p class="tagline">{{ page.title if page is defined else "-" }}</p>\n')},
        site_toml=SITE_TOML + '\n[extra]\nbox = "partials/box.html"\n')
    build_ok(root)
    site = root / "site"
    assert [_tagline(site, f"{slug}/index.html") for slug in ("one", "two")] == \
        ["First story", "Second story"]


def test_edited_footer_override_reaches_every_page(tmp_path: Path) -> None:
    """The footer is rendered through `include_cached`: an edit of it is an edit of every
    page's template, so the next build renders every page again."""
    footer = '<footer><p class="tagline">{{ site.title }} {}</p></footer>\n'
    root = write_site(tmp_path, {**STORIES,
                                 "templates/partials/footer.html": footer.replace("{}", "v1")})
    build_ok(root)
    (root / "templates/partials/footer.html").write_text(footer.replace("{}", "v2"),
                                                         encoding="utf-8")
    result = build_ok(root)
    site = root / "site"
    for rel in ("one/index.html", "index.html", "tags/beta/index.html"):
        assert _tagline(site, rel) == "Test Gazette v2", rel
    assert result.pages_rendered >= 3 + 1


def test_card_override_reading_the_loop_and_the_listing(tmp_path: Path) -> None:
    """A card override can read the listing's loop and the page's other values: the same
    story's card differs between the home page and a tag page."""
    root = write_site(tmp_path, {**STORIES, "templates/partials/card.html": (
        '<p class="tagline">{{ loop.index }} {{ card.title }} / {{ listing.title }}</p>\n')})
    build_ok(root)
    site = root / "site"
    home = [p.text() for p in read_page(site, "index.html").find_all("p", class_="tagline")]
    beta = [p.text() for p in read_page(site, "tags/beta/index.html")
            .find_all("p", class_="tagline")]
    assert home[1].startswith("2 Second story / ")
    assert beta == ["1 Third story / Beta", "2 Second story / Beta"]


def test_view_dicts_read_as_jinja_reads_them(tmp_path: Path) -> None:
    """`ViewEnvironment.getattr` skips Jinja's AttributeError for a dict's keys and gives
    Jinja's answers: a dict's own attribute wins over a key of its name, a missing key is
    undefined (an error naming it, under strict undefined), other objects as before."""
    import jinja2
    import pytest

    from reelpress.render.theme import Theme, make_environment

    (tmp_path / "t.html").write_text(
        "{{ d.title }}|{{ d.items is callable }}|{{ d.gone is defined }}|{{ o.real }}",
        encoding="utf-8")
    env = make_environment(Theme("t", (tmp_path,), ()))
    text = env.get_template("t.html").render(d={"title": "<b>", "items": "key"}, o=3)
    assert text == "&lt;b&gt;|True|False|3"
    (tmp_path / "u.html").write_text("{{ d.gone }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError, match="'dict object' has no attribute 'gone'"):
        env.get_template("u.html").render(d={})
