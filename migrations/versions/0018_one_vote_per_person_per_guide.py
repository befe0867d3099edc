"""one vote per person per guide: ratings keyed by (team, guide, person), duplicates merged

A person who shared a guide six times and reacted on each message had six votes. Their votes
on a guide become one, the latest (ties: the newest row); `source_key` ("buttons" or
"msg:<id>") becomes `source` ("buttons" or "emoji"), how the vote was last cast.

Forgotten people's votes were all user "forgotten" (told apart by source_key
"forgotten:<id>"); they become user "forgotten:<id>" so that none is merged with another
person's. Downgrade puts them back.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `||` concatenates on SQLite and PostgreSQL alike (an integer operand is cast to text).
UNMERGE_FORGOTTEN = "UPDATE ratings SET user_id = 'forgotten:' || id WHERE user_id = 'forgotten'"
KEEP_THE_LATEST = """
DELETE FROM ratings WHERE EXISTS (
    SELECT 1 FROM ratings AS newer
    WHERE newer.team_id = ratings.team_id
      AND newer.guide_id = ratings.guide_id
      AND newer.user_id = ratings.user_id
      AND (newer.updated_at > ratings.updated_at
           OR (newer.updated_at = ratings.updated_at AND newer.id > ratings.id))
)
"""


def upgrade() -> None:
    op.execute(UNMERGE_FORGOTTEN)
    op.execute(KEEP_THE_LATEST)
    op.execute("UPDATE ratings SET source_key = 'emoji' WHERE source_key <> 'buttons'")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ratings_team_id_guide_id_user_id_source_key", type_="unique")
        batch_op.alter_column(
            "source_key",
            new_column_name="source",
            existing_type=sa.String(length=48),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_ratings_team_id_guide_id_user_id"), ["team_id", "guide_id", "user_id"]
        )


def downgrade() -> None:
    # The message an emoji vote came from is not kept: "emoji" is a source key of its own.
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ratings_team_id_guide_id_user_id", type_="unique")
        batch_op.alter_column(
            "source",
            new_column_name="source_key",
            existing_type=sa.String(length=16),
            type_=sa.String(length=48),
            existing_nullable=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_ratings_team_id_guide_id_user_id_source_key"),
            ["team_id", "guide_id", "user_id", "source_key"],
        )
    op.execute(
        "UPDATE ratings SET source_key = user_id, user_id = 'forgotten' "
        "WHERE user_id LIKE 'forgotten:%'"
    )
