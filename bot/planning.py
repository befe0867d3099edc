"""Planners: turn routines into outbox rows at each person's own time. They read Slack
(`users.info`, cached daily) and so live beside the deliverer, not among the services."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.models import GuideEvent, GuideRecord, ManagerReport, OutboxMessage, Person
from bot.services import outbox, preferences
from bot.services.library import GuideEventKind
from bot.services.outbox import OutboxStatus
from bot.services.preferences import DAYS, NudgeKind, Preferences
from bot.services.timing import is_away, local_week, next_slot, zone
from bot.slack import nudges

log = logging.getLogger(__name__)

PROFILE_MAX_AGE = dt.timedelta(days=1)
WEEKLY_BUDGET = 3
SPOT_WEEKLY = "spot-weekly"


def person(
    session: Session, client: WebClient, *, team_id: str, user_id: str, now: dt.datetime
) -> Person:
    """A person's zone and status, from the cache or (at most daily) from `users.info`."""
    cached = session.scalar(
        select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
    )
    if cached is not None and now - cached.fetched_at < PROFILE_MAX_AGE:
        return cached
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") not in ("user_not_found", "account_inactive"):
            raise
        user = {"deleted": True}
    if cached is None:
        cached = Person(team_id=team_id, user_id=user_id, fetched_at=now)
        session.add(cached)
    cached.tz = user.get("tz")
    cached.away = is_away(user.get("profile") or {})
    cached.deleted = bool(user.get("deleted"))
    cached.fetched_at = now
    session.flush()
    return cached


def planned_in_week(
    session: Session, *, team_id: str, user_id: str, slot: dt.datetime, tz: ZoneInfo
) -> int:
    """Nudges planned or sent to a person for the (local) week `slot` falls in: the budget."""
    local = slot.astimezone(tz)
    monday = dt.datetime.combine(
        local.date() - dt.timedelta(days=local.weekday()), dt.time(0), tzinfo=tz
    )
    start, end = monday.astimezone(dt.UTC), (monday + dt.timedelta(days=7)).astimezone(dt.UTC)
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.user_id == user_id,
            OutboxMessage.due_at >= start,
            OutboxMessage.due_at < end,
            OutboxMessage.status.in_(
                [OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value, OutboxStatus.SENT.value]
            ),
        )
    )


def _recipient(
    session: Session,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    kind: NudgeKind,
    now: dt.datetime,
    default_tz: str,
) -> tuple[Preferences, ZoneInfo] | None:
    """A person's preferences and zone, or None when they are gone or turned this kind off."""
    who = person(session, client, team_id=team_id, user_id=user_id, now=now)
    prefs = preferences.get(session, team_id=team_id, user_id=user_id)
    if who.deleted or kind not in prefs.kinds_on:
        return None
    return prefs, zone(who.tz, default_tz)


def _enqueue_within_budget(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    kind: NudgeKind,
    subject: str,
    occurrence: str,
    slot: dt.datetime,
    tz: ZoneInfo,
    message: dict,
) -> bool:
    """Plan one occurrence unless the person's week already holds their budget of nudges."""
    if (
        planned_in_week(session, team_id=team_id, user_id=user_id, slot=slot, tz=tz)
        >= WEEKLY_BUDGET
    ):
        return False
    return outbox.enqueue(
        session,
        team_id=team_id,
        user_id=user_id,
        kind=kind.value,
        subject=subject,
        occurrence=occurrence,
        due_at=slot,
        message=message,
    )


def plan_weekly_spotting(
    sessions: sessionmaker[Session], client: WebClient, *, now: dt.datetime, default_tz: str = "UTC"
) -> int:
    """Each manager, once a week from Thursday at their own time: "Who did you see at their best
    this week?" Returns how many occurrences were new."""
    with transaction(sessions) as session:
        managers = session.execute(
            select(ManagerReport.team_id, ManagerReport.manager_id).distinct()
        ).all()
    new = 0
    for team_id, manager_id in managers:
        with transaction(sessions) as session:
            found = _recipient(
                session,
                client,
                team_id=team_id,
                user_id=manager_id,
                kind=NudgeKind.COACHING,
                now=now,
                default_tz=default_tz,
            )
            if found is None:
                continue
            prefs, tz = found
            local_now = now.astimezone(tz)
            thursday = (local_now - dt.timedelta(days=local_now.weekday() - 3)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            slot = next_slot(prefs, tz, after=max(now, thursday.astimezone(dt.UTC)))
            if slot is None:
                continue
            new += _enqueue_within_budget(
                session,
                team_id=team_id,
                user_id=manager_id,
                kind=NudgeKind.COACHING,
                subject=SPOT_WEEKLY,
                occurrence=local_week(slot, tz),
                slot=slot,
                tz=tz,
                message=nudges.weekly_spotting(),
            )
    return new


def gate(sessions: sessionmaker[Session], client: WebClient, now: dt.datetime):
    """The last check before a nudge goes: paused or away means it is dropped, not stacked."""

    def check(team_id: str, user_id: str) -> str | None:
        with transaction(sessions) as session:
            prefs = preferences.get(session, team_id=team_id, user_id=user_id)
            who = person(session, client, team_id=team_id, user_id=user_id, now=now)
            today = now.astimezone(zone(who.tz)).date()
            if prefs.paused(today):
                return "paused"
            if who.away:
                return "away"
            if who.deleted:
                return "account_inactive"
        return None

    return check


FOLLOW_UP_AFTER_WORKING_DAYS = 3
FOLLOW_UP_WINDOW = dt.timedelta(days=10)  # views older than this are not followed up


def _after_working_days(day: dt.date, count: int, working: tuple[str, ...]) -> dt.date:
    if not working:
        return day + dt.timedelta(days=count)
    while count:
        day += dt.timedelta(days=1)
        if DAYS[day.weekday()] in working:
            count -= 1
    return day


def plan_guide_follow_ups(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: dt.datetime,
    default_tz: str = "UTC",
) -> int:
    """Three working days after someone opened or shared a guide: "Did you get to use it?"

    One follow-up per person, guide and (local) week of the view, so reading a guide twice
    does not ask twice.
    """
    with transaction(sessions) as session:
        titles = dict(
            session.execute(
                select(GuideRecord.id, GuideRecord.title).where(GuideRecord.retired.is_(False))
            ).all()
        )
        views = session.execute(
            select(
                GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id, func.min(GuideEvent.at)
            )
            .where(
                GuideEvent.at >= now - FOLLOW_UP_WINDOW,
                GuideEvent.kind.in_([GuideEventKind.VIEW.value, GuideEventKind.SHARE.value]),
            )
            .group_by(GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id)
        ).all()
    new = 0
    for team_id, user_id, guide_id, first_seen in views:
        if guide_id not in titles:
            continue
        with transaction(sessions) as session:
            found = _recipient(
                session,
                client,
                team_id=team_id,
                user_id=user_id,
                kind=NudgeKind.FOLLOW_UPS,
                now=now,
                default_tz=default_tz,
            )
            if found is None:
                continue
            prefs, tz = found
            ask_on = _after_working_days(
                first_seen.astimezone(tz).date(), FOLLOW_UP_AFTER_WORKING_DAYS, prefs.days
            )
            start = dt.datetime.combine(ask_on, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
            slot = next_slot(prefs, tz, after=start - dt.timedelta(seconds=1))
            if slot is None:
                continue
            new += _enqueue_within_budget(
                session,
                team_id=team_id,
                user_id=user_id,
                kind=NudgeKind.FOLLOW_UPS,
                subject=f"guide:{guide_id}",
                occurrence=local_week(first_seen, tz),
                slot=slot,
                tz=tz,
                message=nudges.guide_follow_up(guide_id, titles[guide_id]),
            )
    return new
