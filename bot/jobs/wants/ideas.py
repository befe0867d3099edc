"""Pitch–Prototype–Pilot: a check-in at each stage of an idea, and a word to its author's
managers when it has sat in one stage for two weeks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.jobs.slots import after_working_days, soon
from bot.jobs.wants.base import Message, Pass, Priority, Want, at_any_slot, fixed, routine
from bot.models import Idea, ManagerReport
from bot.services import teams
from bot.services.ideas import Stage
from bot.services.preferences import NudgeKind
from bot.slack import nudges

IDEA_CHECK_IN_AFTER_WORKING_DAYS = 5
IDEA_CHECK_IN_WINDOW = dt.timedelta(days=21)
IDEA_STUCK_AFTER = dt.timedelta(days=14)
IDEA_STUCK_WINDOW = dt.timedelta(days=21)  # reminded once, within three weeks of sticking
UNFINISHED = (Stage.PITCH.value, Stage.PROTOTYPE.value, Stage.PILOT.value)


@routine("idea check-ins")
def idea_wants(p: Pass) -> Iterator[Want]:
    """For an idea's author, a check-in at each stage."""
    recent = p.session.scalars(
        select(Idea).where(
            Idea.stage.in_(UNFINISHED), Idea.stage_changed_at >= p.now - IDEA_CHECK_IN_WINDOW
        )
    )
    for idea in recent:
        yield Want(
            idea.team_id,
            idea.author_id,
            NudgeKind.IDEAS,
            f"idea:{idea.id}",
            after_working_days(idea.stage_changed_at, IDEA_CHECK_IN_AFTER_WORKING_DAYS),
            at_any_slot(partial(nudges.idea_check_in, idea)),
            Priority.IDEA_CHECK_IN,
            occurrence=fixed(idea.stage),
        )


@routine("stuck ideas")
def stuck_idea_wants(p: Pass) -> Iterator[Want]:
    """For an idea author's managers, a reminder when it has sat in one stage for two weeks."""
    stuck = p.session.execute(
        select(Idea, ManagerReport.manager_id)
        .join(
            ManagerReport,
            (ManagerReport.team_id == Idea.team_id)
            & (ManagerReport.report_id == Idea.author_id)
            & teams.CONFIRMED,  # a manager the author did not confirm hears nothing of it
        )
        .where(
            Idea.stage.in_(UNFINISHED),
            Idea.stage_changed_at < p.now - IDEA_STUCK_AFTER,
            Idea.stage_changed_at >= p.now - IDEA_STUCK_AFTER - IDEA_STUCK_WINDOW,
        )
    )
    for idea, manager_id in stuck:
        yield Want(
            idea.team_id,
            manager_id,
            NudgeKind.COACHING,
            f"idea-stuck:{idea.id}",
            soon(),
            _stuck_message(idea),
            Priority.IDEA_STUCK,
            occurrence=fixed(idea.stage),
        )


def _stuck_message(idea: Idea) -> Message:
    """How long the idea has sat in its stage, counted at the slot in the manager's zone."""
    return lambda slot, tz: nudges.idea_stuck(idea, _days_between(idea.stage_changed_at, slot, tz))


def _days_between(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> int:
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days
