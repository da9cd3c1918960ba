"""stories: per-day document frequencies of terms, the background of the clustering's IDF

Revision ID: 0006_story_terms
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_story_terms"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_term_days",
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "day", name=op.f("pk_story_term_days")),
    )
    with op.batch_alter_table("story_term_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_term_days_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_term_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_term_days_day"))
    op.drop_table("story_term_days")
