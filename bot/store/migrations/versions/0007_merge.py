"""merge the feature branches (collect, stories, delivery, reported speech, story terms)

Revision ID: 0007_merge
Revises: 0002_collect, 0003_stories, 0004_delivery, 0005_reported_speech, 0006_story_terms

Features were developed in parallel, each branching from 0001; from here on the history is one
line again: a new migration revises the single head.
"""

revision = "0007_merge"
down_revision = (
    "0002_collect",
    "0003_stories",
    "0004_delivery",
    "0005_reported_speech",
    "0006_story_terms",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
