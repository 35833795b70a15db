// reelpress media: chapter links seek their video in place, `#t=90` in the page address
// starts the page's first video there (Google's key-moment links), and a YouTube/Vimeo
// facade loads the platform's player only when the reader clicks it (no request before).
(function () {
  "use strict";
  function seek(video, seconds) {
    const go = function () {
      video.currentTime = seconds;
      const playing = video.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    };
    if (video.readyState >= 1) { go(); } else {
      video.addEventListener("loadedmetadata", go, {once: true});
      video.load();
    }
  }
  document.addEventListener("click", function (event) {
    const chapter = event.target.closest("a[data-seek]");
    if (chapter) {
      const figure = chapter.closest("figure");
      const video = figure && figure.querySelector("video");
      if (video) {
        event.preventDefault();
        seek(video, Number(chapter.dataset.seek));
      }
      return;
    }
    const facade = event.target.closest("button[data-embed-src]");
    if (facade) {
      const frame = document.createElement("iframe");
      frame.src = facade.dataset.embedSrc;
      frame.title = facade.dataset.embedTitle || "Video";
      frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
      frame.allowFullscreen = true;
      frame.className = "reelpress-facade__frame";
      facade.replaceWith(frame);
      frame.focus();
    }
  });
  const moment = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
  const first = moment && document.querySelector("figure video");
  if (first) { seek(first, Number(moment[1])); }
})();
