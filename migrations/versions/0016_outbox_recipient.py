"""the outbox's user_id is named for what it holds: a recipient, a person or a channel

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["kind", "subject", "occurrence"]


def _rename(old: str, new: str) -> None:
    # Two steps: SQLite's batch mode loses a constraint made on a column renamed in the same
    # batch.
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint(f"uq_outbox_team_id_{old}_kind_subject_occurrence", type_="unique")
        batch_op.alter_column(old, new_column_name=new)
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_unique_constraint(
            f"uq_outbox_team_id_{new}_kind_subject_occurrence", ["team_id", new, *COLUMNS]
        )


def upgrade() -> None:
    _rename("user_id", "recipient")


def downgrade() -> None:
    _rename("recipient", "user_id")
