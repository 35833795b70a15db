"""Live-reload preview: `serve(options)` builds, serves `site/`, rebuilds on change.

Parts: `server` (HTTP, Range, injection), `livereload` (who reloads, SSE), `client`
(the injected script and error overlay), `watch` (watchdog + debounce), `coordinator`
(one build at a time, requests wait only while it commits), `preview` (the glue).
"""

from reelpress.serve.coordinator import BuildCoordinator, BuildFunction
from reelpress.serve.preview import PreviewServer, serve

__all__ = ["BuildCoordinator", "BuildFunction", "PreviewServer", "serve"]
