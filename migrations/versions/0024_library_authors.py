"""library authors: the people a workspace's inflow admins name to write its guides

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 07:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_authors")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_library_authors_team_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("library_authors")
