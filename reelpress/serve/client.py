"""The browser side of live reload, served at `/__reelpress/livereload.js`.

Kept as a Python string (not package data) so it ships with the module whatever the
packaging config. It only executes what the server decided for this page: `reload`,
`css` (re-request stylesheets with a cache-busting query, no navigation) and `status`
(show or hide the build-error overlay, built with textContent so messages stay text).
"""

CLIENT_JS = r"""
(function () {
  "use strict";
  if (window.__reelpressLive) { return; }
  window.__reelpressLive = true;
  var script = document.currentScript;
  var since = script ? (script.getAttribute("data-build") || "0") : "0";
  var missing = script ? script.hasAttribute("data-missing") : false;
  var OVERLAY_ID = "__reelpress-overlay";

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

  function swapStylesheets(paths) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
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

  var query = new URLSearchParams({path: location.pathname, since: since});
  if (missing) { query.set("missing", "1"); }
  var source = new EventSource("/__reelpress/events?" + query.toString());
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("css", function (event) {
    swapStylesheets(JSON.parse(event.data).paths);
  });
  source.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    if (status.ok) { hideOverlay(); } else { showOverlay(status); }
  });
})();
"""
