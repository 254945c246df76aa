"""Python's cyclic garbage collector and a city's records.

Each full collection walks every live object. A city of 1,000,000 young people is millions of
records (nodes, ties, their strings and dicts) that form no reference cycles, so reference
counting frees them and the walks find nothing, but they fall in the middle of later work at
times set by allocation counts: the ranking after its set-up took 1.9 s or 6.0 s at 1,000,000
by whether a full collection fell in it, and 1.4-1.7 s with the records set aside
(`docs/performance.md`, "The ranking's growth"). The window has set them aside since opening a
city stalled its UI thread 90-100 ms in a job's collection; the command line and the bench do
the same now.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


def set_aside_from_collection() -> None:
    """Move every object alive now out of the collector's sight (``gc.freeze``: O(1)). Objects
    set aside are still freed by reference counting when let go (a project dropped later, one
    opened after it); only reference cycles among them would never be collected, and a
    project has none."""
    gc.freeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic collector paused while records are made in bulk, then restored as it was.

    Reading a city's CSV bundle makes about half a million records and millions of strings,
    none of them in reference cycles; each allocation counts towards a collection that walks
    the growing heap again and finds nothing: 2.0 s of the 10.7 s of CPU of importing the
    100,000-person bundle (docs/performance.md, "Saving and importing, fifth session"). The
    project file's loading and saving pause it the same way (``socialmap.store.gpkg``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collection_paused_in(function: _F) -> _F:
    """``function`` run with the collector paused (:func:`collection_paused`)."""

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with collection_paused():
            return function(*args, **kwargs)

    return paused  # type: ignore[return-value]


@contextmanager
def kept_apart() -> Iterator[None]:
    """Run the block (opening a city) with the collector paused, then, when it ends without an
    error, set aside every object alive (:func:`set_aside_from_collection`) before the collector
    runs again: set aside only after the collector was back, the first collection walked every
    record the block made in one go (0.3 s of CPU after opening a city of 100,000 young people).
    On an error nothing is set aside (what the block made is let go as usual)."""
    with collection_paused():
        yield
        set_aside_from_collection()
