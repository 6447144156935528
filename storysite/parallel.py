"""Run a pure function over many items in forked worker processes.

Workers are forked, so they inherit the function and the items: only chunk
numbers go to them and only results come back. The results are in the order
of the items, identical to a serial run, which is also what happens when
there is too little work to pay for a pool, one worker, or no ``fork``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK_ITEMS = 2500
"""The most items one worker's chunk holds."""

# Set in the parent just before forking; workers read it, nothing writes it then.
_TASK: tuple[Callable[[Any], Any], Sequence[Any], int] | None = None


def die_with_build(build: int) -> None:
    """A pool worker's first act (its initializer, given the build's process id): to die with
    the build, whoever started the worker. A worker forked by the build dies with its parent
    (see :func:`_die_with_parent`). One started by a forkserver outlived a build killed
    outright for ever: it holds the forkserver's lifeline itself, so neither ends; it watches
    the build instead (a pidfd, readable once the build is gone)."""
    if os.getppid() == build:
        _die_with_parent(build)
        return
    try:
        handle = os.pidfd_open(build)
    except ProcessLookupError:  # (gone already)
        os._exit(1)
    except (AttributeError, OSError):  # not on Linux 5.3 or later: nothing to watch with
        return
    threading.Thread(target=_exit_once_readable, args=(handle,), name="storysite-build-watch", daemon=True).start()


def _exit_once_readable(handle: int) -> None:
    select.select([handle], [], [])
    os._exit(1)


def _die_with_parent(parent: int) -> None:
    """A worker's first act: to die with the build. A build killed outright (SIGKILL, the
    out-of-memory killer) stops no worker, and a worker waits for ever on a queue whose other
    end it holds itself (holding a CI log's pipe open): Linux kills it then (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # (the build died before that)
        os._exit(1)


def _run_chunk(chunk: int) -> list[Any]:
    assert _TASK is not None
    # A worker's collector runs whatever the parent chose (a one-shot build turns its own off):
    # its renders make short-lived cycles, and the heap it inherited is frozen out of reach.
    gc.enable()
    function, items, step = _TASK
    return [function(items[index]) for index in range(chunk, len(items), step)]


def fork_map(function: Callable[[T], R], items: Sequence[T], workers: int, threshold: int = 200,
             meanwhile: Callable[[], None] | None = None) -> list[R]:
    """``[function(item) for item in items]``, over ``workers`` processes when there are
    at least ``threshold`` items. ``function`` must be pure and its results picklable.

    ``meanwhile`` runs in this process once the workers are started (or first, when
    there is no pool): work the results need not wait for, done while the workers run."""
    global _TASK
    if workers <= 1 or len(items) < threshold or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        return [function(item) for item in items]
    # Interleaved chunks even out the cost when items of one kind cluster; no chunk is so big
    # that its results, sent back in one piece, weigh on the parent's memory.
    step = max(workers * 4, -(-len(items) // CHUNK_ITEMS))
    _TASK = (function, items, step)
    # Everything the workers inherit is frozen out of the collector's reach: a collection in
    # a worker would otherwise walk the whole inherited heap (the site's every object), and
    # writing to each object's header as it goes, copy every page of it.
    gc.freeze()
    try:
        results: list[Any] = [None] * len(items)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            # Submitted one by one rather than by pool.map, whose result iterator cancels the
            # futures left when it is interrupted (SIGTERM, Ctrl-C): the pool's own thread, finding
            # its workers killed, then sets an error on a cancelled future, and Python 3.11 prints
            # that thread's traceback (InvalidStateError) to the editor.
            parts = [pool.submit(_run_chunk, chunk) for chunk in range(step)]  # every worker is forked by now
            if meanwhile is not None:
                meanwhile()
            for chunk, part in enumerate(parts):
                results[chunk::step] = part.result()
        return results
    except (BrokenProcessPool, OSError):
        # A worker died (out of memory, killed): the same work, serially, gives the same result.
        return [function(item) for item in items]
    finally:
        _TASK = None
        gc.unfreeze()
