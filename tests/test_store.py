"""The store: migrations keep data, PostgreSQL-portable SQL, idempotent stages."""

import pytest
from sqlalchemy import func, inspect, select, text

from bot.jobs import _WORKER, _collect_in_worker, collect
from bot.store import open_store
from bot.store.db import COLLECT_PAGE_CACHE_KIB, PAGE_CACHE_KIB, one_of
from bot.store.schema import Actor, ActorAlias, Article, Quote
from tests.conftest import first_release_store, folder_config, postgres_only, sqlite_only


def test_upgrade_from_the_first_schema_keeps_data(tmp_path, config, analyser):
    url = config.store.url
    first_release_store(url)
    store = open_store(url)  # applies every later migration
    with store.session() as session:
        article = session.get(Article, 1)
        assert article.title == "Alt" and article.source.location == "/x"
    tables = set(inspect(store.engine).get_table_names())
    assert {"follow_notices", "articles", "deliveries"} <= tables
    store.close()


def test_collect_twice_changes_nothing(store, config, analyser):
    collect(store, config, analyser=analyser)
    with store.session() as session:
        counts = [
            session.scalar(select(func.count()).select_from(t)) for t in (Article, Actor, Quote)
        ]
    report = collect(store, config, analyser=analyser)
    assert report.analysis.analysed == 0
    with store.session() as session:
        again = [
            session.scalar(select(func.count()).select_from(t)) for t in (Article, Actor, Quote)
        ]
    assert counts == again


@sqlite_only("WAL and pragmas")
def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@sqlite_only("SQLite's page cache")
def test_every_sqlite_connection_keeps_a_small_page_cache(store):
    """Each pooled connection has a cache of its own (SQLite's default 2 MB each grew a soak's
    resident size as the file grew, bench/soak.py): every connection, not only the first."""
    connections = [store.engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB
    finally:
        for connection in connections:
            connection.close()


@sqlite_only("SQLite's page cache")
def test_the_collecting_process_keeps_a_larger_page_cache(tmp_path):
    """The collect worker writes through a 16 MiB page cache per connection; the bot's own
    connections keep the small one."""
    folder, config = folder_config(tmp_path)
    url = config.store.resolved_url()
    bot_store = open_store(url)
    try:
        _collect_in_worker(url, config)
        worker_store, _analyser = _WORKER.pop(url)
        with worker_store.engine.connect() as connection:
            cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        worker_store.close()
        assert cache == -COLLECT_PAGE_CACHE_KIB
        with bot_store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB
    finally:
        bot_store.close()


def test_migration_history_has_one_head():
    """New migrations revise the single head; parallel branches are merged (0007, then 0010)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from bot.store.db import MIGRATIONS_DIR

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == ["0011_actor_days"]


def test_overlong_strings_and_nul_characters_are_fitted_before_writing(store):
    """PostgreSQL refuses a value longer than its column, or a NUL, and aborts the whole unit of
    work; SQLite takes anything. Both get the same fitted row."""
    from bot.store.schema import Source

    with store.session() as session:
        session.add(
            Source(
                kind="feed", location="https://x.example/feed", title="T" * 600, etag="\x00e" * 400
            )
        )
    with store.session() as session:
        row = session.scalar(select(Source))
        assert row.title == "T" * 500 and row.etag == "e" * 400
        row.last_status = "ok\x00" + "s" * 400
    with store.session() as session:
        assert session.scalar(select(Source.last_status)) == "ok" + "s" * 298


@sqlite_only("SQLite's deferred transactions")
def test_a_savepoint_takes_the_write_lock_before_it_reads(store):
    """A savepoint opened SQLite's transaction deferred: it read a snapshot, another connection
    committed, and its write then failed at once ("database is locked") — every item of a
    collection while a delivery was writing. Now it holds the write lock first."""
    import sqlite3

    from sqlalchemy.engine import make_url

    from bot.store.schema import Source

    other = sqlite3.connect(make_url(str(store.engine.url)).database, timeout=0.1)
    with store.session() as session, session.begin_nested():
        session.scalar(select(func.count()).select_from(Source))
        try:  # the other writer waits for us now (and gives up after 0.1 s)
            other.execute("INSERT INTO leases (name) VALUES ('elsewhere')")
            other.commit()
        except sqlite3.OperationalError:
            other.rollback()
        session.add(Source(kind="files", location="/mine"))
        session.flush()
    other.close()
    with store.session() as session:
        assert session.scalar(select(Source.location)) == "/mine"


def test_a_store_marked_current_but_lacking_tables_fails_at_open_saying_so(config):
    """A store changed outside the migrations (a development branch's own revisions) once told
    its first reader "no such table: leases"; now opening it says what is wrong."""

    from bot.store import open_store
    from bot.store.db import StoreError

    store = open_store(config.store.url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE leases"))
    store.close()
    with pytest.raises(StoreError, match="lacks the tables leases"):
        open_store(config.store.url)


@postgres_only("PostgreSQL's prepared statements")
def test_postgresql_plans_each_query_for_its_values(store):
    """No query becomes a prepared statement with a generic plan, however often it runs: such a
    plan is made once, for the tables as they were then (a new store's empty `actor_aliases` made
    the collection's name look-ups scan it as it grew)."""
    with store.session() as session:
        for _ in range(8):
            session.execute(
                select(ActorAlias.id).where(one_of(session, ActorAlias.name, ["Merkel", "Kurz"]))
            ).all()
        prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
    assert prepared == 0


def test_one_of_finds_what_in_finds(store):
    """`one_of` (an array on PostgreSQL, IN elsewhere) matches exactly what IN matches: none for
    no values, any iterable, many values, and values of every key type."""
    with store.session() as session:
        session.add_all(Actor(name=f"Person {n}", kind="PER") for n in range(30))
        session.flush()
        ids = sorted(session.scalars(select(Actor.id)))

        def found(column, values) -> list:
            return sorted(session.scalars(select(Actor.id).where(one_of(session, column, values))))

        assert found(Actor.id, []) == []
        assert found(Actor.id, {ids[0], ids[5]}) == [ids[0], ids[5]]
        assert found(Actor.id, list(range(-2000, ids[-1] + 1))) == ids
        assert found(Actor.name, ["Person 3", "person 4", "Person 3 "]) == [ids[3]]
