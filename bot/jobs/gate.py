"""The last check before a nudge goes: paused, away, a holiday or gone means it is dropped, not
stacked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.profiles import person
from bot.services import holidays, outbox, preferences
from bot.services.outbox import Skip
from bot.services.timing import zone
from bot.workspaces import Clients, as_clients


def gate(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    now: dt.datetime,
    default_tz: str = "UTC",
) -> Callable[[str, str], Skip | None]:
    """The last check before a nudge goes: paused, away or a holiday means it is dropped, not
    stacked."""
    clients = as_clients(clients)

    def check(team_id: str, user_id: str) -> Skip | None:
        if outbox.is_channel(user_id):
            return None
        client = clients(team_id)
        if client is None:
            return Skip.UNINSTALLED
        with transaction(sessions) as session:
            prefs = preferences.get(session, team_id=team_id, user_id=user_id)
            who = person(session, client, team_id=team_id, user_id=user_id, now=now)
            today = now.astimezone(zone(who.tz, default_tz)).date()
            if who.deleted:
                return Skip.ACCOUNT_INACTIVE
            if prefs.paused(today):
                return Skip.PAUSED
            if who.away:
                return Skip.AWAY
            if holidays.is_holiday(session, team_id=team_id, day=today):
                return Skip.HOLIDAY
        return None

    return check
