"""Give memory the build has let go back to the operating system.

CPython hands large objects (a parsed file's pickle, a fan's text) to the C
allocator; when they are freed, glibc keeps the pages for later use, so the
process's resident size stays at its high-water mark even though the build
no longer needs them, and every forked worker starts from there. After the
stages that let go of a lot, :func:`give_back` asks glibc to return those
pages. Elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def give_back() -> None:
    """Return the free pages of the C heap to the system (glibc only)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
