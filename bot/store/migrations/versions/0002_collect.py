"""collect: feed sources' state, articles with several sources, feed items, MinHash signatures

Revision ID: 0002_collect
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_collect"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("feed_url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("last_status", sa.String(length=300), nullable=True))

    op.create_table(
        "article_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("outlet", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_sources_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_article_sources_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_sources")),
        sa.UniqueConstraint(
            "article_id", "source_id", "url", name=op.f("uq_article_sources_article_id")
        ),
    )
    with op.batch_alter_table("article_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_sources_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_article_sources_source_id"), ["source_id"], unique=False
        )
    # Articles stored before this revision: their one source becomes their first row here.
    op.execute(
        "INSERT INTO article_sources (article_id, source_id, url, outlet, title, seen_at) "
        "SELECT id, source_id, url, outlet, title, ingested_at FROM articles"
    )

    op.create_table(
        "feed_items",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_feed_items_article_id_articles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_feed_items_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "item_key", name=op.f("pk_feed_items")),
    )
    with op.batch_alter_table("feed_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_items_article_id"), ["article_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feed_items_last_seen_at"), ["last_seen_at"], unique=False
        )

    op.create_table(
        "article_fingerprints",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_fingerprints_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_fingerprints")),
    )
    with op.batch_alter_table("article_fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_fingerprints_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("article_fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_fingerprints_created_at"))
    op.drop_table("article_fingerprints")
    with op.batch_alter_table("feed_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_items_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_feed_items_article_id"))
    op.drop_table("feed_items")
    with op.batch_alter_table("article_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_sources_source_id"))
        batch_op.drop_index(batch_op.f("ix_article_sources_article_id"))
    op.drop_table("article_sources")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("last_status")
        batch_op.drop_column("feed_url")
        batch_op.drop_column("active")
        batch_op.drop_column("origin")
