"""follow notices: one push per reader, followed actor and story

Revision ID: 0004_delivery
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_delivery"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_notices",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("story_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_follow_notices_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_follow_notices_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "subscriber_id", "actor_id", "story_key", name=op.f("pk_follow_notices")
        ),
    )


def downgrade() -> None:
    op.drop_table("follow_notices")
