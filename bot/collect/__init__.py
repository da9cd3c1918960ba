"""Collect: every source turns what it reads into `RawArticle`s; `ingest` stores the new ones."""

from bot.collect.types import RawArticle, Skipped

__all__ = ["RawArticle", "Skipped"]
