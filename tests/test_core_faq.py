"""The visible FAQ and the FAQPage JSON-LD say the same thing, in every way of writing one;
hostile text stays text in HTML and in JSON-LD."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import (
    Page,
    article,
    build_ok,
    html_text,
    normalize,
    read_page,
    site_toml,
    write_site,
)

FRONT_MATTER_FAQ = """\
---
title: Front matter FAQ
date: 2025-05-01
faq:
  - q: Where did it happen?
    a: In the *18th* district, near [the station](https://example.org/station).
  - q: How many people?
    a: >-
      Six: four children
      and two adults.
  - question: Long form keys?
    answer: "Yes, `question:` and `answer:` work too."
  - q: A number answer?
    a: 42
---

Story text.
"""

HEADING_FAQ = """\
---
title: Heading FAQ
date: 2025-05-02
---

Before the questions.

::: faq
### Why a ledge?

The stairwell was **full of smoke**.

Nobody could use it.

### What happened next?

- The family was safe
- The caretaker left quietly
:::

After the questions.
"""

DEFLIST_FAQ = """\
---
title: Definition FAQ
date: 2025-05-03
---

Intro.

::: faq
Who called the firefighters?
: A neighbour on the *fifth* floor.

How long did it take?
: About ten minutes.
:::

Ordinary term
: An ordinary definition that is not an FAQ.
"""

MERGED_FAQ = """\
---
title: Merged FAQ
date: 2025-05-04
faq:
  - q: First from front matter?
    a: Yes, front matter comes first.
---

Intro.

::: faq
### Then the body?

Yes, after the front matter.
:::

::: faq
Even a definition list?
: It comes last.
:::
"""


def visible_faq(page: Page) -> list[tuple[str, str]]:
    section = page.find("section", class_="faq")
    return [(item.find("summary").text(), item.find("div", class_="faq__answer").text())
            for item in section.find_all("details")]


def jsonld_faq(page: Page) -> list[tuple[str, str]]:
    [faq] = page.jsonld_of("FAQPage")
    return [(q["name"], html_text(q["acceptedAnswer"]["text"])) for q in faq["mainEntity"]]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("faq"), {
        "content/front.md": FRONT_MATTER_FAQ,
        "content/headings.md": HEADING_FAQ,
        "content/deflist.md": DEFLIST_FAQ,
        "content/merged.md": MERGED_FAQ,
        "content/plain.md": article("No FAQ here", "2025-05-05"),
    })
    build_ok(root)
    return root / "site"


def test_front_matter_faq_visible_equals_jsonld(site: Path) -> None:
    page = read_page(site, "front/index.html")
    expected = [
        ("Where did it happen?", "In the 18th district, near the station."),
        ("How many people?", "Six: four children and two adults."),
        ("Long form keys?", "Yes, question: and answer: work too."),
        ("A number answer?", "42"),
    ]
    assert visible_faq(page) == expected
    assert jsonld_faq(page) == expected
    answer = page.find("section", class_="faq").find("details").find("div", class_="faq__answer")
    assert answer.find("em").text() == "18th"  # answers are Markdown
    assert answer.find("a").get("href") == "https://example.org/station"


def test_heading_container_faq_visible_equals_jsonld(site: Path) -> None:
    page = read_page(site, "headings/index.html")
    expected = [
        ("Why a ledge?", "The stairwell was full of smoke. Nobody could use it."),
        ("What happened next?", "The family was safe The caretaker left quietly"),
    ]
    assert visible_faq(page) == expected
    assert jsonld_faq(page) == expected


def test_faq_container_is_lifted_out_of_the_body(site: Path) -> None:
    page = read_page(site, "headings/index.html")
    body = page.find("div", class_="article__body")
    assert body.text() == "Before the questions. After the questions."
    assert not body.find_all("h3")


def test_definition_list_faq_visible_equals_jsonld(site: Path) -> None:
    page = read_page(site, "deflist/index.html")
    expected = [
        ("Who called the firefighters?", "A neighbour on the fifth floor."),
        ("How long did it take?", "About ten minutes."),
    ]
    assert visible_faq(page) == expected
    assert jsonld_faq(page) == expected
    # a definition list outside the container stays in the body and is no question
    body = page.find("div", class_="article__body")
    assert body.find("dt").text() == "Ordinary term"


def test_merged_faq_front_matter_first(site: Path) -> None:
    page = read_page(site, "merged/index.html")
    expected = [
        ("First from front matter?", "Yes, front matter comes first."),
        ("Then the body?", "Yes, after the front matter."),
        ("Even a definition list?", "It comes last."),
    ]
    assert visible_faq(page) == expected
    assert jsonld_faq(page) == expected
    assert len(page.jsonld_of("FAQPage")) == 1
    anchors = [d.get("id") for d in page.find("section", class_="faq").find_all("details")]
    assert len(set(anchors)) == 3


def test_faq_anchors_are_unique_for_repeated_questions(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": article(
        "Repeats", "2025-01-01", "::: faq\n### Why?\n\nOne.\n\n### Why?\n\nTwo.\n:::\n")})
    build_ok(root)
    page = read_page(root / "site", "a/index.html")
    anchors = [d.get("id") for d in page.find_all("details")]
    assert anchors == ["faq-why", "faq-why-2"]


def test_no_faq_no_faqpage(site: Path) -> None:
    page = read_page(site, "plain/index.html")
    assert page.jsonld_of("FAQPage") == []
    assert page.find_all("section", class_="faq") == []


def test_empty_faq_container_warns_with_line(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": article(
        "Empty", "2025-01-01", "Text.\n\n::: faq\nJust a paragraph.\n:::\n")})
    result = build_ok(root)
    lines = [d.format() for d in result.warnings]
    assert any(line.startswith("content/a.md:8: warning: faq block has no questions")
               for line in lines), lines


def test_faq_jsonld_switched_off_keeps_visible_faq(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/front.md": FRONT_MATTER_FAQ,
                                 "content/merged.md": MERGED_FAQ},
                      site_toml=site_toml("faq_jsonld = false"))
    build_ok(root)
    for name, count in (("front", 4), ("merged", 3)):
        page = read_page(root / "site", f"{name}/index.html")
        assert page.jsonld_of("FAQPage") == []
        assert len(page.jsonld_of("NewsArticle")) == 1
        assert len(visible_faq(page)) == count


# --- hostile text ---------------------------------------------------------------------------

HOSTILE_TITLE = 'Evil <script>alert(1)</script> "quotes" & \'apostrophes\''
HOSTILE_QUESTION = "Is </script><script>alert(1)</script> safe?"
HOSTILE_ANSWER = "Yes: </script><script>alert(1)</script> and <!-- a comment & more"
HOSTILE = f"""\
---
title: '{HOSTILE_TITLE.replace("'", "''")}'
date: 2025-06-01
summary: "<script>alert(2)</script> summary"
tags: ["<b>Bold</b>", "x\\"y"]
faq:
  - q: '{HOSTILE_QUESTION}'
    a: '{HOSTILE_ANSWER}'
---

Body with <script>alert(3)</script> and <!-- an open comment.

::: faq
### Body </script><!-- question?

Answer <img src=x onerror=alert(4)> here.
:::
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("hostile"), {"content/evil.md": HOSTILE})
    build_ok(root)
    return root / "site"


@pytest.mark.parametrize("rel", ["evil/index.html", "index.html", "tags/b-bold-b/index.html",
                                 "archive/index.html", "tags/index.html"])
def test_no_injected_script_or_element(hostile_site: Path, rel: str) -> None:
    page = read_page(hostile_site, rel)
    for script in page.scripts:
        assert script.get("type") == "application/ld+json"
    assert len(page.scripts) == len(page.jsonld())
    assert page.find_all("img", src="x") == []
    assert page.find_all("b") == []
    assert page.comments == []


def test_hostile_text_survives_exactly(hostile_site: Path) -> None:
    page = read_page(hostile_site, "evil/index.html")
    assert len(page.scripts) == 3  # NewsArticle, BreadcrumbList, FAQPage
    [news] = page.jsonld_of("NewsArticle")
    assert news["headline"] == HOSTILE_TITLE
    assert news["description"] == "<script>alert(2)</script> summary"
    assert news["keywords"] == ["<b>Bold</b>", 'x"y']
    assert page.find("h1").text() == HOSTILE_TITLE
    assert page.find("title").text() == f"{HOSTILE_TITLE} | Test Gazette"
    assert page.find("meta", property="og:title").get("content") == HOSTILE_TITLE
    faq = jsonld_faq(page)
    assert faq[0] == (HOSTILE_QUESTION, HOSTILE_ANSWER)
    assert faq[1] == ("Body </script><!-- question?", "Answer <img src=x onerror=alert(4)> here.")
    assert visible_faq(page) == faq
    body = page.find("div", class_="article__body")
    assert normalize(body.text()) == \
        "Body with <script>alert(3)</script> and <!-- an open comment."


def test_hostile_breadcrumb_and_tag_names(hostile_site: Path) -> None:
    page = read_page(hostile_site, "evil/index.html")
    [crumbs] = page.jsonld_of("BreadcrumbList")
    assert crumbs["itemListElement"][1]["name"] == "<b>Bold</b>"
    assert crumbs["itemListElement"][2]["name"] == HOSTILE_TITLE
    tag_page = read_page(hostile_site, "tags/b-bold-b/index.html")
    assert tag_page.find("h1").text() == "<b>Bold</b>"
