"""actor days: in how many of a day's articles each actor appears, kept by the database

Revision ID: 0011_actor_days
Revises: 0010_performance

A briefing weighs a story's people by how often they were in the news over the last week.
Counting that from `article_actors` read a week of rows (~100,000 at a newsroom's 1,000
articles a day) for every /today; this table holds the count per actor and day, kept by
triggers on `article_actors` (insert, delete, an actor change when spellings are merged or
parted), so every writer — ORM, bulk insert, another process — keeps it right. The day is the
article's day time (published, else ingested) in UTC.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_actor_days"
down_revision = "0010_performance"
branch_labels = None
depends_on = None

SQLITE_DAY = "date(day_time)"
POSTGRES_DAY = "CAST(day_time AS DATE)"


def _add(row: str, day: str) -> str:
    # SQLite reads "ON CONFLICT" after a SELECT as a join unless the SELECT has a WHERE.
    return (
        f"INSERT INTO actor_days (actor_id, day, articles) "
        f"SELECT {row}.actor_id, {day}, 1 FROM articles WHERE id = {row}.article_id "
        f"ON CONFLICT (actor_id, day) DO UPDATE SET articles = actor_days.articles + 1;"
    )


def _remove(row: str, day: str) -> str:
    return (
        f"UPDATE actor_days SET articles = articles - 1 WHERE actor_id = {row}.actor_id "
        f"AND day = (SELECT {day} FROM articles WHERE id = {row}.article_id);"
    )


def upgrade() -> None:
    op.create_table(
        "actor_days",
        sa.Column(
            "actor_id",
            sa.Integer,
            sa.ForeignKey("actors.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    day = SQLITE_DAY if sqlite else POSTGRES_DAY
    op.execute(
        f"INSERT INTO actor_days (actor_id, day, articles) "
        f"SELECT article_actors.actor_id, {day}, count(*) FROM article_actors "
        f"JOIN articles ON articles.id = article_actors.article_id "
        f"GROUP BY article_actors.actor_id, {day}"
    )
    if sqlite:
        op.execute(
            f"CREATE TRIGGER actor_days_insert AFTER INSERT ON article_actors "
            f"BEGIN {_add('NEW', day)} END"
        )
        op.execute(
            f"CREATE TRIGGER actor_days_delete AFTER DELETE ON article_actors "
            f"BEGIN {_remove('OLD', day)} END"
        )
        op.execute(
            f"CREATE TRIGGER actor_days_update AFTER UPDATE OF actor_id, article_id "
            f"ON article_actors BEGIN {_remove('OLD', day)} {_add('NEW', day)} END"
        )
        return
    op.execute(
        f"""CREATE FUNCTION actor_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN {_remove("OLD", day)} END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add("NEW", day)} END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER actor_days_count AFTER INSERT OR DELETE OR UPDATE OF actor_id, article_id "
        "ON article_actors FOR EACH ROW EXECUTE FUNCTION actor_days_count()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER actor_days_{trigger}")
    else:
        op.execute("DROP TRIGGER actor_days_count ON article_actors")
        op.execute("DROP FUNCTION actor_days_count()")
    op.drop_table("actor_days")
