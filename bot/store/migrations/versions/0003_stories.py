"""stories: articles grouped into stories across sources and days

Revision ID: 0003_stories
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_stories"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stories_first_seen_at"), ["first_seen_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stories_last_seen_at"), ["last_seen_at"], unique=False)

    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_articles_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_articles")),
    )
    with op.batch_alter_table("story_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_articles_story_id"), ["story_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_articles_story_id"))
    op.drop_table("story_articles")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_stories_first_seen_at"))
    op.drop_table("stories")
