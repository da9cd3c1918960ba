"""topics of articles and readers' filters (topics switched off, muted words, "only" words)

Revision ID: 0009_topics
Revises: 0008_service
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_topics"
down_revision = "0008_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_topics",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_topics_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "topic", name=op.f("pk_article_topics")),
    )
    op.create_table(
        "reader_filters",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_reader_filters_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "kind", "value", name=op.f("pk_reader_filters")),
    )


def downgrade() -> None:
    op.drop_table("reader_filters")
    op.drop_table("article_topics")
