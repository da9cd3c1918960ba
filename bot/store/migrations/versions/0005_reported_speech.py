"""quotes: reported speech beside direct quotes

Revision ID: 0005_reported_speech
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reported_speech"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("direct", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("direct")
