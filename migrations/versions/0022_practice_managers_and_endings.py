"""practice paths for managers and at the end: each step's manager note, and how the path ended

A step keeps the path's manager note for its week (copied when the path starts, like the rest),
so a confirmed manager's weekly coaching question needs nothing but the database. An enrolment
keeps when it finished and the person's end-of-path answers: confidence before and now, what is
different in their work (theirs alone), and the line they chose to share without their name.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENDING = ("finished_at", "confidence_before", "confidence_after", "difference", "shared_line")


def upgrade() -> None:
    with op.batch_alter_table("practice_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manager_note", sa.Text(), nullable=True))
    with op.batch_alter_table("practice_enrolments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("finished_at", bot.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("confidence_before", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confidence_after", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("difference", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("shared_line", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("reflected_at", bot.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_enrolments", schema=None) as batch_op:
        for column in (*ENDING, "reflected_at"):
            batch_op.drop_column(column)
    with op.batch_alter_table("practice_steps", schema=None) as batch_op:
        batch_op.drop_column("manager_note")
