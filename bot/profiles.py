"""Who people are, as Slack last said (`users.info`): their time zone, away status and whether
the account still exists, cached in the `people` table and refreshed at most daily.

The planner refreshes what a pass needs, newcomers first and at most PROFILE_FETCHES_PER_PASS
calls (users.info is rate-limited); the delivery gate and snoozing read one person at a time.
(Checking a person picked in a form is `bot.slack.people`: in memory, and bounded in time.)
"""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_for, transaction
from bot.models import Person
from bot.services.timing import is_away
from bot.workspaces import Clients, as_clients

log = logging.getLogger(__name__)

PROFILE_MAX_AGE = dt.timedelta(days=1)
PROFILE_FETCHES_PER_PASS = 200  # users.info is rate-limited: newcomers are placed over passes


def _fetch_profile(client: WebClient, user_id: str) -> dict:
    try:
        return client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") not in ("user_not_found", "account_inactive"):
            raise
        return {"deleted": True}


def _apply(cached: Person, user: dict, now: dt.datetime) -> None:
    cached.tz = user.get("tz")
    cached.away = is_away(user.get("profile") or {})
    cached.deleted = bool(user.get("deleted"))
    cached.fetched_at = now


def person(
    session: Session, client: WebClient, *, team_id: str, user_id: str, now: dt.datetime
) -> Person:
    """A person's zone and status, from the cache or (at most daily) from `users.info`."""
    cached = session.scalar(
        select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
    )
    if cached is not None and now - cached.fetched_at < PROFILE_MAX_AGE:
        return cached
    cached = _store(session, team_id, user_id, _fetch_profile(client, user_id), now, cached)
    session.flush()
    return cached


def _store(
    session: Session,
    team_id: str,
    user_id: str,
    user: dict,
    now: dt.datetime,
    cached: Person | None = None,
) -> Person:
    """Keep what Slack said about a person, in their cached row (made if new)."""
    if cached is None:
        cached = session.scalar(
            select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
        )
    if cached is None:
        # Two requests at once for someone new (a double click on Snooze) both found no row:
        # one makes it, the other waits for it and takes its turn, instead of failing on the key.
        session.execute(
            insert_for(session, Person)
            .values(team_id=team_id, user_id=user_id, fetched_at=now)
            .on_conflict_do_nothing()
        )
        cached = session.scalars(
            select(Person).filter_by(team_id=team_id, user_id=user_id).with_for_update()
        ).one()
    _apply(cached, user, now)
    return cached


def refresh_profiles(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    people: set[tuple[str, str]],
    *,
    now: dt.datetime,
    limit: int = PROFILE_FETCHES_PER_PASS,
) -> None:
    """Fetch the profiles planning needs that are missing or a day old: newcomers first, at most
    `limit` calls, outside any transaction. Nobody is fetched in a workspace inflow may no
    longer act in."""
    clients = as_clients(clients)
    with sessions() as session:
        known = set(session.execute(select(Person.team_id, Person.user_id)).tuples())
        fresh = set(
            session.execute(
                select(Person.team_id, Person.user_id).where(
                    Person.fetched_at > now - PROFILE_MAX_AGE
                )
            ).tuples()
        )
    missing = [key for key in people if key not in known]
    stale = [key for key in people if key in known and key not in fresh]
    fetched = {}
    reachable = [(t, u, c) for t, u in missing + stale if (c := clients(t)) is not None]
    for team_id, user_id, client in reachable[:limit]:
        try:
            fetched[team_id, user_id] = _fetch_profile(client, user_id)
        except SlackApiError as error:
            log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
    if not fetched:
        return
    with transaction(sessions) as session:
        for (team_id, user_id), user in fetched.items():
            _store(session, team_id, user_id, user, now)
