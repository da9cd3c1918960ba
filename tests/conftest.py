"""Shared fixtures: real SQLite files, the real shipped spaCy pipeline, the real seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import settings

from bot.analyse.analyser import Analyser
from bot.chat.reply import Chat, Services
from bot.config import Config, SourcesConfig
from bot.jobs import collect
from bot.store import open_store

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED = SEEDS / "000_8a7f6afeb7be2cf0.txt"
SHARED = REPO.parent / "shared" / "data"

# In CI the property tests draw the same examples every run: a failure there is reproducible,
# never a one-off; locally they explore anew each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
# The suite runs on SQLite files; MORGENLAGE_TEST_STORE_URL (a PostgreSQL server, see
# .ci/with-postgres) runs every store-using test there instead, each in a database of its own.
TEST_STORE_URL = os.environ.get("MORGENLAGE_TEST_STORE_URL", "")
_DATABASES: list[str] = []


def on_postgres() -> bool:
    return TEST_STORE_URL.startswith("postgresql")


def store_url(tmp_path: Path, name: str = "store") -> str:
    """A fresh, empty store for one test: a SQLite file, or a new PostgreSQL database."""
    if not TEST_STORE_URL:
        return f"sqlite:///{tmp_path / (name + '.sqlite')}"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    database = f"t_{name}_{uuid.uuid4().hex[:12]}".lower()
    admin = create_engine(TEST_STORE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    admin.dispose()
    _DATABASES.append(database)
    return make_url(TEST_STORE_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases():
    yield
    if not _DATABASES:
        return
    from sqlalchemy import create_engine

    admin = create_engine(TEST_STORE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for database in _DATABASES:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.dispose()


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "store_free: the module never touches the store (not run again on PostgreSQL)"
    )


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL pass runs what touches the store; the rest ran in the SQLite pass."""
    if not on_postgres():
        return
    same = pytest.mark.skip(reason="never touches the store: run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("store_free"):
            item.add_marker(same)


def sqlite_only(reason: str):
    """Mark a test that is about SQLite itself (skipped when the suite runs on PostgreSQL)."""
    return pytest.mark.skipif(bool(TEST_STORE_URL), reason=f"SQLite only: {reason}")


def postgres_only(reason: str):
    """Mark a test that needs PostgreSQL: it runs in the suite's PostgreSQL pass (.ci/run always
    makes one, on a server it starts itself) and skips on SQLite."""
    return pytest.mark.skipif(not on_postgres(), reason=f"PostgreSQL only: {reason}")


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    """One loaded pipeline for the whole run (loading takes a second)."""
    return Analyser()


def make_config(tmp_path: Path, **sections) -> Config:
    config = Config(sources=SourcesConfig(paths=(str(SEEDS),)))
    url = store_url(tmp_path)
    config = dataclasses.replace(config, store=dataclasses.replace(config.store, url=url))
    return dataclasses.replace(config, **sections)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
def store(config: Config):
    store = open_store(config.store.url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, analyser):
    """A store with the seed collected and analysed, shared by read-only tests."""
    tmp_path = tmp_path_factory.mktemp("seeded")
    config = make_config(tmp_path)
    store = open_store(config.store.url)
    collect(store, config, analyser=analyser)
    yield Services(store, config)
    store.close()


@pytest.fixture
def chat() -> Chat:
    return Chat(chat_id=42, language="de")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def first_release_store(url: str) -> None:
    """A store as the first release (migration 0001) left it, with one source and one article
    written through that schema's tables — for testing that upgrades keep data."""
    from sqlalchemy import create_engine, text

    from bot.store.db import create_store_engine, migrate

    engine = create_store_engine(url)
    migrate(engine, "0001")
    engine.dispose()
    raw = create_engine(url)
    with raw.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (id, kind, location, added_at) "
                "VALUES (1, 'files', '/x', '2025-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO articles (id, source_id, url, title, text, ingested_at, "
                "content_hash, status) VALUES (1, 1, 'file:///x/a.txt', 'Alt', 'Alter Text', "
                "'2025-01-01', 'abc', 'new')"
            )
        )
    raw.dispose()


def folder_config(tmp_path: Path, **sections) -> tuple[Path, Config]:
    """A fresh `news` folder in `tmp_path` and a configuration that collects from it alone."""
    folder = tmp_path / "news"
    folder.mkdir(parents=True)
    config = make_config(tmp_path, **sections)
    paths = (str(folder),)
    return folder, dataclasses.replace(
        config, sources=dataclasses.replace(config.sources, paths=paths)
    )


def brief_article(tmp_path: Path, analyser, name: str, meta: str, text: str, day: dt.date):
    """The calendar day's briefing of one Markdown article (`meta`: its front matter lines),
    collected and analysed by the real pipeline into a fresh store."""
    from bot.brief.build import build_briefing
    from bot.brief.window import day_window

    folder, config = folder_config(tmp_path)
    (folder / name).write_text(f"---\n{meta}\n---\n{text}\n", encoding="utf-8")
    store = open_store(config.store.url)
    try:
        collect(store, config, analyser=analyser)
        with store.session() as session:
            window = day_window(day, config.briefing.timezone)
            return build_briefing(session, window, config.briefing, "de")
    finally:
        store.close()
