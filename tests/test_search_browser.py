"""Search and right-to-left layout in a real Chromium.

The demo site, served by reelpress's own preview server: type a word of the demo article
into the masthead's search box and see the article in Pagefind's results, with no request
leaving 127.0.0.1. An Arabic article (built with relative URLs, opened from the file
system) shows the masthead and the FAQ mirrored."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page
from sitebuilder import SITE_TOML, article, build_ok, site_toml, write_site

from reelpress.serve import PreviewServer

RESULT_LINK = ".pagefind-ui__result-link"


def search_from_the_masthead(page: Page, start_url: str, word: str) -> list[tuple[str, str]]:
    """Type `word` into the search box of `start_url`, submit, wait for the results:
    (title, href) of each result."""
    page.goto(start_url)
    page.fill("#site-search", word)
    page.press("#site-search", "Enter")
    page.wait_for_selector(RESULT_LINK, timeout=20_000)
    return [(link.inner_text(), link.get_attribute("href") or "")
            for link in page.query_selector_all(RESULT_LINK)]


def test_the_search_box_finds_the_demo_article(browser: Browser,
                                                served_demo: PreviewServer) -> None:
    page = browser.new_page()
    results = search_from_the_masthead(page, served_demo.url, "harness")
    assert urlsplit(page.url).path == "/search/"
    assert len(results) == 1
    title, href = results[0]
    assert title.startswith("Barefoot on a sixth-floor ledge")
    assert urlsplit(href).path == "/paris-rescue/"
    page.click(RESULT_LINK)
    page.wait_for_url("**/paris-rescue/")
    assert page.inner_text("h1").startswith("Barefoot")
    page.close()


def test_no_request_leaves_the_local_server(browser: Browser,
                                            served_demo: PreviewServer) -> None:
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    results = search_from_the_masthead(page, served_demo.url + "paris-rescue/", "caretaker")
    assert results
    context.close()
    assert any("/pagefind/" in url for url in requested)
    outside = [url for url in requested if urlsplit(url).scheme not in ("data", "blob")
               and urlsplit(url).hostname != "127.0.0.1"]
    assert not outside


def positions(page: Page) -> dict[str, float]:
    return page.evaluate("""() => {
      const box = (selector) => document.querySelector(selector).getBoundingClientRect();
      const answer = getComputedStyle(document.querySelector('.faq__answer'));
      return {title: box('.masthead__title').left, nav: box('.masthead__nav').left,
              answerLeft: parseFloat(answer.paddingLeft),
              answerRight: parseFloat(answer.paddingRight),
              direction: getComputedStyle(document.querySelector('main')).direction};
    }""")


def test_right_to_left_pages_are_mirrored(browser: Browser, tmp_path: Path) -> None:
    faq = "\n  - q: أين؟\n    a: في القاهرة."
    toml = site_toml("relative_urls = true", base=SITE_TOML)
    root = write_site(tmp_path, {
        "content/ar/cairo.md": article("القاهرة", "2025-07-14", "نص المقال.", faq=faq),
        "content/en/cairo.md": article("Cairo", "2025-07-14", "The story.",
                                       faq="\n  - q: Where?\n    a: In Cairo."),
    }, site_toml=toml)
    build_ok(root)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((root / "site/ar/cairo/index.html").as_uri())
    arabic = positions(page)
    page.goto((root / "site/en/cairo/index.html").as_uri())
    english = positions(page)
    page.close()
    assert arabic["direction"] == "rtl" and english["direction"] == "ltr"
    assert arabic["title"] > arabic["nav"]  # the site's name on the right
    assert english["title"] < english["nav"]
    assert arabic["answerRight"] > 0 and arabic["answerLeft"] == 0
    assert english["answerLeft"] > 0 and english["answerRight"] == 0
