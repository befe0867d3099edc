"""accepted signatures: each signed Slack request is acted on once within its five minutes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accepted_signatures",
        sa.Column("signature", sa.String(length=67), nullable=False),
        sa.Column("expires_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_accepted_signatures")),
    )
    with op.batch_alter_table("accepted_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accepted_signatures_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accepted_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accepted_signatures_expires_at"))
    op.drop_table("accepted_signatures")
