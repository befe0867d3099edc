"""A person's nudge preferences: working days, time of day, pause, and the kinds they want."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import locked_row
from bot.errors import InflowError
from bot.models import NudgePreference, WorkspaceRecord
from bot.services import outbox

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKING_DAYS = DAYS[:5]
DEFAULT_TIME = "09:30"
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class NudgeKind(StrEnum):
    COACHING = "coaching"  # for managers: weekly questions and prompts
    FOLLOW_UPS = "follow_ups"  # "did you get to use it?", the lesson after a mistake moment
    IDEAS = "ideas"  # a check-in at each stage of an idea
    REFLECTION = "reflection"  # the weekly reflection prompt: off unless chosen
    PRACTICE = "practice"  # the weekly step of a practice path they chose, and its check-in

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    NudgeKind.COACHING: "Coaching prompts (for managers)",
    NudgeKind.FOLLOW_UPS: "Follow-ups on guides and lessons",
    NudgeKind.IDEAS: "Check-ins on my ideas",
    NudgeKind.REFLECTION: "A weekly reflection prompt",
    NudgeKind.PRACTICE: "Steps and check-ins of my practice paths",
}
OFF_BY_DEFAULT = {NudgeKind.REFLECTION}


@dataclass(frozen=True)
class Preferences:
    days: tuple[str, ...]
    time: str
    paused_until: dt.date | None
    kinds_on: frozenset[NudgeKind]

    def paused(self, today: dt.date) -> bool:
        return self.paused_until is not None and today <= self.paused_until


DEFAULT = Preferences(WORKING_DAYS, DEFAULT_TIME, None, frozenset(set(NudgeKind) - OFF_BY_DEFAULT))


def _row(session: Session, team_id: str, user_id: str) -> NudgePreference | None:
    return session.scalar(
        select(NudgePreference).where(
            NudgePreference.team_id == team_id, NudgePreference.user_id == user_id
        )
    )


def _from_row(row: NudgePreference, default: Preferences) -> Preferences:
    off = {NudgeKind(k) for k in row.kinds_off.split(",") if k in NudgeKind._value2member_map_}
    days = default.days if row.days is None else tuple(d for d in row.days.split(",") if d in DAYS)
    return Preferences(
        days, row.time or default.time, row.paused_until, frozenset(set(NudgeKind) - off)
    )


def _with_workspace(days: str | None, time: str | None) -> Preferences:
    """The defaults, with the days and time a workspace's admins chose for it."""
    chosen = tuple(d for d in (days or "").split(",") if d in DAYS)
    return Preferences(chosen or DEFAULT.days, time or DEFAULT.time, None, DEFAULT.kinds_on)


def workspace_default(session: Session, team_id: str) -> Preferences:
    """What someone who changed nothing gets in this workspace."""
    found = session.execute(
        select(WorkspaceRecord.nudge_days, WorkspaceRecord.nudge_time).where(
            WorkspaceRecord.team_id == team_id
        )
    ).first()
    return DEFAULT if found is None else _with_workspace(*found)


def workspace_defaults(session: Session) -> dict[str, Preferences]:
    """Every workspace's default that differs from inflow's own, by team id."""
    return {
        team_id: _with_workspace(days, time)
        for team_id, days, time in session.execute(
            select(
                WorkspaceRecord.team_id, WorkspaceRecord.nudge_days, WorkspaceRecord.nudge_time
            ).where(
                WorkspaceRecord.nudge_days.is_not(None) | WorkspaceRecord.nudge_time.is_not(None)
            )
        )
    }


def get(session: Session, *, team_id: str, user_id: str) -> Preferences:
    default = workspace_default(session, team_id)
    row = _row(session, team_id, user_id)
    return default if row is None else _from_row(row, default)


def everyone(session: Session) -> dict[tuple[str, str], Preferences]:
    """Everybody's preferences that differ from the defaults, by (team, user): for planning.

    Someone missing gets their workspace's default (`workspace_defaults`).
    """
    defaults = workspace_defaults(session)
    return {
        (row.team_id, row.user_id): _from_row(row, defaults.get(row.team_id, DEFAULT))
        for row in session.scalars(select(NudgePreference))
    }


def update(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: dt.datetime,
    days: list[str] | None = None,
    time: str | None = None,
    paused_until: dt.date | Literal[False] | None = False,
    kinds_on: list[str] | None = None,
) -> Preferences:
    """Change what was given (False for `paused_until` means "leave it"); returns the result.

    Honoured at once: nudges already planned at the old days or time are unplanned (the next
    planner pass places them again), and planned nudges of a kind turned off are dropped.
    """
    current = get(session, team_id=team_id, user_id=user_id)
    if days is not None and any(d not in DAYS for d in days):
        raise InflowError("Those aren't days of the week.")
    if time is not None and not TIME_PATTERN.match(time):
        raise InflowError("Pick a time like 09:30.")
    if isinstance(paused_until, dt.date) and paused_until < now.date():
        raise InflowError("Pick a date from today on to pause until.")
    kinds = (
        current.kinds_on
        if kinds_on is None
        else frozenset(NudgeKind(k) for k in kinds_on if k in NudgeKind._value2member_map_)
    )
    # Days and time stay None, following the workspace's default, until the person sets them.
    row = locked_row(session, NudgePreference, team_id=team_id, user_id=user_id)
    if days is not None:
        row.days = ",".join(d for d in DAYS if d in days)
    if time is not None:
        row.time = time
    if paused_until is not False:
        row.paused_until = paused_until
    row.kinds_off = ",".join(k.value for k in NudgeKind if k not in kinds)
    row.updated_at = now
    session.flush()
    updated = get(session, team_id=team_id, user_id=user_id)
    if (updated.days, updated.time) != (current.days, current.time):
        outbox.unplan(session, team_id=team_id, user_id=user_id, now=now)
    if turned_off := current.kinds_on - updated.kinds_on:
        outbox.drop_pending(
            session,
            team_id=team_id,
            recipient=user_id,
            kinds=[k.value for k in turned_off],
            reason="turned off",
        )
    return updated


def default_changed(
    session: Session, *, team_id: str, now: dt.datetime, days: bool, time: bool
) -> None:
    """The workspace's default days or time changed: unplan the nudges of everyone who follows
    the part that changed (all but those who chose their own), as `update` does for one person.

    Only nudges are unplanned: a channel's debrief or an owner's review list stays where it is.
    """
    chose_own = [NudgePreference.team_id == team_id]
    if days:
        chose_own.append(NudgePreference.days.is_not(None))
    if time:
        chose_own.append(NudgePreference.time.is_not(None))
    outbox.unplan_in_workspace(
        session,
        team_id=team_id,
        now=now,
        kinds=[kind.value for kind in NudgeKind],
        keep=select(NudgePreference.user_id).where(*chose_own),
    )
