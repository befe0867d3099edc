"""channel suggestions: offers and opt-outs

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21 11:12:49.931060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_offers")),
        sa.UniqueConstraint(
            "team_id",
            "user_id",
            "offered_on",
            name=op.f("uq_suggestion_offers_team_id_user_id_offered_on"),
        ),
    )
    with op.batch_alter_table("suggestion_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_offers_team_id_channel_id_at"),
            ["team_id", "channel_id", "at"],
            unique=False,
        )

    op.create_table(
        "suggestion_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_opt_outs")),
        sa.UniqueConstraint(
            "team_id",
            "scope",
            "subject_id",
            name=op.f("uq_suggestion_opt_outs_team_id_scope_subject_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("suggestion_opt_outs")
    with op.batch_alter_table("suggestion_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_offers_team_id_channel_id_at"))

    op.drop_table("suggestion_offers")
