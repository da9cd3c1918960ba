"""actors: every spelling of an actor as an alias with an indexed name key

Revision ID: 0010_actor_aliases
Revises: 0009_topics

Existing actors get their name as their first alias (uses = the articles naming them), so the
store finds them by key from the first run after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

from bot.analyse.names import last_word_key, name_key, word_count

revision = "0010_actor_aliases"
down_revision = "0009_topics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    aliases = op.create_table(
        "actor_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("last_key", sa.String(length=100), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_aliases")),
        sa.UniqueConstraint("name", name=op.f("uq_actor_aliases_name")),
    )
    with op.batch_alter_table("actor_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_aliases_actor_id"), ["actor_id"])
        batch_op.create_index(batch_op.f("ix_actor_aliases_name_key"), ["name_key"])
        batch_op.create_index(batch_op.f("ix_actor_aliases_last_key"), ["last_key"])
    op.create_table(
        "article_aliases",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("alias_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_aliases_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["alias_id"],
            ["actor_aliases.id"],
            name=op.f("fk_article_aliases_alias_id_actor_aliases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "alias_id", name=op.f("pk_article_aliases")),
    )
    with op.batch_alter_table("article_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_aliases_alias_id"), ["alias_id"])

    connection = op.get_bind()
    actors = connection.execute(
        sa.text(
            "SELECT actors.id, actors.name, COUNT(article_actors.article_id) FROM actors "
            "LEFT JOIN article_actors ON article_actors.actor_id = actors.id "
            "GROUP BY actors.id, actors.name"
        )
    ).all()
    if actors:
        op.bulk_insert(
            aliases,
            [
                {
                    "actor_id": actor_id,
                    "name": name,
                    "name_key": name_key(name)[:300],
                    "last_key": last_word_key(name)[:100],
                    "words": word_count(name),
                    "uses": uses,
                }
                for actor_id, name, uses in actors
            ],
        )
        connection.execute(
            sa.text(
                "INSERT INTO article_aliases (article_id, alias_id) "
                "SELECT article_actors.article_id, actor_aliases.id FROM article_actors "
                "JOIN actor_aliases ON actor_aliases.actor_id = article_actors.actor_id"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("article_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_aliases_alias_id"))
    op.drop_table("article_aliases")
    with op.batch_alter_table("actor_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_aliases_last_key"))
        batch_op.drop_index(batch_op.f("ix_actor_aliases_name_key"))
        batch_op.drop_index(batch_op.f("ix_actor_aliases_actor_id"))
    op.drop_table("actor_aliases")
