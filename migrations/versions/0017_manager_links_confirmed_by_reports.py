"""a manager link shares nothing until the report confirms it (an import is confirmed)

Links a manager named before this (source "slack") stay unconfirmed: the manager sees them as
waiting and can ask again with `/learn team @them`.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("manager_reports") as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", bot.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("declined_at", bot.db.UTCDateTime(timezone=True)))
    op.execute("UPDATE manager_reports SET confirmed_at = created_at WHERE source = 'import'")


def downgrade() -> None:
    # Unconfirmed and declined links were never shared with; before this revision every link
    # was, so they go rather than start sharing.
    op.execute("DELETE FROM manager_reports WHERE confirmed_at IS NULL")
    with op.batch_alter_table("manager_reports") as batch_op:
        batch_op.drop_column("declined_at")
        batch_op.drop_column("confirmed_at")
