"""Debriefs: an after-action review gathered from several people, and its recurrence."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.models import Debrief, DebriefAnswer, DebriefSchedule
from bot.services import outbox
from bot.services.outbox import OutboxKind

MAX_TOPIC = 200
MAX_ANSWER = 1000
# The four questions, in order: (column, question)
QUESTIONS = (
    ("happened", "What happened?"),
    ("worked", "What worked?"),
    ("did_not", "What did not?"),
    ("differently", "What would we do differently?"),
)


@dataclass(frozen=True)
class Cadence:
    every_days: int | None
    monthly: bool = False

    @property
    def words(self) -> str:
        if self.monthly:
            return "every month"
        if self.every_days and self.every_days % 7 == 0:
            weeks = self.every_days // 7
            return "every week" if weeks == 1 else f"every {weeks} weeks"
        return "every day" if self.every_days == 1 else f"every {self.every_days} days"


# How people say a channel's rhythm. Only what inflow can keep is here: every N days or weeks
# (1 to 90 days), and monthly (on the day it was set).
_NUMBERS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_WORDS = {
    "daily": 1,
    "every day": 1,
    "each day": 1,
    "weekly": 7,
    "every week": 7,
    "each week": 7,
    "fortnightly": 14,
    "every fortnight": 14,
    "every other week": 14,
    "every second week": 14,
}
_MONTHLY = {"monthly", "every month", "each month", "every 1 month", "every one month"}
_OFF = {"off", "stop", "never", "none"}
_EVERY_N = re.compile(r"^(?:every|each) (\d+|[a-z]+) (day|days|week|weeks)$")
# Text that is trying to be a rhythm, though not one inflow keeps: answered privately, never
# announced to the channel as a debrief's topic.
_RHYTHM_LIKE = re.compile(
    r"^every\b|^each (?:\d+|day|week|month|\w+day)\b|^(?:once|twice|\d+ times) (?:a|per|every)\b"
    r"|^(?:biweekly|bi-weekly|semimonthly|quarterly|yearly|annually|hourly|weekdays|"
    r"(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)days?)$"
)
RHYTHMS = "`every day`, `every week`, `every 2 weeks`, `monthly`, or `off`"
UNCLEAR_RHYTHM = (
    "That reads like a rhythm I can't keep, so I posted nothing. A channel can debrief "
    f"{RHYTHMS} (any number of days from 1 to 90 works too, like `every 10 days`). "
    "To debrief now, say what about: `/debrief the spring launch`."
)


def parse_cadence(text: str) -> Cadence | Literal[False] | None:
    """`every day`, `daily`, `weekly`, `every 2 weeks`, `monthly`, `off` -> a Cadence, None for
    off; False when the text is not a rhythm at all (it is a topic).

    Raises InflowError for text that tries to be a rhythm inflow cannot keep ("every Monday",
    "every 3 months", "biweekly"): posting it as a debrief's topic would announce a mistake to
    the whole channel."""
    said = " ".join(text.lower().split()).rstrip(".!")
    if said in _OFF:
        return None
    if said in _MONTHLY:
        return Cadence(None, monthly=True)
    if said in _WORDS:
        return Cadence(_WORDS[said])
    found = _EVERY_N.match(said)
    if found:
        number, unit = found.groups()
        count = int(number) if number.isdigit() else _NUMBERS.get(number)
        if count is not None:
            days = count * (7 if unit.startswith("week") else 1)
            if not 1 <= days <= 90:
                raise InflowError(
                    "Choose a rhythm between every day and every 90 days, or `monthly`."
                )
            return Cadence(days)
    if _RHYTHM_LIKE.match(said):
        raise InflowError(UNCLEAR_RHYTHM)
    return False


def start(
    session: Session, *, team_id: str, channel_id: str, user_id: str, topic: str, now: dt.datetime
) -> Debrief:
    topic = " ".join(topic.split())[:MAX_TOPIC] or "our recent work"
    debrief = Debrief(
        team_id=team_id, channel_id=channel_id, topic=topic, started_by=user_id, created_at=now
    )
    session.add(debrief)
    session.flush()
    return debrief


OTHER_CHANNEL = "That debrief belongs to another channel: answer it where it was posted."


def get(
    session: Session, *, team_id: str, debrief_id: int, channel_id: str | None = None
) -> Debrief:
    """The debrief, locked; with `channel_id` (where the button was), only if it is that
    channel's: a debrief's buttons act only in its own channel, where only those who can see
    the channel (its members, for a private one) can press them."""
    debrief = session.scalar(
        select(Debrief)
        .where(Debrief.team_id == team_id, Debrief.id == debrief_id)
        .with_for_update()
    )
    if debrief is None:
        raise InflowError("That debrief is no longer here.")
    if channel_id is not None and debrief.channel_id != channel_id:
        raise InflowError(OTHER_CHANNEL)
    return debrief


def answer(
    session: Session,
    *,
    team_id: str,
    debrief_id: int,
    user_id: str,
    answers: dict[str, str | None],
    now: dt.datetime,
    channel_id: str | None = None,
) -> tuple[Debrief, int]:
    """Keep one person's answers (replacing earlier ones); returns the debrief and how many
    people have answered."""
    debrief = get(session, team_id=team_id, debrief_id=debrief_id, channel_id=channel_id)
    if debrief.closed_at is not None:
        raise InflowError(
            "This debrief's summary is already posted: start a new one with /debrief."
        )
    cleaned = {column: (answers.get(column) or "").strip() or None for column, _ in QUESTIONS}
    if not any(cleaned.values()):
        raise InflowError("Answer at least one of the questions.")
    if any(len(v or "") > MAX_ANSWER for v in cleaned.values()):
        raise InflowError(f"Keep each answer under {MAX_ANSWER} characters.")
    existing = session.scalar(
        select(DebriefAnswer).where(
            DebriefAnswer.debrief_id == debrief.id, DebriefAnswer.user_id == user_id
        )
    )
    if existing is None:
        session.add(
            DebriefAnswer(
                team_id=team_id, debrief_id=debrief.id, user_id=user_id, at=now, **cleaned
            )
        )
    else:
        for column, value in cleaned.items():
            setattr(existing, column, value)
        existing.at = now
    session.flush()
    return debrief, len(answers_of(session, debrief))


def answers_of(session: Session, debrief: Debrief) -> list[DebriefAnswer]:
    return list(
        session.scalars(
            select(DebriefAnswer)
            .where(DebriefAnswer.debrief_id == debrief.id)
            .order_by(DebriefAnswer.at)
        )
    )


def close(
    session: Session,
    *,
    team_id: str,
    debrief_id: int,
    now: dt.datetime,
    channel_id: str | None = None,
) -> tuple[Debrief, list[DebriefAnswer]]:
    debrief = get(session, team_id=team_id, debrief_id=debrief_id, channel_id=channel_id)
    if debrief.closed_at is not None:
        raise InflowError("The summary is already posted in the thread.")
    answers = answers_of(session, debrief)
    if not answers:
        raise InflowError("Nobody has answered yet: the summary needs at least one view.")
    debrief.closed_at = now
    session.flush()
    return debrief, answers


def set_schedule(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    cadence: Cadence | None,
    now: dt.datetime,
) -> None:
    """Make the channel's debrief recurring, or stop it (`cadence` None). What the old rhythm
    had planned is dropped."""
    outbox.drop_pending(
        session,
        team_id=team_id,
        recipient=channel_id,
        kinds=[OutboxKind.DEBRIEF],
        reason="rhythm changed",
    )
    session.execute(
        delete(DebriefSchedule).where(
            DebriefSchedule.team_id == team_id, DebriefSchedule.channel_id == channel_id
        )
    )
    if cadence is not None:
        session.add(
            DebriefSchedule(
                team_id=team_id,
                channel_id=channel_id,
                every_days=cadence.every_days,
                monthly=cadence.monthly,
                set_by=user_id,
                starts_on=now,
            )
        )
    session.flush()


def schedule_of(session: Session, *, team_id: str, channel_id: str) -> Cadence | None:
    """The channel's rhythm, or None when it debriefs only when someone asks."""
    schedule = session.scalar(
        select(DebriefSchedule).where(
            DebriefSchedule.team_id == team_id, DebriefSchedule.channel_id == channel_id
        )
    )
    return None if schedule is None else cadence_of(schedule)


def cadence_of(schedule: DebriefSchedule) -> Cadence:
    return Cadence(schedule.every_days, monthly=schedule.monthly)


def next_date(schedule: DebriefSchedule, *, on_or_after: dt.date, tz: ZoneInfo) -> dt.date:
    """The first day of the channel's rhythm on or after `on_or_after`: every N days from the
    day it was set, or monthly on that day of the month (the month's last day when shorter)."""
    first = schedule.starts_on.astimezone(tz).date()
    if schedule.monthly:
        months = 1
        while True:
            year, month = divmod(first.month - 1 + months, 12)
            year, month = first.year + year, month + 1
            day = min(first.day, calendar.monthrange(year, month)[1])
            candidate = dt.date(year, month, day)
            if candidate >= on_or_after:
                return candidate
            months += 1
    every = schedule.every_days or 7
    periods = max(1, -(-(on_or_after - first).days // every))
    return first + dt.timedelta(days=periods * every)


def invitation_posted(
    session: Session, *, team_id: str, ref: int, channel: str, ts: str, now: dt.datetime
) -> None:
    """A debrief's invitation went out (a /debrief, or the channel's rhythm): answers and the
    summary go under it."""
    debrief = session.get(Debrief, int(ref))
    if debrief is not None and debrief.team_id == team_id:
        debrief.message_ts = ts
        session.flush()


def summary_posted(
    session: Session, *, team_id: str, ref: int, channel: str, ts: str, now: dt.datetime
) -> None:
    debrief = session.get(Debrief, int(ref))
    if debrief is not None and debrief.team_id == team_id:
        debrief.summary_ts = ts
        session.flush()


def invitation_not_posted(
    session: Session, *, team_id: str, ref: int, error: str, now: dt.datetime
) -> int | None:
    """Slack would not take the invitation (inflow is not in the channel): the debrief never
    started, and whoever started it is told how to fix that."""
    debrief = session.get(Debrief, int(ref))
    if debrief is None or debrief.team_id != team_id:
        return None
    told = outbox.tell(
        session,
        team_id=team_id,
        ref={
            "to": debrief.started_by,
            "about": f"debrief:{debrief.id}",
            "text": NOT_POSTED.format(channel=debrief.channel_id),
        },
        error=error,
        now=now,
    )
    session.delete(debrief)
    session.flush()
    return told


NOT_POSTED = (
    "I couldn't start the debrief in <#{channel}>: I'm not in that channel yet. Add me with "
    "`/invite @inflow`, then run `/debrief` again."
)
