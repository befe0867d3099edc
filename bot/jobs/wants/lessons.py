"""After a mistake-moment chat: the working day after, its author is asked for the lesson."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

from sqlalchemy import select

from bot.jobs.slots import after_working_days
from bot.jobs.wants.base import Pass, Priority, Want, at_any_slot, fixed, routine
from bot.models import MistakeMoment
from bot.services.mistakes import MomentStatus
from bot.services.preferences import NudgeKind
from bot.slack import nudges

LESSON_WINDOW = dt.timedelta(days=14)


@routine("lessons")
def lesson_wants(p: Pass) -> Iterator[Want]:
    """The working day after a mistake-moment chat, the author is asked for the lesson."""
    moments = p.session.execute(
        select(
            MistakeMoment.id,
            MistakeMoment.team_id,
            MistakeMoment.author_id,
            MistakeMoment.created_at,
        ).where(
            MistakeMoment.status.in_([MomentStatus.ACCEPTED.value, MomentStatus.ALONE.value]),
            MistakeMoment.lesson.is_(None),
            MistakeMoment.created_at >= p.now - LESSON_WINDOW,
        )
    )
    for moment_id, team_id, author_id, created_at in moments:
        yield Want(
            team_id,
            author_id,
            NudgeKind.FOLLOW_UPS,
            f"lesson:{moment_id}",
            after_working_days(created_at, 1),
            at_any_slot(partial(nudges.lesson_ask, moment_id)),
            Priority.LESSON,
            occurrence=fixed("1"),
        )
