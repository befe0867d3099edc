"""Who manages whom: Slack has no org chart, so managers name their reports, or admins import.

A manager's word alone is a claim, not a link: anyone can type `/learn team @someone`. So a
link a manager named shares nothing about the report (no coaching question naming them, none
of their stuck ideas, no pre-filled manager in their forms) until the report confirms it. The
report is asked in a DM; "not my manager" declines it for good, and the same manager cannot
ask again. An admin's import (`inflow team import`) is confirmed as it is made: it comes from
someone entitled to say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.models import ManagerReport

MAX_REPORTS = 100


class Source(StrEnum):
    SLACK = "slack"  # the manager named them: the report confirms
    IMPORT = "import"  # an admin's import: confirmed


class LinkStatus(StrEnum):
    WAITING = "waiting"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


def status_of(link: ManagerReport) -> LinkStatus:
    if link.declined_at is not None:
        return LinkStatus.DECLINED
    if link.confirmed_at is not None:
        return LinkStatus.CONFIRMED
    return LinkStatus.WAITING


CONFIRMED = ManagerReport.confirmed_at.is_not(None) & ManagerReport.declined_at.is_(None)


def reports_of(session: Session, *, team_id: str, manager_id: str) -> list[str]:
    """The reports who confirmed this manager: the only ones anything may be shared about."""
    return list(
        session.scalars(
            select(ManagerReport.report_id)
            .where(
                ManagerReport.team_id == team_id, ManagerReport.manager_id == manager_id, CONFIRMED
            )
            .order_by(ManagerReport.report_id)
        )
    )


def named_by(session: Session, *, team_id: str, manager_id: str) -> dict[str, LinkStatus]:
    """Everyone this manager named, and whether each confirmed: the manager's own list."""
    links = session.scalars(
        select(ManagerReport)
        .where(ManagerReport.team_id == team_id, ManagerReport.manager_id == manager_id)
        .order_by(ManagerReport.report_id)
    )
    return {link.report_id: status_of(link) for link in links}


def managers_of(session: Session, *, team_id: str, report_id: str) -> list[str]:
    """The managers this person confirmed (or an admin imported)."""
    return list(
        session.scalars(
            select(ManagerReport.manager_id)
            .where(
                ManagerReport.team_id == team_id, ManagerReport.report_id == report_id, CONFIRMED
            )
            .order_by(ManagerReport.created_at)
        )
    )


@dataclass(frozen=True)
class Named:
    """A link a manager just named that the report is to be asked about."""

    id: int
    report_id: str


def add(
    session: Session,
    *,
    team_id: str,
    manager_id: str,
    report_id: str,
    source: Source | str,
    now: dt.datetime,
) -> bool:
    """Record one manager-report pair; returns False if it was already known.

    An import confirms a pair the report has not declined; a manager naming someone only
    asks (see `name`).
    """
    if manager_id == report_id:
        raise InflowError("You can't be your own report.")
    confirmed = now if source == Source.IMPORT else None
    statement = insert_for(session, ManagerReport).values(
        team_id=team_id,
        manager_id=manager_id,
        report_id=report_id,
        source=str(source),
        created_at=now,
        confirmed_at=confirmed,
    )
    added = session.execute(statement.on_conflict_do_nothing().returning(ManagerReport.id)).first()
    if added is None and confirmed is not None:
        link = _link(session, team_id, manager_id, report_id)
        if link is not None and link.confirmed_at is None and link.declined_at is None:
            link.confirmed_at, link.source = now, str(source)
            session.flush()
    return added is not None


def name(
    session: Session, *, team_id: str, manager_id: str, report_ids: list[str], now: dt.datetime
) -> list[Named]:
    """A manager names reports; returns the links to ask the reports about (the new ones, and
    waiting ones named again: the manager may have been named before reports were asked)."""
    asked = []
    for report_id in dict.fromkeys(report_ids):
        if report_id == manager_id:
            continue
        add(
            session,
            team_id=team_id,
            manager_id=manager_id,
            report_id=report_id,
            source=Source.SLACK,
            now=now,
        )
        link = _link(session, team_id, manager_id, report_id)
        if link is not None and status_of(link) == LinkStatus.WAITING:
            asked.append(Named(link.id, report_id))
    return asked


def set_reports(
    session: Session, *, team_id: str, manager_id: str, report_ids: list[str], now: dt.datetime
) -> list[Named]:
    """Make the people a manager names exactly `report_ids` (from the Home tab's picker);
    returns the links to ask the reports about. A declined link stays declined."""
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
            ManagerReport.declined_at.is_(None),
        )
    )
    known = named_by(session, team_id=team_id, manager_id=manager_id)
    new = [r for r in wanted if r not in known]
    return name(session, team_id=team_id, manager_id=manager_id, report_ids=new, now=now)


def answer(
    session: Session, *, team_id: str, link_id: int, by: str, confirmed: bool, now: dt.datetime
) -> tuple[ManagerReport, bool]:
    """The report says yes or "not my manager"; returns the link and whether this answer
    changed it (False: answered before, by an earlier click).

    Only the report may answer; the row is locked, so a double click answers once.
    """
    link = session.get(ManagerReport, link_id, with_for_update=True)
    if link is None or link.team_id != team_id:
        raise InflowError("That request is no longer here: the manager took it back.")
    if link.report_id != by:
        raise InflowError("That question was for someone else.")
    if status_of(link) != LinkStatus.WAITING:
        return link, False
    if confirmed:
        link.confirmed_at = now
    else:
        link.declined_at = now
    session.flush()
    return link, True


def _link(session: Session, team_id: str, manager_id: str, report_id: str) -> ManagerReport | None:
    return session.scalar(
        select(ManagerReport).where(
            ManagerReport.team_id == team_id,
            ManagerReport.manager_id == manager_id,
            ManagerReport.report_id == report_id,
        )
    )
