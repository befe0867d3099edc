"""For managers: "Who did you see at their best?" from Thursday, and before each week one
coaching question to try with one report, rotating through guides and reports. When reports
who confirmed the manager are on a practice path, the question is instead the path's manager
note for the week each is on: never anything the report wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from bot.jobs.slots import weekly
from bot.jobs.wants.base import Pass, Priority, Want, routine
from bot.services import practice
from bot.services.preferences import NudgeKind
from bot.slack import nudges

SPOT_WEEKLY = "spot-weekly"
COACHING_QUESTION = "coaching-question"
THURSDAY, MONDAY = 3, 0


@routine("coaching")
def coaching_wants(p: Pass) -> Iterator[Want]:
    """Each manager's weekly spotting prompt and coaching question."""
    titles = p.titles
    notes = practice.manager_notes(p.session)
    for (team_id, manager_id), reports in p.managers.items():
        yield Want(
            team_id,
            manager_id,
            NudgeKind.COACHING,
            SPOT_WEEKLY,
            weekly(THURSDAY),
            lambda slot, tz: nudges.weekly_spotting(),
            Priority.SPOT_WEEKLY,
        )

        practising = [
            (report, step, weeks)
            for report in reports  # only those who confirmed this manager
            for step, weeks in notes.get((team_id, report), [])
        ]

        def question(
            slot: dt.datetime, tz: ZoneInfo, reports=reports, practising=practising
        ) -> dict:
            if practising:
                return nudges.practice_coaching(practising)
            week = slot.astimezone(tz).isocalendar().week
            guide_id, asked = nudges.COACHING_QUESTIONS[week % len(nudges.COACHING_QUESTIONS)]
            report = reports[week % len(reports)]
            return nudges.coaching_question(guide_id, titles.get(guide_id, guide_id), asked, report)

        yield Want(
            team_id,
            manager_id,
            NudgeKind.COACHING,
            COACHING_QUESTION,
            weekly(MONDAY),
            question,
            Priority.COACHING_QUESTION,
        )
