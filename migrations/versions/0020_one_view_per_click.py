"""one view per click: guide events a button recorded carry the message it was on, unique

Twenty clicks at once on *Open* (a suggestion's, or a list's *Open the guide*) or *Other
matches* were twenty rows; `clicked` (the message's ts) makes them one per person, guide, kind
and message. Earlier rows keep NULL, which the unique key does not compare.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guide_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clicked", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_guide_events_team_id_user_id_guide_id_kind_clicked"),
            ["team_id", "user_id", "guide_id", "kind", "clicked"],
        )


def downgrade() -> None:
    with op.batch_alter_table("guide_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_guide_events_team_id_user_id_guide_id_kind_clicked"), type_="unique"
        )
        batch_op.drop_column("clicked")
