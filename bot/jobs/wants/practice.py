"""Practice paths: each week's step, and its check-in later that week, at the person's time.

Both go through the planner like any nudge (the person's days, time, zone, holidays, pause and
weekly budget), above the routine nudges in priority: a path is something the person chose.
A step or check-in the last check dropped (away, a holiday) comes back the next week; the
`_on_sent` hooks record what went, so nothing is asked twice. A check-in nobody answers does not
stall the path: the next week's step goes a week after the last (its hook moves the path on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bot.jobs.slots import Rule, just_before
from bot.jobs.wants.base import Message, Occurrence, Pass, Priority, Want, routine
from bot.services import practice
from bot.services.outbox import OnSent
from bot.services.preferences import NudgeKind
from bot.services.timing import local_week, next_slot
from bot.slack import practice as blocks


def _always(message: dict) -> Message:
    """The same message whenever the planner places it."""
    return lambda slot, tz: message


def _weekly(name: str) -> Occurrence:
    """`name` once per (local) week: a step or check-in dropped this week is not next week's."""
    return lambda slot, tz: f"{name}:{local_week(slot, tz)}"


def from_moment(moment: dt.datetime) -> Rule:
    """The person's first slot at or after `moment` (and not before now)."""

    def rule(prefs, tz, days_off, now):
        return next_slot(prefs, tz, after=just_before(max(now, moment)), holidays=days_off)

    return rule


@routine("practice paths")
def practice_wants(p: Pass) -> Iterator[Want]:
    """The step's DM from when it begins; once it went, the check-in from when that is due;
    and when the check-in stays unanswered, the next week's step anyway."""
    titles = p.titles
    for enrolment, step, weeks in practice.active_steps(p.session):
        guide_title = titles.get(step.guide_id, step.guide_id)
        if step.sent_at is None and step.begins_at is not None:
            yield _step_want(enrolment, step, weeks, guide_title, step.begins_at)
        elif step.sent_at is not None and step.check_in_sent_at is None and step.check_in_due:
            message = blocks.check_in_message(enrolment, step, weeks)
            message["_on_sent"] = [OnSent.PRACTICE_CHECK_IN_SENT, step.id]
            name = f"c{step.week}.{step.not_yet}r{enrolment.round}"
            yield Want(
                enrolment.team_id,
                enrolment.user_id,
                NudgeKind.PRACTICE,
                practice.subject(enrolment.id),
                from_moment(step.check_in_due),
                _always(message),
                Priority.PRACTICE_CHECK_IN,
                occurrence=_weekly(name),
            )
        elif moved := practice.moving_on(p.session, step):
            following, moment = moved  # no answer: the weeks go on, the path does not stall
            title = titles.get(following.guide_id, following.guide_id)
            yield _step_want(enrolment, following, weeks, title, moment)


def _step_want(enrolment, step, weeks: int, guide_title: str, moment: dt.datetime) -> Want:
    """A week's step DM, from `moment`; the same occurrence however it came to be due."""
    message = blocks.step_message(enrolment, step, weeks, guide_title)
    message["_on_sent"] = [OnSent.PRACTICE_STEP_SENT, step.id]
    name = f"w{step.week}r{enrolment.round}"
    return Want(
        enrolment.team_id,
        enrolment.user_id,
        NudgeKind.PRACTICE,
        practice.subject(enrolment.id),
        from_moment(moment),
        _always(message),
        Priority.PRACTICE_STEP,
        occurrence=_weekly(name),
    )
