"""guide verifications: who said a guide is still accurate in a workspace, and its next review

A verification changes no guide (a shipped one keeps its updates): it moves the date the
workspace's review reminders and report go by, for the version of the guide it vouched for.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guide_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("guide_version", sa.String(length=16), nullable=False),
        sa.Column("verified_by", sa.String(length=32), nullable=False),
        sa.Column("verified_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_verifications")),
        sa.UniqueConstraint(
            "team_id",
            "guide_id",
            "guide_version",
            "next_review",
            name="uq_guide_verifications_version_review",
        ),
    )


def downgrade() -> None:
    op.drop_table("guide_verifications")
