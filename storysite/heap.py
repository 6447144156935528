"""Keep the build's memory small and its garbage collection cheap.

The build holds a large heap of long-lived objects (every memory, view and page
job of the site). Python's collector, left to itself, walks that whole heap
again each time it has grown by a quarter: at 100,000 memories that is about
twenty full collections of several million objects, a fifth of a cold build's
time, and in forked workers each such walk also copies the inherited pages it
touches. :func:`long_lived_heap` puts full collections off until the build is
done; young objects are still collected as usual.

CPython hands large objects (a parsed file's pickle, a fan's text) to the C
allocator; when they are freed, glibc keeps the pages for later use, so the
process's resident size stays at its high-water mark even though the build
no longer needs them, and every forked worker starts from there. After the
stages that let go of a lot, :func:`give_back` asks glibc to return those
pages. Elsewhere it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import threading
from collections.abc import Callable, Iterator


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        # The C library this process already has (no search of the system's libraries).
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def give_back() -> None:
    """Return the free pages of the C heap to the system (glibc only)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_held = 0
_held_lock = threading.Lock()
_saved_threshold = (0, 0, 0)


@contextlib.contextmanager
def long_lived_heap() -> Iterator[None]:
    """Within this block (and in workers forked within it), no full collection runs on
    its own: the oldest generation waits until the outermost block ends.

    Reference cycles that die young are collected as usual; only those that survive two
    young collections wait for the end of the block."""
    global _held, _saved_threshold
    with _held_lock:
        if _held == 0:
            _saved_threshold = gc.get_threshold()
            young, middle, _ = _saved_threshold
            # A full collection runs when the middle generation has been collected this
            # many times: never, within the block.
            gc.set_threshold(young, middle, 1 << 30)
        _held += 1
    try:
        yield
    finally:
        with _held_lock:
            _held -= 1
            if _held == 0:
                gc.set_threshold(*_saved_threshold)


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """Within this block, no cyclic garbage collection runs; after it, the collector is as it
    was (a caller that goes on, such as a test or the preview server, keeps its own).

    A build makes hundreds of thousands of long-lived objects and next to no reference
    cycles: the collector would walk them again and again to free nothing (6% of an edit
    build). Workers forked within the block collect as usual (see :func:`start_worker` and
    :func:`storysite.parallel.fork_map`)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def start_worker() -> None:
    """What a forked pool worker does first (as its pool's initializer): collect cycles
    whatever its parent chose (its renders make short-lived ones), out of reach of the heap
    it inherited. A collection walking the build's every object would copy each page it
    touches (150 MB a worker at 100,000 memories)."""
    gc.freeze()
    gc.enable()
