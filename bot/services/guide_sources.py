"""What a guide may be drafted from, and who may see it: a debrief's summary, a shared lesson.

A *Turn into a guide* button sits on a message many people see (a summary in a channel's thread,
a lesson in the learning channel), so the button alone proves nothing. The material is given
only to someone who could read it where they clicked: the debrief's own channel, the channel the
lesson was shared in; and only what that message showed (points without names, a lesson without
its author). Anything else (a forged id, a lesson its author no longer shares) gives nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.models import MistakeMoment, OutboxMessage
from bot.services import debriefs
from bot.services.outbox import OutboxStatus
from bot.services.report import DebriefCandidate, debrief_candidate

DEBRIEF_GONE = "That debrief's summary is not here: turn it into a guide from its own thread."
LESSON_GONE = "That lesson is no longer shared, so it can't become a guide."
LESSON_SHARED_PART = "lesson shared"  # the outbox part handlers/mistakes.py posts it with


def debrief_summary(
    session: Session, *, team_id: str, debrief_id: int, channel_id: str
) -> DebriefCandidate:
    """The debrief's summary (its points, without names), for a click in its own channel; a
    debrief whose summary is not posted has none."""
    try:
        debrief = debriefs.get(session, team_id=team_id, debrief_id=debrief_id)
    except InflowError:
        raise InflowError(DEBRIEF_GONE) from None
    if debrief.channel_id != channel_id:  # a forged click, or a summary quoted elsewhere
        raise InflowError(DEBRIEF_GONE)
    return debrief_candidate(session, debrief)


def lesson_subject(moment_id: int) -> str:
    return f"moment:{moment_id}"


def shared_lesson(session: Session, *, team_id: str, moment_id: int, channel_id: str) -> str:
    """A lesson its author shares, as it was posted in `channel_id` (the channel clicked in)."""
    moment = session.scalar(
        select(MistakeMoment).where(MistakeMoment.team_id == team_id, MistakeMoment.id == moment_id)
    )
    if moment is None or not moment.lesson_shared or not moment.lesson:
        raise InflowError(LESSON_GONE)
    posted_here = session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == channel_id,
            OutboxMessage.subject == lesson_subject(moment_id),
            OutboxMessage.occurrence == LESSON_SHARED_PART,
            OutboxMessage.status == OutboxStatus.SENT.value,
        )
    )
    if posted_here is None:
        raise InflowError(LESSON_GONE)
    return moment.lesson
