"""Each channel's recurring debrief: an invitation posted in the channel on the day it is due.

A channel's own routine, so it is outside every person's budget and gated by nobody's pause.
"""

from __future__ import annotations

import datetime as dt

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.jobs.slots import just_before, midnight
from bot.models import DebriefSchedule
from bot.profiles import person
from bot.services import debriefs, holidays, outbox, preferences
from bot.services.outbox import OnSent, OutboxKind
from bot.services.preferences import Preferences
from bot.services.timing import next_slot, zone
from bot.slack import debriefs as debrief_blocks
from bot.workspaces import Clients, as_clients


def plan_debriefs(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    default_tz: str,
) -> int:
    """Each channel's recurring debrief, posted in the channel on the day it falls due, at the
    time (and in the zone) of whoever set it up."""
    clients = as_clients(clients)
    with sessions() as session:
        schedules = list(session.scalars(select(DebriefSchedule)))
    new = 0
    for schedule in schedules:
        client = clients(schedule.team_id)
        if client is None:
            continue  # uninstalled
        with transaction(sessions) as session:
            setter = person(
                session, client, team_id=schedule.team_id, user_id=schedule.set_by, now=now
            )
            tz = zone(setter.tz, default_tz)
            prefs = preferences.get(session, team_id=schedule.team_id, user_id=schedule.set_by)
            today = now.astimezone(tz).date()
            due = debriefs.next_date(schedule, on_or_after=today, tz=tz)
            if due > today + dt.timedelta(days=1):
                continue  # planned the day before: a debrief row is made only when it is near
            days_off = holidays.by_team(session, since=today).get(schedule.team_id, frozenset())
            timing = Preferences(preferences.WORKING_DAYS, prefs.time, None, prefs.kinds_on)
            slot = next_slot(timing, tz, after=just_before(midnight(due, tz)), holidays=days_off)
            if slot is None:
                continue
            # Keyed by the day it is posted, not the day it fell due: a daily rhythm's Saturday,
            # Sunday and Monday all land on Monday, and make one debrief there, not three.
            occurrence = slot.astimezone(tz).date().isoformat()
            subject = f"schedule:{schedule.id}"
            if outbox.find(
                session,
                team_id=schedule.team_id,
                recipient=schedule.channel_id,
                kind=OutboxKind.DEBRIEF,
                subject=subject,
                occurrence=occurrence,
            ):
                continue
            debrief = debriefs.start(
                session,
                team_id=schedule.team_id,
                channel_id=schedule.channel_id,
                user_id=schedule.set_by,
                topic=f"our work since the last debrief ({debriefs.cadence_of(schedule).words})",
                now=slot,
            )
            message = {
                **debrief_blocks.invitation(debrief),
                "_on_sent": [OnSent.DEBRIEF_POSTED, debrief.id],  # answers go under it
            }
            new += outbox.enqueue(
                session,
                team_id=schedule.team_id,
                recipient=schedule.channel_id,
                kind=OutboxKind.DEBRIEF,
                subject=subject,
                occurrence=occurrence,
                due_at=slot,
                message=message,
            )
    return new
