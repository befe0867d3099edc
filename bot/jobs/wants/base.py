"""What a routine asks of the planner: a *want* (who, what, from when, how useful), and the
registry every routine's module adds its wants function to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs.slots import Rule
from bot.models import GuideRecord, ManagerReport
from bot.services import teams
from bot.services.preferences import NudgeKind, Preferences
from bot.services.timing import local_week


class Priority(IntEnum):
    """What wins a person's weekly budget: the personal and time-bound before the routine."""

    PRACTICE_STEP = 70  # a path the person chose: their own weeks of practice
    PRACTICE_CHECK_IN = 65
    LESSON = 60
    IDEA_CHECK_IN = 50
    IDEA_STUCK = 45
    GUIDE_FOLLOW_UP = 30
    SPOT_WEEKLY = 25
    COACHING_QUESTION = 20
    REFLECTION = 10


Occurrence = Callable[[dt.datetime, ZoneInfo], str]
Message = Callable[[dt.datetime, ZoneInfo], dict]  # built at the slot, in the person's zone


@dataclass(frozen=True)
class Want:
    """One nudge a routine would like a person to get: placed by the planner if it fits."""

    team_id: str
    user_id: str
    kind: NudgeKind  # the person's switch for it
    subject: str  # what it is about: "guide:five-whys", "idea:12"
    when: Rule
    message: Message
    priority: int
    occurrence: Occurrence = local_week  # default: once a (local) week


def fixed(occurrence: str) -> Occurrence:
    """An occurrence that is the same whenever it is placed: once per idea stage, say."""
    return lambda slot, tz: occurrence


def at_any_slot(build: Callable[[], dict]) -> Message:
    """A message that reads the same whenever and wherever it is placed."""
    return lambda slot, tz: build()


@dataclass
class Pass:
    """What every routine's wants function reads in one planning pass."""

    session: Session
    now: dt.datetime
    everyone: dict[tuple[str, str], Preferences]  # everyone's chosen preferences

    @cached_property
    def titles(self) -> dict[str, str]:
        """The library's live guides' titles, by id."""
        return dict(
            self.session.execute(
                select(GuideRecord.id, GuideRecord.title).where(GuideRecord.retired.is_(False))
            )
            .tuples()
            .all()
        )

    @cached_property
    def managers(self) -> dict[tuple[str, str], list[str]]:
        """Each manager's reports who confirmed them, by (team, manager)."""
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for team_id, manager_id, report_id in self.session.execute(
            select(ManagerReport.team_id, ManagerReport.manager_id, ManagerReport.report_id)
            .where(teams.CONFIRMED)
            .order_by(ManagerReport.report_id)
        ):
            found[team_id, manager_id].append(report_id)
        return found


Routine = Callable[[Pass], Iterator[Want]]
ROUTINES: dict[str, Routine] = {}


def routine(name: str) -> Callable[[Routine], Routine]:
    """Register a routine's wants function under `name`: the planner asks every one each pass."""

    def register(wants: Routine) -> Routine:
        if name in ROUTINES:
            raise ValueError(f"two routines are named {name!r}")
        ROUTINES[name] = wants
        return wants

    return register
