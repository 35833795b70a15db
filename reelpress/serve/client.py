"""The browser side of live reload, served at `/__reelpress/livereload.js`.

Kept as a Python string (not package data) so it ships with the module whatever the
packaging config. It only executes what the server decided for this page:

- `swap`: the page's HTML changed. Take it from the event (the server sends it along;
  a page over the server's push limit is fetched) and morph the live document into it: nodes
  that did not change stay the very same nodes (a playing video, focus, typed text, the
  scroll position are kept), changed ones are updated in place or replaced, then the
  stylesheets the build changed are swapped. The result is what a reload would show,
  without the reload. It falls back to a full reload when a swap could differ from one:
  the fetch fails (network, status, not HTML, redirected); the page's stylesheets or
  `<base>` are not the same list any more; any script (head or body, inline or not) was
  added, removed or changed; or the page runs a script that does not say it survives a
  swap. A script says so with `data-reelpress-swap`: `keep` (it needs not run again: it
  listens on `document` or reads the DOM when an event comes) or `rerun` (it is run again
  after each swap, as a new element, like Astro's `data-astro-rerun`; not for `<script
  type=module src>`, which a browser runs once per URL). Data blocks (JSON-LD) are
  swapped like any element. After a swap the document gets a `reelpress:swap` event. A
  `keep` script must not count on changes it made to the served markup (a class on
  `<html>`, an element it inserted): the swap puts the served markup back, as a reload
  would, but does not run the script; it can listen for `reelpress:swap`.
- `reload`: a script, image or media file the page uses changed under the same URL, or
  the page is not HTML, or gone.
- `css`: re-request stylesheets with a cache-busting query, no navigation.
- `status`: show or hide the build-error overlay (built with textContent, so messages
  stay text); it also carries the build number, kept in `window.__reelpressLive.build`.

Every fallback says why in the console (`[reelpress] reload: ...`), as Vite's client does.
"""

CLIENT_JS = r"""
(function () {
  "use strict";
  if (window.__reelpressLive) { return; }
  var live = window.__reelpressLive = {build: 0, heard: 0, fetches: 0, swaps: 0};
  var script = document.currentScript;
  var since = script ? (script.getAttribute("data-build") || "0") : "0";
  var missing = script ? script.hasAttribute("data-missing") : false;
  var SELF = "/__reelpress/livereload.js";
  var OVERLAY_ID = "__reelpress-overlay";
  var SWAP_ATTR = "data-reelpress-swap";
  var LOOKAHEAD = 8;  // siblings searched for an insertion or a deletion
  var JS_TYPES = ["", "module", "importmap", "text/javascript", "application/javascript",
    "text/ecmascript", "application/ecmascript", "application/x-javascript",
    "application/x-ecmascript", "text/x-javascript", "text/x-ecmascript", "text/jscript",
    "text/livescript", "text/javascript1.0", "text/javascript1.5"];
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // --- the build-error overlay ---------------------------------------------------------

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) { old.remove(); }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function showOverlay(status) {
    hideOverlay();
    var host = el("div");
    host.id = OVERLAY_ID;
    host.setAttribute("role", "alert");
    host.style.cssText = "all:initial;position:fixed;inset:0;z-index:2147483647;" +
      "display:block;background:rgba(20,0,0,.55);overflow:auto;";
    var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
    var style = el("style", "", ".box{margin:6vh auto;max-width:60rem;background:#fff;" +
      "color:#111;border:4px solid #c00;border-radius:6px;padding:1rem 1.25rem;" +
      "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 8px 30px #0008}" +
      "h2{margin:0 0 .5rem;color:#c00;font:bold 16px/1.4 system-ui,sans-serif}" +
      "p{margin:.25rem 0 .75rem;font-family:system-ui,sans-serif}" +
      "ul{margin:0;padding:0;list-style:none}" +
      "li{padding:.5rem 0;border-top:1px solid #eee;white-space:pre-wrap;word-break:break-word}" +
      ".where{font-weight:bold;color:#a00}.hint{color:#555;display:block}" +
      "button{float:right;font-size:16px;background:none;border:0;cursor:pointer}");
    var box = el("div", "box");
    var close = el("button", "close", "\u00d7");
    close.setAttribute("aria-label", "Hide");
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    box.appendChild(el("h2", "title", "reelpress: the build failed"));
    box.appendChild(el("p", "note", "Showing the last good version of the site. " +
      "Fix the problems below and save: this box goes away on the next good build."));
    var list = el("ul", "diagnostics");
    (status.diagnostics || []).forEach(function (d) {
      var item = el("li", "diagnostic");
      var where = d.path ? d.path + (d.line ? ":" + d.line : "") : "reelpress";
      item.appendChild(el("span", "where", where));
      item.appendChild(document.createTextNode(": " +
        (d.severity === "warning" ? "warning: " : "") + d.message));
      if (d.hint) { item.appendChild(el("span", "hint", d.hint)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    root.appendChild(style);
    root.appendChild(box);
    (document.body || document.documentElement).appendChild(host);
  }

  // --- stylesheets ---------------------------------------------------------------------

  function isSheet(node) {
    var rel = node.nodeName === "LINK" ? (node.getAttribute("rel") || "") : "";
    return /(^|\s)stylesheet(\s|$)/i.test(rel);
  }

  function sheetKey(link) {  // the stylesheet a link loads, whatever cache-busting query
    var url = new URL(link.getAttribute("href") || "", document.baseURI);
    url.searchParams.delete("reelpress");
    return url.href + " " + (link.getAttribute("media") || "");
  }

  function sheetList(doc) {
    var keys = [];
    each(doc.querySelectorAll("link"), function (link) {
      if (!isSheet(link)) { return; }
      var key = sheetKey(link);
      if (keys[keys.length - 1] !== key) { keys.push(key); }  // a swap in progress: 2 links
    });
    return keys.join("\n");
  }

  function swapStylesheets(paths) {
    each(document.querySelectorAll('link[rel~="stylesheet"]'), function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) { return; }
      if (paths !== null && paths.indexOf(url.pathname) === -1) { return; }
      url.searchParams.set("reelpress", String(Date.now()));
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      var done = function () { link.remove(); };
      fresh.addEventListener("load", done);
      fresh.addEventListener("error", done);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  // --- scripts -------------------------------------------------------------------------

  function isOurs(node) {
    return node.nodeType === 1 && (node.id === OVERLAY_ID ||
      (node.nodeName === "SCRIPT" && node.getAttribute("src") === SELF));
  }

  function isCode(node) {  // a script the browser runs (not a data block such as JSON-LD)
    if (node.nodeName !== "SCRIPT" || isOurs(node)) { return false; }
    var type = (node.getAttribute("type") || "").split(";")[0].trim().toLowerCase();
    return JS_TYPES.indexOf(type) !== -1;
  }

  function signature(node) {
    var attributes = [];
    each(node.attributes, function (a) { attributes.push(a.name + "=" + a.value); });
    return attributes.sort().join(" ") + "\n" + node.textContent;
  }

  function codeOf(doc) {
    var found = [];
    each(doc.querySelectorAll("script"), function (node) {
      if (isCode(node)) {
        found.push({signature: signature(node), mode: node.getAttribute(SWAP_ATTR) || "",
                    srcModule: node.hasAttribute("src") &&
                      (node.getAttribute("type") || "").trim().toLowerCase() === "module"});
      }
    });
    return found;
  }

  var pageCode = codeOf(document);  // the scripts of the page as served (ours runs last)

  function rerunScripts() {
    each(document.querySelectorAll("script[" + SWAP_ATTR + "=rerun]"), function (old) {
      if (!isCode(old)) { return; }
      var fresh = document.createElement("script");
      each(old.attributes, function (a) { fresh.setAttribute(a.name, a.value); });
      fresh.async = false;  // in document order, as the parser would
      fresh.textContent = old.textContent;
      old.parentNode.replaceChild(fresh, old);
    });
  }

  // Why this page cannot be swapped into `next` (a reload could differ), or "".
  function swapBlocker(next) {
    var nextCode = codeOf(next);
    var signatures = function (code) { return code.map(function (c) { return c.signature; }); };
    if (signatures(pageCode).join("\0") !== signatures(nextCode).join("\0")) {
      return "the page's scripts changed";
    }
    for (var i = 0; i < pageCode.length; i++) {
      var mode = pageCode[i].mode;
      if (mode !== "keep" && mode !== "rerun") {
        return "the page runs a script without " + SWAP_ATTR + '="keep" or "rerun"';
      }
      if (mode === "rerun" && pageCode[i].srcModule) {
        return "a module script cannot run again";
      }
    }
    if (sheetList(document) !== sheetList(next)) { return "the page's stylesheets changed"; }
    var base = function (doc) {
      var node = doc.querySelector("base[href]");
      return node ? node.getAttribute("href") : "";
    };
    if (base(document) !== base(next)) { return "the page's <base> changed"; }
    return "";
  }

  // --- the morph -----------------------------------------------------------------------

  function same(a, b) {
    if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) { return false; }
    if (isSheet(a)) { return isSheet(b) && sheetKey(a) === sheetKey(b); }
    if (isCode(a)) { return isCode(b) && signature(a) === signature(b); }
    return a.isEqualNode(b);
  }

  function find(nodes, from, wanted) {
    for (var k = from; k < nodes.length && k <= from + LOOKAHEAD; k++) {
      if (same(nodes[k], wanted)) { return k; }
    }
    return -1;
  }

  function children(parent) {
    var kids = [];
    each(parent.childNodes, function (node) { if (!isOurs(node)) { kids.push(node); } });
    return kids;
  }

  function syncAttributes(target, source) {
    each(Array.prototype.slice.call(target.attributes), function (a) {
      if (!source.hasAttribute(a.name)) { target.removeAttribute(a.name); }
    });
    each(source.attributes, function (a) {
      if (target.getAttribute(a.name) !== a.value) { target.setAttribute(a.name, a.value); }
    });
  }

  function morph(target, source) {
    if (target.nodeType === 1) {
      syncAttributes(target, source);
      morphChildren(target, source);
    } else if (target.nodeValue !== source.nodeValue) {
      target.nodeValue = source.nodeValue;
    }
  }

  function morphChildren(parent, source) {
    var old = children(parent), fresh = children(source), j = 0;
    for (var i = 0; i < fresh.length; i++) {
      var want = fresh[i], have = old[j];
      if (have === undefined) { parent.appendChild(document.importNode(want, true)); continue; }
      if (same(have, want)) { j++; continue; }
      var ahead = find(old, j + 1, want);
      if (ahead !== -1 && find(fresh, i + 1, have) === -1) {  // old[j..ahead) were deleted
        while (j < ahead) { old[j++].remove(); }
        j++;
        continue;
      }
      if (find(fresh, i + 1, have) !== -1) {  // `want` was inserted before `have`
        parent.insertBefore(document.importNode(want, true), have);
        continue;
      }
      if (have.nodeName === want.nodeName && have.nodeType === want.nodeType &&
          have.nodeName !== "SCRIPT" && !isSheet(have)) {
        morph(have, want);
      } else {
        parent.replaceChild(document.importNode(want, true), have);
      }
      j++;
    }
    while (j < old.length) { old[j++].remove(); }
  }

  // --- reacting to builds --------------------------------------------------------------

  var source = null;
  var leaving = false;

  function reload(reason) {
    if (leaving) { return; }
    leaving = true;
    console.info("[reelpress] reload: " + reason);
    if (source) { source.close(); }
    location.reload();
  }

  function fetchPage() {
    live.fetches += 1;
    return fetch(location.href, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (!response.ok || response.redirected || type.indexOf("text/html") === -1) {
          throw new Error("the page's fetch answered " + response.status + " " + type);
        }
        return response.text();
      });
  }

  function swap(change) {
    var css = change.css;
    var page = typeof change.html === "string" ? Promise.resolve(change.html) : fetchPage();
    return page
      .then(function (html) {
        if (leaving) { return; }
        var next = new DOMParser().parseFromString(html, "text/html");
        var blocker = swapBlocker(next);
        if (blocker) { reload(blocker); return; }
        morph(document.documentElement, next.documentElement);
        pageCode = codeOf(next);
        rerunScripts();
        live.swaps += 1;
        performance.mark("reelpress:swapped");
        if (css === null || css.length) { swapStylesheets(css); }
        document.dispatchEvent(new CustomEvent("reelpress:swap"));
      })
      .catch(function (problem) { reload("the swap failed: " + problem); });
  }

  // One swap at a time; events during one are merged into the next (the newest page,
  // every stylesheet either named).
  var running = null, queued = null;
  function requestSwap(change) {
    if (running) {
      if (queued) {
        change = {html: change.html, css: queued.css === null || change.css === null ? null :
          queued.css.concat(change.css)};
      }
      queued = change;
      return;
    }
    running = swap(change).then(function () {
      running = null;
      if (queued) { var next = queued; queued = null; requestSwap(next); }
    });
  }

  var query = new URLSearchParams({path: location.pathname, since: since});
  if (missing) { query.set("missing", "1"); }
  source = new EventSource("/__reelpress/events?" + query.toString());
  source.addEventListener("reload", function () { reload("a file the page uses changed"); });
  source.addEventListener("swap", function (event) {
    performance.mark("reelpress:event");
    live.heard += 1;
    requestSwap(JSON.parse(event.data));
  });
  source.addEventListener("css", function (event) {
    swapStylesheets(JSON.parse(event.data).css);
  });
  source.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    live.build = status.build;
    if (status.ok) { hideOverlay(); } else { showOverlay(status); }
  });
})();
"""
