"""practice paths: who is on which path, and each week's step, commitment and check-in

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "practice_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("path_id", sa.String(length=64), nullable=False),
        sa.Column("path_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_week", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.String(length=32), nullable=True),
        sa.Column("invited_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_enrolments")),
        sa.UniqueConstraint(
            "team_id",
            "user_id",
            "path_id",
            name=op.f("uq_practice_enrolments_team_id_user_id_path_id"),
        ),
    )
    op.create_index(
        op.f("ix_practice_enrolments_team_id_status"),
        "practice_enrolments",
        ["team_id", "status"],
        unique=False,
    )
    op.create_table(
        "practice_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("practice", sa.Text(), nullable=False),
        sa.Column("check_in", sa.Text(), nullable=False),
        sa.Column("begins_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("check_in_due", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("check_in_sent_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("not_yet", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=True),
        sa.Column("committed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("what_happened", sa.Text(), nullable=True),
        sa.Column("what_changed", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("answered_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["practice_enrolments.id"],
            name=op.f("fk_practice_steps_enrolment_id_practice_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_steps")),
        sa.UniqueConstraint(
            "enrolment_id", "week", name=op.f("uq_practice_steps_enrolment_id_week")
        ),
    )


def downgrade() -> None:
    op.drop_table("practice_steps")
    op.drop_index(op.f("ix_practice_enrolments_team_id_status"), table_name="practice_enrolments")
    op.drop_table("practice_enrolments")
