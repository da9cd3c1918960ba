"""The store: migrations keep data, PostgreSQL-portable SQL, idempotent stages."""

from sqlalchemy import func, inspect, select

from bot.jobs import collect
from bot.store import open_store
from bot.store.db import create_store_engine, migrate
from bot.store.schema import Actor, Article, Quote


def test_upgrade_from_the_first_schema_keeps_data(tmp_path, config, analyser):
    url = config.store.url
    engine = create_store_engine(url)
    migrate(engine, "0001")  # a store as the first release left it
    engine.dispose()
    # Fill it through the first schema's tables only.
    from sqlalchemy import create_engine, text

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


def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
