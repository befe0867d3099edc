"""A person's own controls on a nudge they got: bring it back later, or stop that kind."""

from __future__ import annotations

import datetime as dt
import json

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.jobs.slots import just_before, midnight
from bot.profiles import person
from bot.services import holidays, outbox, preferences
from bot.services.outbox import SNOOZED
from bot.services.preferences import NudgeKind
from bot.services.timing import next_slot, zone
from bot.slack import nudges


def snooze(
    session: Session,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    subject: str,
    occurrence: str,
    until: str,
    now: dt.datetime,
    default_tz: str = "UTC",
) -> dt.datetime:
    """Bring a nudge back tomorrow or next week, at the person's time; returns when (local).
    A snooze is the person's own ask, so it is outside the budget."""
    row = outbox.find(
        session,
        team_id=team_id,
        recipient=user_id,
        kind=kind,
        subject=subject,
        occurrence=occurrence,
    )
    if row is None:
        raise InflowError("That nudge is no longer planned, so there is nothing to snooze.")
    who = person(session, client, team_id=team_id, user_id=user_id, now=now)
    tz = zone(who.tz, default_tz)
    prefs = preferences.get(session, team_id=team_id, user_id=user_id)
    today = now.astimezone(tz).date()
    start = (
        today + dt.timedelta(days=1)
        if until == nudges.SNOOZE_TOMORROW
        else today + dt.timedelta(days=7 - today.weekday())
    )
    days_off = holidays.by_team(session, since=today).get(team_id, frozenset())
    slot = next_slot(prefs, tz, after=just_before(midnight(start, tz)), holidays=days_off)
    if slot is None:
        raise InflowError("You have no working days set, so there is no day to snooze to.")
    base = occurrence.split(SNOOZED)[0]
    outbox.enqueue(
        session,
        team_id=team_id,
        recipient=user_id,
        kind=kind,
        subject=subject,
        occurrence=f"{base}{SNOOZED}{slot.astimezone(tz).date().isoformat()}",
        due_at=slot,
        message=json.loads(row.message),
        priority=row.priority,
    )
    return slot.astimezone(tz)


def stop(session: Session, *, team_id: str, user_id: str, kind: str, now: dt.datetime) -> str:
    """Turn one kind of nudge off at once; returns its label."""
    try:
        stopped = NudgeKind(kind)
    except ValueError:
        raise InflowError("That kind of nudge no longer exists.") from None
    current = preferences.get(session, team_id=team_id, user_id=user_id)
    preferences.update(
        session,
        team_id=team_id,
        user_id=user_id,
        now=now,
        kinds_on=[k.value for k in current.kinds_on - {stopped}],
    )
    return stopped.label
