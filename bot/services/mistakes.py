"""Mistake moments: asking a colleague for five minutes, their answer, and the lesson."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.models import MistakeMoment

MAX_WHAT_HAPPENED = 1000
MAX_LESSON = 500


class MomentWhen(StrEnum):
    NOW = "now"
    LATER_TODAY = "later_today"
    THIS_WEEK = "this_week"

    @property
    def words(self) -> str:
        return {"now": "now", "later_today": "later today", "this_week": "this week"}[self]


class MomentStatus(StrEnum):
    ALONE = "alone"  # nobody asked: the author reflects on their own
    ASKED = "asked"
    LATER = "later"
    DECLINED = "declined"
    ACCEPTED = "accepted"


class Answer(StrEnum):
    YES = "yes"
    LATER = "later"
    NO = "no"


ANSWER_STATUS = {
    Answer.YES: MomentStatus.ACCEPTED,
    Answer.LATER: MomentStatus.LATER,
    Answer.NO: MomentStatus.DECLINED,
}


def start(
    session: Session,
    *,
    team_id: str,
    author_id: str,
    colleague_id: str | None,
    what_happened: str | None,
    when: MomentWhen,
    now: dt.datetime,
    source_channel_id: str | None = None,
    source_message_ts: str | None = None,
) -> MistakeMoment:
    """Record a mistake moment; the caller tells the colleague."""
    if colleague_id == author_id:
        raise InflowError("Pick someone else to talk it through with: you can't ask yourself.")
    text = (what_happened or "").strip()
    if len(text) > MAX_WHAT_HAPPENED:
        raise InflowError(f"Please keep what happened under {MAX_WHAT_HAPPENED} characters.")
    moment = MistakeMoment(
        team_id=team_id,
        author_id=author_id,
        colleague_id=colleague_id,
        what_happened=text or None,
        when=when.value,
        status=(MomentStatus.ASKED if colleague_id else MomentStatus.ALONE).value,
        source_channel_id=source_channel_id,
        source_message_ts=source_message_ts,
        created_at=now,
    )
    session.add(moment)
    session.flush()
    return moment


def get(session: Session, *, team_id: str, moment_id: int) -> MistakeMoment:
    moment = session.scalar(
        select(MistakeMoment)
        .where(MistakeMoment.team_id == team_id, MistakeMoment.id == moment_id)
        .with_for_update()
    )
    if moment is None:
        raise InflowError("That mistake moment is no longer here.")
    return moment


def answer(
    session: Session, *, team_id: str, moment_id: int, user_id: str, reply: Answer, now: dt.datetime
) -> tuple[MistakeMoment, bool]:
    """The colleague's answer. Returns the moment and whether this answer changed anything
    (a second press of the same button changes nothing)."""
    moment = get(session, team_id=team_id, moment_id=moment_id)
    if moment.colleague_id != user_id:
        raise InflowError("Only the person who was asked can answer this.")
    status = ANSWER_STATUS[reply]
    if moment.status == MomentStatus.ACCEPTED or moment.status == status:
        return moment, False
    moment.status = status.value
    moment.answered_at = now
    session.flush()
    return moment, True


def record_lesson(
    session: Session,
    *,
    team_id: str,
    moment_id: int,
    user_id: str,
    lesson: str,
    share: bool,
    now: dt.datetime,
) -> MistakeMoment:
    """The author's lesson, in their words; shared anonymously only if they chose to."""
    moment = get(session, team_id=team_id, moment_id=moment_id)
    if moment.author_id != user_id:
        raise InflowError("Only the person who had the mistake moment can write its lesson.")
    text = lesson.strip()
    if not text:
        raise InflowError("Write the lesson in a line or two, or close the form to skip it.")
    if len(text) > MAX_LESSON:
        raise InflowError(f"Please keep the lesson under {MAX_LESSON} characters.")
    moment.lesson = text
    moment.lesson_shared = share
    moment.lesson_at = now
    session.flush()
    return moment


def lessons_of(
    session: Session, *, team_id: str, author_id: str, limit: int = 5
) -> list[MistakeMoment]:
    """A person's own lessons, newest first (for their Home tab only)."""
    return list(
        session.scalars(
            select(MistakeMoment)
            .where(
                MistakeMoment.team_id == team_id,
                MistakeMoment.author_id == author_id,
                MistakeMoment.lesson.is_not(None),
            )
            .order_by(MistakeMoment.lesson_at.desc())
            .limit(limit)
        )
    )


def awaiting_lesson(session: Session, *, before: dt.datetime) -> list[MistakeMoment]:
    """Moments whose chat was agreed before `before` and that have no lesson yet: what the
    scheduler (issue 5) follows up on the next working day."""
    return list(
        session.scalars(
            select(MistakeMoment).where(
                MistakeMoment.status.in_([MomentStatus.ACCEPTED.value, MomentStatus.ALONE.value]),
                MistakeMoment.lesson.is_(None),
                MistakeMoment.created_at < before,
            )
        )
    )


def colleague_asked(
    session: Session, *, team_id: str, ref: int, channel: str, ts: str, now: dt.datetime
) -> None:
    """Where the colleague's invitation was posted (kept so forget-me can say what it held)."""
    moment = session.get(MistakeMoment, int(ref))
    if moment is not None and moment.team_id == team_id:
        moment.colleague_dm_channel_id, moment.colleague_message_ts = channel, ts
        session.flush()


def chat_opened(
    session: Session, *, team_id: str, ref: int, channel: str, ts: str, now: dt.datetime
) -> None:
    """The group DM where the two of them talk."""
    moment = session.get(MistakeMoment, int(ref))
    if moment is not None and moment.team_id == team_id:
        moment.chat_channel_id = channel
        session.flush()
