"""Which open page must react to a rebuild, and how: the server-side half of live reload.

A rebuild publishes a `SiteChange` (the site-relative files whose bytes changed) to the
`ReloadHub`. Each browser tab holds one Server-Sent Events connection that names its page;
for it the server reads the page's current HTML, lists what the page uses, and decides
(`decide`): reload when a script/image/media it uses changed (same URL, new bytes: only a
fresh load shows them), swap the page in place when its own HTML changed (the client
fetches it and falls back to a reload when it cannot swap safely), swap stylesheets when
only CSS changed, nothing otherwise: a page whose file and assets did not change hears
only the build's status.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from posixpath import normpath
from urllib.parse import unquote, urljoin, urlsplit

from reelpress.core.diagnostics import Diagnostic
from reelpress.core.urls import srcset_urls
from reelpress.serve.files import is_html

EVENTS_PATH = "/__reelpress/events"
STATUS_PATH = "/__reelpress/status"
SCRIPT_PATH = "/__reelpress/livereload.js"
_HISTORY = 200


# --- URLs <-> site files -------------------------------------------------------------


def url_for_site_path(site_path: str, base_path: str = "/") -> str:
    """`a/index.html` -> `/a/`, `index.html` -> `/`, `a/b.css` -> `/a/b.css` (under base)."""
    site_path = site_path.strip("/")
    if site_path == "index.html":
        site_path = ""
    elif site_path.endswith("/index.html"):
        site_path = site_path[: -len("index.html")]
    return base_path + site_path


def site_path_for_url(url_path: str, base_path: str = "/") -> str | None:
    """The site-relative file a same-site URL path names, or None when it is outside the
    base path or escapes it. A trailing slash means the folder's `index.html`."""
    path = unquote(url_path.split("?", 1)[0].split("#", 1)[0])
    if not path.startswith(base_path) and path + "/" != base_path:
        return None
    inner = path[len(base_path) :] if path.startswith(base_path) else ""
    if inner == "" or inner.endswith("/"):
        inner += "index.html"
    normal = normpath(inner)
    if normal.startswith("..") or normal.startswith("/"):
        return None
    return normal


# --- What a page uses ----------------------------------------------------------------


@dataclass(frozen=True)
class PageRefs:
    """Site-relative files one HTML page loads: stylesheets apart, since those swap in place."""

    stylesheets: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()


_URL_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href",),
    "use": ("href",),
}


class _RefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stylesheets: list[str] = []
        self.others: list[str] = []
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and values.get("href") and self.base_href is None:
            self.base_href = values["href"]
        if tag == "link":
            rel = values.get("rel", "").lower().split()
            href = values.get("href")
            if not href:
                return
            if "stylesheet" in rel:
                self.stylesheets.append(href)
            elif {"icon", "preload", "modulepreload", "manifest"} & set(rel):
                self.others.append(href)
            return
        for name in _URL_ATTRS.get(tag, ()):
            value = values.get(name)
            if not value:
                continue
            if name == "srcset":
                self.others.extend(srcset_urls(value))
            else:
                self.others.append(value)


def page_references(html: str, page_url: str, base_path: str = "/") -> PageRefs:
    """Same-site files an HTML page at `page_url` refers to, as site-relative paths."""
    collector = _RefCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # noqa: BLE001 - a broken page still gets the page-level reload
        return PageRefs()
    document_url = urljoin(page_url, collector.base_href) if collector.base_href else page_url

    def to_site(references: Iterable[str]) -> frozenset[str]:
        found = set()
        for reference in references:
            absolute = urlsplit(urljoin(document_url, reference.strip()))
            local = urlsplit(page_url)
            if absolute.scheme not in ("", local.scheme) or absolute.netloc not in (
                "",
                local.netloc,
            ):
                continue
            site_path = site_path_for_url(absolute.path, base_path)
            if site_path:
                found.add(site_path)
        return frozenset(found)

    return PageRefs(to_site(collector.stylesheets), to_site(collector.others))


# --- The decision ----------------------------------------------------------------------


@dataclass(frozen=True)
class SiteChange:
    """One successful rebuild: its number and the site files whose bytes changed."""

    build: int
    written: frozenset[str]


@dataclass(frozen=True)
class Action:
    """What one open page does: `reload`, `swap` (swap the page's new HTML in, then the
    stylesheets of `css_paths`), `css` (swap `css_paths` only), or `none`. `css_paths`
    None means every same-site stylesheet (one may @import the changed file). `html`: the
    page's new HTML, sent with a swap (the server has just read it to decide); without it
    the client fetches the page."""

    kind: str
    css_paths: tuple[str, ...] | None = None
    html: str | None = None

    def event_data(self) -> str:
        """The JSON the client receives with the event (one line: JSON escapes newlines)."""
        data: dict[str, object] = {
            "css": None if self.css_paths is None else list(self.css_paths)}
        if self.html is not None:
            data["html"] = self.html
        return json.dumps(data)


NOTHING = Action("none")
RELOAD = Action("reload")


def decide(
    written: frozenset[str],
    page_file: str | None,
    refs: PageRefs,
    *,
    page_exists: bool = True,
    page_missing: bool = False,
    base_path: str = "/",
) -> Action:
    """The reaction of the page showing `page_file` to a set of changed site files.

    `page_missing` means the tab shows the 404 page for `page_file`: it reloads when the
    file appears or `404.html` changes. A page whose file disappeared reloads (to its 404).
    """
    if not written and page_exists != page_missing:
        return NOTHING
    if page_missing:
        appeared = page_file is not None and page_exists
        return RELOAD if appeared or "404.html" in written else NOTHING
    if page_file is None or not page_exists:
        return RELOAD
    if page_file in written and not is_html(page_file):
        return RELOAD  # a feed or an image shown in the tab
    if written & refs.others:
        return RELOAD
    kind = "swap" if page_file in written else "css"
    return _css_action(kind, written, refs, base_path)


def _css_action(kind: str, written: frozenset[str], refs: PageRefs, base_path: str) -> Action:
    """`kind` with the changed stylesheets the page uses (`swap` even with none)."""
    changed_css = sorted(path for path in written if path.lower().endswith(".css"))
    used = [path for path in changed_css if path in refs.stylesheets]
    if used:
        return Action(kind, tuple(url_for_site_path(path, base_path) for path in used))
    if changed_css and refs.stylesheets:
        # A changed stylesheet the page does not link directly may be @imported by one it does.
        return Action(kind, None)
    return Action(kind, ()) if kind == "swap" else NOTHING


# --- Build status ----------------------------------------------------------------------


@dataclass(frozen=True)
class BuildStatus:
    """What the overlay shows: whether the last build succeeded and its diagnostics."""

    build: int
    ok: bool
    diagnostics: tuple[Diagnostic, ...] = ()

    def to_json(self) -> str:
        shown = [d for d in self.diagnostics if d.is_error] if not self.ok else []
        return json.dumps(
            {"build": self.build, "ok": self.ok, "diagnostics": [d.to_dict() for d in shown]}
        )


# --- Broadcasting ----------------------------------------------------------------------


@dataclass
class ReloadHub:
    """Build results for the open event streams: a bounded history plus a condition to wait on.

    Version numbers only grow; a stream remembers the last one it handled, so a page that
    loaded just before a rebuild still hears about it (`changes_since`).
    """

    version: int = 0
    status: BuildStatus = field(default_factory=lambda: BuildStatus(0, True))
    _changes: list[SiteChange] = field(default_factory=list)
    _forgotten: int = 0
    _closed: bool = False
    _condition: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, ok: bool, written: Iterable[str], diagnostics: tuple[Diagnostic, ...]) -> int:
        with self._condition:
            self.version += 1
            if ok:
                self._changes.append(SiteChange(self.version, frozenset(written)))
                if len(self._changes) > _HISTORY:
                    self._forgotten = self._changes.pop(0).build
            self.status = BuildStatus(self.version, ok, diagnostics)
            self._condition.notify_all()
            return self.version

    def amend(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        """Give the last (good) build its final diagnostics without a new version: the
        build was published at its commit and wrote nothing after it."""
        with self._condition:
            self.status = BuildStatus(self.version, self.status.ok, diagnostics)

    def changes_since(self, version: int, until: int | None = None) -> frozenset[str] | None:
        """Files changed by builds after `version` (up to `until`); None when the history no
        longer reaches back that far."""
        with self._condition:
            if version < self._forgotten:
                return None
            written: set[str] = set()
            for change in self._changes:
                if change.build > version and (until is None or change.build <= until):
                    written |= change.written
            return frozenset(written)

    def wait(self, version: int, timeout: float) -> int:
        """Block until a build newer than `version` is published, the hub closes, or timeout.
        Returns the current version."""
        with self._condition:
            self._condition.wait_for(lambda: self.version > version or self._closed, timeout)
            return self.version

    def close(self) -> None:
        """Wake every stream so it can end: the server is shutting down."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


# --- Injection -------------------------------------------------------------------------

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def script_tag(build: int, *, missing: bool = False) -> bytes:
    flag = " data-missing" if missing else ""
    return f'<script src="{SCRIPT_PATH}" data-build="{int(build)}"{flag}></script>'.encode()


def inject(html: bytes, tag: bytes) -> bytes:
    """Insert `tag` before the last `</body>`, or append it when there is none."""
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


def sse_event(name: str, data: str, event_id: int | None = None) -> bytes:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode()
