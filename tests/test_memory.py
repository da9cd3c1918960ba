"""Freed memory goes back to the system once per collection (bot/memory.py)."""

from __future__ import annotations

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
