"""guide aliases that a workspace's library owners accepted

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guide_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guide_id"], ["guides.id"], name=op.f("fk_guide_aliases_guide_id_guides")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_aliases")),
        sa.UniqueConstraint(
            "team_id", "alias_key", name=op.f("uq_guide_aliases_team_id_alias_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("guide_aliases")
