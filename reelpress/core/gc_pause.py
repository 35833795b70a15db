"""Parsing a long article allocates hundreds of thousands of small objects (markdown-it
tokens) and frees none until the end; Python's cyclic collector, triggered by every 700
allocations, walks them again and again: a third of the CPU time of a dense 1 MB body.
They hold no reference cycles that matter, so the collector waits until the parse is
done (what it would have found is collected then)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (reference counting still frees
    everything as usual); nested or already paused: left as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
