"""Memory of a long-running bot: freed memory back to the system, and the objects loaded at
start kept out of the garbage collector's way.

A long-running bot answers commands in several threads; glibc's allocator keeps what their
briefings and searches freed in per-thread arenas, so the resident size climbs long after the
objects are gone (a soak of 50,000 users: Python's own live memory stayed flat within 1 MB a
round while the resident size grew by tens of MB). `malloc_trim` returns those free pages.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000  # allocations between young collections; CPython's default is 700
ARENAS = 2  # glibc's heaps shared by all threads; its default is eight per core
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


@functools.cache
def _libc_function(name: str):
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None


def limit_arenas(count: int = ARENAS) -> bool:
    """Let the threads share `count` of glibc's heaps instead of one each; whether it could.

    Each heap keeps what its threads freed for their own next allocations, so with eight
    command threads the resident size is eight high-water marks. Only heaps made afterwards are
    affected: call it at start, before the threads (MALLOC_ARENA_MAX in the environment does
    the same but must be set before the process starts)."""
    mallopt = _libc_function("mallopt")
    return mallopt is not None and mallopt(_M_ARENA_MAX, count) == 1


def release_freed_memory() -> bool:
    """Give the allocator's free pages back to the system; whether it could (glibc only)."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


def settle_after_start() -> None:
    """Move what is loaded once at start (modules, templates, the word lists) out of the
    collector's generations, and collect the young generation less often.

    A briefing of 1,000 articles allocates hundreds of thousands of short-lived objects; every
    full collection they triggered walked the word lists again — a third of a large /today's
    time (`bench/command_latency.py`). Objects frozen here are never collected: call it once,
    after loading, when what is left is meant to stay."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation less often while the block runs (a collection: its
    hundreds of thousands of short-lived objects cost a young collection every 700
    allocations, and every tenth of those walked the older objects again — 4 % of a
    collection's CPU, `bench/analysis_speed.py`). The threshold before is restored after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
