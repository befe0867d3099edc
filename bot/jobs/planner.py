"""The planner: turns routines into outbox rows at each person's own time, within their budget.

One pass gathers what every routine wants to send (`bot.jobs.wants`: who, what, from when, how
useful), refreshes the profiles it needs from Slack (`users.info`, at most daily per person),
then places every want in one transaction: the person's next free slot in their zone, days and
hours, the most useful first, at most `budget` a week each. Rows are inserted in bulk and
idempotently, so planning the same week twice, or in two processes at once, adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_for, schema_lock, transaction
from bot.jobs.debriefs import plan_debriefs
from bot.jobs.wants import Want, gather
from bot.models import NudgeFeedback, OutboxMessage, Person, WorkspaceRecord
from bot.profiles import refresh_profiles
from bot.services import holidays, preferences
from bot.services import workspaces as workspace_service
from bot.services.outbox import NUDGE_KINDS, SNOOZED, OutboxStatus
from bot.services.preferences import DEFAULT
from bot.services.timing import local_week, zone
from bot.workspaces import Clients, as_clients

log = logging.getLogger(__name__)

WEEKLY_BUDGET = 3
NOT_USEFUL_MEMORY = dt.timedelta(days=90)
NOT_USEFUL_PENALTY = 15
BOOKED_LOOKBACK = dt.timedelta(days=21)  # every want's earlier occurrence was due after this
PLANNER_LOCK = 0x1F10  # PostgreSQL advisory lock: one placing pass at a time across processes


# -- where: placing wants within the budget ------------------------------------------------------


@dataclass
class _Booked:
    """What a person already has planned or sent, by local week, with the priorities."""

    id: int | None  # None: placed in this pass
    priority: int
    bumpable: bool


class Calendar:
    """Everyone's planned nudges near `now`: the existing keys and each person's weeks."""

    def __init__(
        self, session: Session, *, now: dt.datetime, zones: dict, budget: Callable[[str], int]
    ):
        self.budget = budget
        self.weeks: dict[tuple[str, str, str], list[_Booked]] = defaultdict(list)
        self.bumped: list[int] = []
        # every key a want could repeat: cheap columns only
        self.keys = set(
            session.execute(
                select(
                    OutboxMessage.team_id,
                    OutboxMessage.recipient,
                    OutboxMessage.kind,
                    OutboxMessage.subject,
                    OutboxMessage.occurrence,
                ).where(OutboxMessage.due_at >= now - BOOKED_LOOKBACK)
            ).tuples()
        )
        # what counts against a budget: this week and on, planned or sent
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.team_id,
                OutboxMessage.recipient,
                OutboxMessage.occurrence,
                OutboxMessage.due_at,
                OutboxMessage.status,
                OutboxMessage.priority,
            ).where(
                OutboxMessage.due_at >= now - dt.timedelta(days=8),
                OutboxMessage.status.in_(
                    [
                        s.value
                        for s in (OutboxStatus.PENDING, OutboxStatus.CLAIMED, OutboxStatus.SENT)
                    ]
                ),
                # only nudges count: a channel's debrief or an owner's review list is not one
                OutboxMessage.kind.in_([kind.value for kind in NUDGE_KINDS]),
            )
        )
        for row_id, team_id, user_id, occurrence, due_at, status, priority in rows:
            tz = zones.get((team_id, user_id)) or zone(None)
            bumpable = status == OutboxStatus.PENDING.value and SNOOZED not in occurrence
            self.weeks[team_id, user_id, local_week(due_at, tz)].append(
                _Booked(row_id, priority, bumpable)
            )

    def book(self, team_id: str, user_id: str, week: str, priority: int) -> bool:
        """Take a place in the person's week: free, or made by dropping a less useful nudge that
        is still to come."""
        booked = self.weeks[team_id, user_id, week]
        if len(booked) >= self.budget(team_id):
            # What may make way, with its row id (a bumpable nudge is always a stored row).
            weaker = [
                (b, b.id)
                for b in booked
                if b.bumpable and b.id is not None and b.priority < priority
            ]
            if not weaker:
                return False
            weakest, row_id = min(weaker, key=lambda pair: (pair[0].priority, -pair[1]))
            booked.remove(weakest)
            self.bumped.append(row_id)
        booked.append(_Booked(None, priority, False))  # placed in priority order: never bumped
        return True


def _penalties(session: Session, now: dt.datetime) -> dict[tuple[str, str, str, str], int]:
    """ "Not useful" taps per person, kind and family of subject (guide:…, idea:…, spot-weekly)."""
    found: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for team_id, user_id, kind, subject in session.execute(
        select(
            NudgeFeedback.team_id, NudgeFeedback.user_id, NudgeFeedback.kind, NudgeFeedback.subject
        ).where(NudgeFeedback.at >= now - NOT_USEFUL_MEMORY)
    ):
        found[team_id, user_id, kind, subject.split(":")[0]] += NOT_USEFUL_PENALTY
    return found


def place(
    session: Session,
    wants: list[Want],
    *,
    now: dt.datetime,
    default_tz: str = "UTC",
    budget: int = WEEKLY_BUDGET,
) -> int:
    """Insert the wants that fit, the most useful first; returns how many rows are new.

    `budget` and the days and time of people who chose none are the ones a workspace's admins
    set, where they set them. Nothing is planned for a workspace that uninstalled inflow.
    """
    zones = {
        (team_id, user_id): zone(tz, default_tz)
        for team_id, user_id, tz in session.execute(
            select(Person.team_id, Person.user_id, Person.tz).where(Person.deleted.is_(False))
        )
    }
    everyone = preferences.everyone(session)
    team_defaults = preferences.workspace_defaults(session)
    inactive = workspace_service.inactive_teams(session)
    budgets = {
        team_id: budget
        for team_id, budget in session.execute(
            select(WorkspaceRecord.team_id, WorkspaceRecord.nudge_budget).where(
                WorkspaceRecord.nudge_budget.is_not(None)
            )
        ).tuples()
        if budget is not None  # the query's own condition, for the type checker
    }
    days_off = holidays.by_team(session, since=(now - dt.timedelta(days=1)).date())
    penalties = _penalties(session, now)
    calendar = Calendar(
        session, now=now, zones=zones, budget=lambda team_id: budgets.get(team_id, budget)
    )

    def usefulness(want: Want) -> int:
        family = want.subject.split(":")[0]
        return want.priority - min(
            penalties.get((want.team_id, want.user_id, want.kind.value, family), 0), 45
        )

    rows = []
    for want in sorted(wants, key=usefulness, reverse=True):
        who = (want.team_id, want.user_id)
        if who not in zones or want.team_id in inactive:
            continue  # gone, or not fetched yet: a later pass places it
        prefs = everyone.get(who) or team_defaults.get(want.team_id, DEFAULT)
        if want.kind not in prefs.kinds_on:
            continue
        tz = zones[who]
        slot = want.when(prefs, tz, days_off.get(want.team_id, frozenset()), now)
        if slot is None:
            continue
        occurrence = want.occurrence(slot, tz)
        key = (want.team_id, want.user_id, want.kind.value, want.subject[:64], occurrence[:32])
        if key in calendar.keys:
            continue
        priority = usefulness(want)
        if not calendar.book(want.team_id, want.user_id, local_week(slot, tz), priority):
            continue
        calendar.keys.add(key)
        rows.append(
            {
                "team_id": want.team_id,
                "recipient": want.user_id,
                "kind": want.kind.value,
                "subject": key[3],
                "occurrence": key[4],
                "due_at": slot,
                "message": json.dumps(want.message(slot, tz)),
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "priority": priority,
            }
        )
    if calendar.bumped:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(calendar.bumped),
                OutboxMessage.status == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.SKIPPED.value, error="made way for a more useful nudge")
        )
    return _insert(session, rows)


def _insert(session: Session, rows: list[dict]) -> int:
    """Insert in bulk, skipping keys that exist. The calendar already left out every key a want
    could repeat (each routine's earlier occurrences fall inside its lookback), so the count is
    exact where the driver gives no row count; the conflict clause is the safety net."""
    if not rows:
        return 0
    table = OutboxMessage.__table__
    inserted = session.connection().execute(
        insert_for(session, table).on_conflict_do_nothing(), rows
    )
    return inserted.rowcount if inserted.rowcount >= 0 else len(rows)


def plan(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    default_tz: str = "UTC",
    budget: int = WEEKLY_BUDGET,
) -> int:
    """One planning pass at `now`; returns how many occurrences were new."""
    with sessions() as session:
        wants = gather(session, now, preferences.everyone(session))
    clients = as_clients(clients)
    refresh_profiles(sessions, clients, {(w.team_id, w.user_id) for w in wants}, now=now)
    with transaction(sessions) as session:
        if not schema_lock(session.connection(), PLANNER_LOCK, wait=False):
            log.info("another process is planning: this pass leaves it to them")
            return 0
        new = place(session, wants, now=now, default_tz=default_tz, budget=budget)
    return new + plan_debriefs(sessions, clients, now=now, default_tz=default_tz)
