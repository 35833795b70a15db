"""Search on a static host: the build runs the real Pagefind indexer (from the
`pagefind[bin]` wheel) over the finished site; the index is read back from its files
(fragments are gzipped JSON after a `pagefind_dcd` signature)."""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path

from sitebuilder import (
    SITE_TOML,
    article,
    assert_no_traceback,
    build_ok,
    read_page,
    run_cli,
    write_site,
)

from reelpress.output.search import SearchSettings, find_indexer

FILES = {
    "content/en/paris.md": article("Ledge rescue", "2025-07-14", "A firefighter named Zephyrine."),
    "content/fr/paris.md": article("Sauvetage", "2025-07-14", "Une pompière nommée Zephyrine."),
    "content/marseille.md": article("Le port", "2025-07-10", "Les quais de Marseille.", lang="fr"),
    "content/draft.md": article("Secret draft", "2025-07-09", "Unpublishedword.", draft="true"),
}


def index_of(site: Path) -> dict[str, str]:
    """URL -> indexed text of every page in the search index."""
    found = {}
    for fragment in (site / "pagefind/fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        found[record["url"]] = record["content"]
    return found


def languages_of(site: Path) -> dict[str, int]:
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    return {lang: info["page_count"] for lang, info in entry["languages"].items()}


def test_the_wheel_ships_the_indexer() -> None:
    indexer = find_indexer(SearchSettings())
    assert indexer is not None and Path(indexer).is_file()


def test_index_has_the_articles_only_one_index_per_language(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    build_ok(root, drafts=True)
    site = root / "site"
    assert (site / "draft/index.html").is_file()  # built (--drafts) but not searchable
    index = index_of(site)
    assert sorted(index) == ["/en/paris/", "/fr/paris/", "/marseille/"]
    assert "Zephyrine" in index["/en/paris/"] and "Latest" not in index["/en/paris/"]
    assert languages_of(site) == {"en": 1, "fr": 2}
    search = read_page(site, "search/index.html")
    assert search.find("div", id="search").get("data-pagefind-ui") == "/pagefind/pagefind-ui.js"
    assert (site / "pagefind/pagefind-ui.js").is_file()
    form = read_page(site, "en/paris/index.html").find("form", role="search")
    assert form.get("action") == "/search/" and form.find("input").get("name") == "q"


def counting_indexer(tmp_path: Path) -> tuple[Path, Path]:
    """The real Pagefind behind a wrapper that logs each run: (executable, log)."""
    real = find_indexer(SearchSettings())
    log = tmp_path / "indexer-runs.log"
    wrapper = tmp_path / "pagefind-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, log


def runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.is_file() else 0


def test_unchanged_pages_do_not_rerun_the_indexer(tmp_path: Path) -> None:
    wrapper, log = counting_indexer(tmp_path)
    toml = SITE_TOML + f'\n[search]\ncommand = "{wrapper}"\n'
    root = write_site(tmp_path / "site", FILES, site_toml=toml)
    build_ok(root)
    assert runs(log) == 1
    entry = root / "site/pagefind/pagefind-entry.json"
    before = entry.stat()
    # a comment: the build runs (its inputs changed) but writes no page
    (root / "site.toml").write_text(toml + "# a comment\n")
    result = build_ok(root)
    assert runs(log) == 1
    assert not [w for w in result.written if w.startswith("pagefind/")]
    after = entry.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # --force prunes site/ of what this build did not write: the kept index comes back
    result = build_ok(root, force=True)
    assert runs(log) == 1 and entry.is_file()
    # an edit re-indexes, and only the index files that changed are rewritten
    (root / "content/en/paris.md").write_text(
        article("Ledge rescue", "2025-07-14", "A firefighter named Quillonbert."))
    result = build_ok(root)
    assert runs(log) == 2
    index = index_of(root / "site")
    assert "Quillonbert" in index["/en/paris/"]
    assert "Zephyrine" in index["/fr/paris/"]
    rewritten = [w for w in result.written if w.startswith("pagefind/")]
    assert "pagefind/pagefind-entry.json" in rewritten
    assert "pagefind/pagefind-ui.js" not in rewritten  # same bytes: left alone
    assert any(r.startswith("pagefind/fragment/") for r in result.removed)  # the old fragment


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    build_ok(root)
    assert (root / "site/pagefind").is_dir()
    (root / "site.toml").write_text(SITE_TOML + "\n[search]\nenabled = false\n")
    result = build_ok(root)
    assert not (root / "site/pagefind").exists()
    assert not (root / "site/search").exists()
    assert "pagefind/pagefind-entry.json" in result.removed
    assert not read_page(root / "site", "en/paris/index.html").find_all("form", role="search")


def test_a_missing_indexer_is_a_warning(tmp_path: Path) -> None:
    toml = SITE_TOML + '\n[search]\ncommand = "/nonexistent/pagefind"\n'
    root = write_site(tmp_path, FILES, site_toml=toml)
    process = run_cli(root, "build")
    assert process.returncode == 0, process.stderr
    assert_no_traceback(process)
    assert "site.toml: warning: search: [search] command '/nonexistent/pagefind' not found" \
        in process.stderr or "site.toml: search: [search] command '/nonexistent/pagefind'" \
        in process.stderr, process.stderr
    assert (root / "site/en/paris/index.html").is_file()


def test_a_failing_indexer_is_a_warning_and_keeps_the_last_index(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    build_ok(root)
    good = index_of(root / "site")
    failing = tmp_path / "broken-pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: out of cheese' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    (root / "site.toml").write_text(SITE_TOML + f'\n[search]\ncommand = "{failing}"\n')
    (root / "content/en/paris.md").write_text(article("Ledge rescue", "2025-07-14", "Edited."))
    result = build_ok(root)
    messages = [d.message for d in result.warnings]
    assert "search: indexing failed: Error: out of cheese" in messages, messages
    assert index_of(root / "site") == good
    assert "Edited." in (root / "site/en/paris/index.html").read_text()
