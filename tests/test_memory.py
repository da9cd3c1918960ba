"""Freed memory goes back to the system once per collection; the threads share a few heaps
(bot/memory.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot import memory
from bot.chat.reply import Services
from tests.conftest import make_config


@pytest.mark.store_free
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_is_given_back_on_glibc():
    assert memory.release_freed_memory() is True


def test_each_collection_gives_freed_memory_back(tmp_path, monkeypatch, analyser):
    from bot.store import open_store

    calls = []
    monkeypatch.setattr("bot.chat.reply.release_freed_memory", lambda: calls.append(1))
    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    services._analyser = analyser
    services.collect()
    services.collect()
    assert len(calls) == 2
    services.store.close()


@pytest.mark.store_free
def test_objects_loaded_at_start_leave_the_collector_and_garbage_is_still_collected():
    import gc
    import weakref

    class Node:
        pass

    loaded = [Node() for _ in range(100)]
    threshold = gc.get_threshold()
    try:
        memory.settle_after_start()
        assert gc.get_freeze_count() >= len(loaded)
        assert gc.get_threshold()[0] > threshold[0]
        # A reference cycle made afterwards is still found and freed.
        cycle = Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


# Eight threads allocate through glibc; then glibc's own report counts its heaps (arenas).
ARENA_PROBE = """
import ctypes, ctypes.util, sys, threading
from bot import memory
if sys.argv[1] == "limit":
    assert memory.limit_arenas()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.open_memstream.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
start = threading.Barrier(8)
def allocate():
    start.wait()
    for _ in range(200):
        for block in [libc.malloc(300) for _ in range(50)]:
            libc.free(block)
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
text, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = libc.open_memstream(ctypes.byref(text), ctypes.byref(size))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(text.value.decode().count("<heap nr="))
"""


def _heaps(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ARENA_PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.store_free
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_threads_share_few_heaps_once_limited_at_start():
    """Set while the process runs (no environment variable needed before it starts)."""
    assert _heaps("default") > memory.ARENAS  # one heap per thread, as glibc does by default
    assert _heaps("limit") <= memory.ARENAS


@pytest.mark.store_free
def test_fewer_collections_raises_the_young_threshold_for_the_block_only():
    import gc

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with pytest.raises(RuntimeError), memory.fewer_collections():
            assert gc.get_threshold() == (memory.YOUNG_THRESHOLD, 10, 10)
            raise RuntimeError("the block failed")
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(50_000, 10, 10)  # already higher: kept
        with memory.fewer_collections():
            assert gc.get_threshold() == (50_000, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_a_collection_runs_with_fewer_collections(tmp_path, monkeypatch, analyser):
    import gc

    from bot import jobs
    from bot.store import open_store

    seen = []
    real = jobs._collect
    monkeypatch.setattr(
        jobs, "_collect", lambda *args: seen.append(gc.get_threshold()[0]) or real(*args)
    )
    config = make_config(tmp_path)
    store = open_store(config.store.url)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        jobs.collect(store, config, analyser=analyser)
        assert seen == [memory.YOUNG_THRESHOLD] and gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
        store.close()
