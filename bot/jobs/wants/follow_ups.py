"""After someone opened or shared a guide: "Did you get to use it?" """

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

from sqlalchemy import func, select

from bot.jobs.slots import after_working_days
from bot.jobs.wants.base import Occurrence, Pass, Priority, Want, at_any_slot, routine
from bot.models import GuideEvent
from bot.services.library import GuideEventKind
from bot.services.preferences import NudgeKind
from bot.services.timing import local_week
from bot.slack import nudges

FOLLOW_UP_AFTER_WORKING_DAYS = 3
FOLLOW_UP_WINDOW = dt.timedelta(days=10)  # views older than this are not followed up


@routine("guide follow-ups")
def follow_up_wants(p: Pass) -> Iterator[Want]:
    """Three working days after someone opened or shared a guide: "Did you get to use it?"

    One per person, guide and (local) week of the view, so reading a guide twice does not ask
    twice.
    """
    titles = p.titles
    views = p.session.execute(
        select(GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id, func.min(GuideEvent.at))
        .where(
            GuideEvent.at >= p.now - FOLLOW_UP_WINDOW,
            GuideEvent.kind.in_([GuideEventKind.VIEW.value, GuideEventKind.SHARE.value]),
        )
        .group_by(GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id)
    )
    for team_id, user_id, guide_id, first_seen in views:
        if guide_id not in titles:
            continue
        yield Want(
            team_id,
            user_id,
            NudgeKind.FOLLOW_UPS,
            f"guide:{guide_id}",
            after_working_days(first_seen, FOLLOW_UP_AFTER_WORKING_DAYS),
            at_any_slot(partial(nudges.guide_follow_up, guide_id, titles[guide_id])),
            Priority.GUIDE_FOLLOW_UP,
            occurrence=_week_of(first_seen),
        )


def _week_of(seen: dt.datetime) -> Occurrence:
    """Once per (local) week of the first view, wherever the nudge lands."""
    return lambda slot, tz: local_week(seen, tz)
