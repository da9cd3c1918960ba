"""performance: the article's day time as an indexed column, analysed_at, an actor's
mentions and quotes by article indexed, full-text
search on sentences (SQLite FTS5, PostgreSQL tsvector with the German configuration)

Revision ID: 0010_performance
Revises: 0010_actor_aliases

`day_time` (published, else ingested) is a generated column: the database keeps it in sync
with every write, ORM or not, and fills it for the rows already there.
"""

from alembic import op

revision = "0010_performance"
down_revision = "0010_actor_aliases"
branch_labels = None
depends_on = None

DAY_TIME = "coalesce(published_at, ingested_at)"
# The FTS5 row of a sentence: its key packed into one integer (bot/store/search.py).
SENTENCE_ROWID = "{t}.article_id * 65536 + {t}.position"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds only VIRTUAL generated columns in place; the index stores the value.
        op.execute(
            f"ALTER TABLE articles ADD COLUMN day_time DATETIME "
            f"GENERATED ALWAYS AS ({DAY_TIME}) VIRTUAL"
        )
        _sqlite_search()
    else:
        op.execute(
            f"ALTER TABLE articles ADD COLUMN day_time TIMESTAMP WITHOUT TIME ZONE "
            f"GENERATED ALWAYS AS ({DAY_TIME}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_sentences_search ON sentences "
            "USING gin (to_tsvector('german', text)) WHERE NOT boilerplate"
        )
    op.create_index("ix_articles_status_day_time", "articles", ["status", "day_time"])
    op.create_index("ix_articles_status_analysed_at", "articles", ["status", "analysed_at"])
    # An actor's mentions in given articles (the briefing's key actors), not all of them.
    op.create_index("ix_mentions_actor_article", "mentions", ["actor_id", "article_id"])
    op.create_index("ix_quotes_speaker_article", "quotes", ["speaker_id", "article_id"])


def _sqlite_search() -> None:
    """A contentless FTS5 index of the non-boilerplate sentences, kept by triggers (SQLite
    3.40 has no contentless_delete: a row is removed with its old text, as FTS5 asks)."""
    op.execute(
        "CREATE VIRTUAL TABLE sentence_search USING fts5("
        "text, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    indexed = "NOT {t}.boilerplate AND {t}.position < 65536"
    add = (
        f"INSERT INTO sentence_search(rowid, text) "
        f"SELECT {SENTENCE_ROWID.format(t='NEW')}, NEW.text WHERE {indexed.format(t='NEW')};"
    )
    remove = (
        f"INSERT INTO sentence_search(sentence_search, rowid, text) "
        f"SELECT 'delete', {SENTENCE_ROWID.format(t='OLD')}, OLD.text "
        f"WHERE {indexed.format(t='OLD')};"
    )
    op.execute(f"CREATE TRIGGER sentences_search_insert AFTER INSERT ON sentences BEGIN {add} END")
    op.execute(
        f"CREATE TRIGGER sentences_search_delete AFTER DELETE ON sentences BEGIN {remove} END"
    )
    op.execute(
        f"CREATE TRIGGER sentences_search_update "
        f"AFTER UPDATE OF article_id, position, text, boilerplate ON sentences "
        f"BEGIN {remove} {add} END"
    )
    op.execute(
        f"INSERT INTO sentence_search(rowid, text) "
        f"SELECT {SENTENCE_ROWID.format(t='sentences')}, text FROM sentences "
        f"WHERE NOT boilerplate AND position < 65536"
    )


def downgrade() -> None:
    op.drop_index("ix_quotes_speaker_article", "quotes")
    op.drop_index("ix_mentions_actor_article", "mentions")
    op.drop_index("ix_articles_status_analysed_at", "articles")
    op.drop_index("ix_articles_status_day_time", "articles")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER sentences_search_{trigger}")
        op.execute("DROP TABLE sentence_search")
    else:
        op.execute("DROP INDEX ix_sentences_search")
    op.execute("ALTER TABLE articles DROP COLUMN day_time")
