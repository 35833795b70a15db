// The search page: Pagefind's UI and index come from the site's own pagefind/ folder
// (made by the build), so search works on any static host and asks no other server.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) { return; }
  var script = root.getAttribute("data-pagefind-ui");
  var bundle = script.slice(0, script.lastIndexOf("/") + 1);
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var loader = document.createElement("script");
  loader.src = script;
  loader.onload = function () {
    var ui = new window.PagefindUI({ element: "#search-ui", bundlePath: bundle, showImages: false,
                                    showSubResults: true });
    // Pagefind labels its input with a title only: give it an accessible name (axe-core)
    var input = root.querySelector(".pagefind-ui__search-input");
    if (input && !input.getAttribute("aria-label")) {
      input.setAttribute("aria-label", input.getAttribute("placeholder") || "Search");
    }
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
      var box = document.getElementById("site-search");
      if (box) { box.value = query; }
    }
    root.setAttribute("data-ready", "");
  };
  loader.onerror = function () {
    root.querySelector(".search__unavailable").hidden = false;
  };
  document.head.appendChild(loader);
})();
