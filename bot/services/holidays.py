"""Workspace holidays: days an admin sets on which nobody gets a nudge."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.models import Holiday

MAX_NAME = 100


def add(session: Session, *, team_id: str, day: dt.date, name: str = "") -> bool:
    """Mark a day off for the whole workspace; returns False when it already was."""
    inserted = session.execute(
        insert_for(session, Holiday)
        .values(team_id=team_id, day=day, name=" ".join(name.split())[:MAX_NAME])
        .on_conflict_do_nothing()
        .returning(Holiday.id)
    )
    return inserted.first() is not None


def remove(session: Session, *, team_id: str, day: dt.date) -> None:
    removed = session.execute(
        delete(Holiday).where(Holiday.team_id == team_id, Holiday.day == day).returning(Holiday.id)
    )
    if removed.first() is None:
        raise InflowError(f"{day.isoformat()} is not a holiday.")


def listed(session: Session, *, team_id: str, since: dt.date) -> list[Holiday]:
    return list(
        session.scalars(
            select(Holiday)
            .where(Holiday.team_id == team_id, Holiday.day >= since)
            .order_by(Holiday.day)
        )
    )


def by_team(session: Session, *, since: dt.date) -> dict[str, frozenset[dt.date]]:
    """Every workspace's holidays from `since` on, for the planner."""
    found: dict[str, set[dt.date]] = defaultdict(set)
    for team_id, day in session.execute(
        select(Holiday.team_id, Holiday.day).where(Holiday.day >= since)
    ):
        found[team_id].add(day)
    return {team_id: frozenset(days) for team_id, days in found.items()}


def is_holiday(session: Session, *, team_id: str, day: dt.date) -> bool:
    return (
        session.scalar(select(Holiday.id).where(Holiday.team_id == team_id, Holiday.day == day))
        is not None
    )
