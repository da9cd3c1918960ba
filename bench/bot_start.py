"""What `morgenlage run` does at start before readers ask, for the benches that measure readers
(older trees: as much of it as they have). Import after the measured tree is on sys.path."""

from __future__ import annotations


def limit_heaps() -> None:
    """glibc's heaps shared by the threads: call first, before any thread starts."""
    try:
        from bot.memory import limit_arenas
    except ImportError:
        return
    limit_arenas()


def start_like_the_bot() -> None:
    """Load what briefings read, then keep it out of the garbage collector's way: the bot's
    own start (`bot.cli._warm_up`), or the warm-up alone in a tree from before it."""
    try:
        from bot.cli import _warm_up
    except ImportError:
        try:
            from bot.brief.build import warm_up as _warm_up
        except ImportError:
            return
    _warm_up()
