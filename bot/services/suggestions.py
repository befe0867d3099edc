"""Quiet offers in channels, and the limits that keep them rare.

A person is offered at most one guide a day and the same guide at most once in 14 days; a
channel gets at most a few offers an hour; and anyone who stopped them (for themselves, or a
channel's manager for the channel) gets none until they turn them back on.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.models import SuggestionOffer, SuggestionOptOut

SAME_GUIDE_AGAIN_AFTER = dt.timedelta(days=14)
CHANNEL_PER_HOUR = 3


class Scope(StrEnum):
    USER = "user"
    CHANNEL = "channel"


class Outcome(StrEnum):
    OFFERED = "offered"
    OPENED = "opened"
    DISMISSED = "dismissed"


def stopped(session: Session, *, team_id: str, user_id: str, channel_id: str) -> bool:
    """Whether the person, or the channel, turned suggestions off."""
    found = session.scalar(
        select(SuggestionOptOut.id).where(
            SuggestionOptOut.team_id == team_id,
            (
                (SuggestionOptOut.scope == Scope.USER.value)
                & (SuggestionOptOut.subject_id == user_id)
            )
            | (
                (SuggestionOptOut.scope == Scope.CHANNEL.value)
                & (SuggestionOptOut.subject_id == channel_id)
            ),
        )
    )
    return found is not None


def claim(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    guide_id: str,
    now: dt.datetime,
) -> int | None:
    """Take today's offer for this person, if every limit allows; returns the offer's id."""
    recently_same = session.scalar(
        select(SuggestionOffer.id).where(
            SuggestionOffer.team_id == team_id,
            SuggestionOffer.user_id == user_id,
            SuggestionOffer.guide_id == guide_id,
            SuggestionOffer.at > now - SAME_GUIDE_AGAIN_AFTER,
        )
    )
    if recently_same is not None:
        return None
    channel_hour = session.execute(
        select(func.count())
        .select_from(SuggestionOffer)
        .where(
            SuggestionOffer.team_id == team_id,
            SuggestionOffer.channel_id == channel_id,
            SuggestionOffer.at > now - dt.timedelta(hours=1),
        )
    ).scalar_one()
    if channel_hour >= CHANNEL_PER_HOUR:
        return None
    inserted = session.execute(
        insert_for(session, SuggestionOffer)
        .values(
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            guide_id=guide_id,
            offered_on=now.date(),
            at=now,
            outcome=Outcome.OFFERED.value,
        )
        .on_conflict_do_nothing()  # one a person a day, even with several processes
        .returning(SuggestionOffer.id)
    )
    return inserted.scalar()


def release(session: Session, *, offer_id: int) -> None:
    """The offer could not be posted: it does not count."""
    session.execute(delete(SuggestionOffer).where(SuggestionOffer.id == offer_id))


def answered(
    session: Session, *, team_id: str, user_id: str, offer_id: int, outcome: Outcome
) -> None:
    session.execute(
        update(SuggestionOffer)
        .where(
            SuggestionOffer.id == offer_id,
            SuggestionOffer.team_id == team_id,
            SuggestionOffer.user_id == user_id,
        )
        .values(outcome=outcome.value)
    )


def stop(
    session: Session, *, team_id: str, scope: Scope, subject_id: str, by: str, now: dt.datetime
) -> None:
    session.execute(
        insert_for(session, SuggestionOptOut)
        .values(team_id=team_id, scope=scope.value, subject_id=subject_id, set_by=by, at=now)
        .on_conflict_do_nothing()
    )


def resume(session: Session, *, team_id: str, scope: Scope, subject_id: str) -> None:
    removed = session.execute(
        delete(SuggestionOptOut)
        .where(
            SuggestionOptOut.team_id == team_id,
            SuggestionOptOut.scope == scope.value,
            SuggestionOptOut.subject_id == subject_id,
        )
        .returning(SuggestionOptOut.id)
    )
    if removed.first() is None:
        where = "for you" if scope is Scope.USER else "in this channel"
        raise InflowError(f"Suggestions are already on {where}.")
