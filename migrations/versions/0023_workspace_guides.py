"""workspace guides: each workspace's own guides, edited copies and hidden ones, every version

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_guides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_guides")),
        sa.UniqueConstraint(
            "team_id",
            "guide_id",
            "version",
            name=op.f("uq_workspace_guides_team_id_guide_id_version"),
        ),
    )
    op.create_index(
        op.f("ix_workspace_guides_team_id_id"), "workspace_guides", ["team_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workspace_guides_team_id_id"), table_name="workspace_guides")
    op.drop_table("workspace_guides")
