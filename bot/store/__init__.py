"""The store: SQLite by default, PostgreSQL through the same code."""

from bot.store.db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
