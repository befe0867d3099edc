"""Who manages whom: Slack has no org chart, so managers name their reports, or admins import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.models import ManagerReport

MAX_REPORTS = 100


def reports_of(session: Session, *, team_id: str, manager_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ManagerReport.report_id)
            .where(ManagerReport.team_id == team_id, ManagerReport.manager_id == manager_id)
            .order_by(ManagerReport.report_id)
        )
    )


def managers_of(session: Session, *, team_id: str, report_id: str) -> list[str]:
    """Who lists this person as a report (everyone may see who lists them)."""
    return list(
        session.scalars(
            select(ManagerReport.manager_id)
            .where(ManagerReport.team_id == team_id, ManagerReport.report_id == report_id)
            .order_by(ManagerReport.created_at)
        )
    )


def add(
    session: Session,
    *,
    team_id: str,
    manager_id: str,
    report_id: str,
    source: str,
    now: dt.datetime,
) -> bool:
    """Record one manager-report pair; returns False if it was already known."""
    if manager_id == report_id:
        raise InflowError("You can't be your own report.")
    statement = insert_for(session, ManagerReport).values(
        team_id=team_id, manager_id=manager_id, report_id=report_id, source=source, created_at=now
    )
    return (
        session.execute(statement.on_conflict_do_nothing().returning(ManagerReport.id)).first()
        is not None
    )


def set_reports(
    session: Session, *, team_id: str, manager_id: str, report_ids: list[str], now: dt.datetime
) -> list[str]:
    """Make a manager's reports exactly `report_ids` (from the Home tab's picker)."""
    wanted = list(dict.fromkeys(r for r in report_ids if r != manager_id))
    if len(wanted) > MAX_REPORTS:
        raise InflowError(
            f"That's more than {MAX_REPORTS} reports; an admin can import a larger team."
        )
    session.execute(
        delete(ManagerReport).where(
            ManagerReport.team_id == team_id,
            ManagerReport.manager_id == manager_id,
            ManagerReport.report_id.not_in(wanted),
        )
    )
    for report_id in wanted:
        add(
            session,
            team_id=team_id,
            manager_id=manager_id,
            report_id=report_id,
            source="slack",
            now=now,
        )
    return reports_of(session, team_id=team_id, manager_id=manager_id)
