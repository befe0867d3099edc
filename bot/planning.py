"""The planner: turns routines into outbox rows at each person's own time, within their budget.

One pass gathers what every routine wants to send (a *want*: who, what, from when, how useful),
refreshes the profiles it needs from Slack (`users.info`, at most daily per person), then places
every want in one transaction: the person's next free slot in their zone, days and hours, the
most useful first, at most `budget` a week each. Rows are inserted in bulk and idempotently, so
planning the same week twice, or in two processes at once, adds nothing.

It reads Slack, so it lives beside the deliverer rather than among the services.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_for, schema_lock, transaction
from bot.errors import InflowError
from bot.models import (
    DebriefSchedule,
    GuideEvent,
    GuideRecord,
    Idea,
    ManagerReport,
    MistakeMoment,
    NudgeFeedback,
    OutboxMessage,
    Person,
    WorkspaceRecord,
)
from bot.profiles import person, refresh_profiles
from bot.services import debriefs, holidays, outbox, preferences
from bot.services import workspaces as workspace_service
from bot.services.ideas import Stage
from bot.services.library import GuideEventKind
from bot.services.mistakes import MomentStatus
from bot.services.outbox import SNOOZED, OutboxStatus
from bot.services.preferences import DAYS, DEFAULT, NudgeKind, Preferences
from bot.services.timing import local_week, next_slot, zone
from bot.slack import debriefs as debrief_blocks
from bot.slack import nudges
from bot.workspaces import UNINSTALLED, Clients, as_clients

log = logging.getLogger(__name__)

WEEKLY_BUDGET = 3
NOT_USEFUL_MEMORY = dt.timedelta(days=90)
NOT_USEFUL_PENALTY = 15
BOOKED_LOOKBACK = dt.timedelta(days=21)  # every want's earlier occurrence was due after this
PLANNER_LOCK = 0x1F10  # PostgreSQL advisory lock: one placing pass at a time across processes

FOLLOW_UP_AFTER_WORKING_DAYS = 3
FOLLOW_UP_WINDOW = dt.timedelta(days=10)  # views older than this are not followed up
LESSON_WINDOW = dt.timedelta(days=14)
IDEA_CHECK_IN_AFTER_WORKING_DAYS = 5
IDEA_CHECK_IN_WINDOW = dt.timedelta(days=21)
IDEA_STUCK_AFTER = dt.timedelta(days=14)
IDEA_STUCK_WINDOW = dt.timedelta(days=21)  # reminded once, within three weeks of sticking
UNFINISHED = (Stage.PITCH.value, Stage.PROTOTYPE.value, Stage.PILOT.value)

DEBRIEF_KIND = "debrief"  # a channel's own routine: sent to the channel, outside any budget
SPOT_WEEKLY = "spot-weekly"
COACHING_QUESTION = "coaching-question"
REFLECTION = "weekly-reflection"

THURSDAY, MONDAY = 3, 0


class Priority(IntEnum):
    """What wins a person's weekly budget: the personal and time-bound before the routine."""

    LESSON = 60
    IDEA_CHECK_IN = 50
    IDEA_STUCK = 45
    GUIDE_FOLLOW_UP = 30
    SPOT_WEEKLY = 25
    COACHING_QUESTION = 20
    REFLECTION = 10


# -- when: each want's rule for its slot ---------------------------------------------------------

Rule = Callable[[Preferences, ZoneInfo, frozenset[dt.date], dt.datetime], dt.datetime | None]


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def _before(moment: dt.datetime) -> dt.datetime:
    return moment - dt.timedelta(microseconds=1)


def soon() -> Rule:
    """The person's next slot."""

    def rule(prefs, tz, days_off, now):
        return next_slot(prefs, tz, after=now, holidays=days_off)

    return rule


def weekly(weekday: int | None) -> Rule:
    """Once a local week, from `weekday` (None: the person's last working day) on; when this
    week's chance has gone, next week's."""

    def rule(prefs, tz, days_off, now):
        day = weekday
        if day is None:
            day = max((DAYS.index(d) for d in prefs.days), default=4)
        local = now.astimezone(tz).date()
        monday = local - dt.timedelta(days=local.weekday())
        for week in (0, 1):
            start = monday + dt.timedelta(weeks=week, days=day)
            slot = next_slot(
                prefs, tz, after=max(now, _before(_midnight(start, tz))), holidays=days_off
            )
            if slot is not None and local_week(slot, tz) == local_week(_midnight(start, tz), tz):
                return slot
        return None

    return rule


def after_working_days(moment: dt.datetime, count: int) -> Rule:
    """`count` of the person's working days after `moment`, at their time."""

    def rule(prefs, tz, days_off, now):
        day = moment.astimezone(tz).date()
        left = count
        for _ in range(count + 60):
            if not left:
                break
            day += dt.timedelta(days=1)
            if (not prefs.days or DAYS[day.weekday()] in prefs.days) and day not in days_off:
                left -= 1
        start = max(now, _before(_midnight(day, tz)))
        return next_slot(prefs, tz, after=start, holidays=days_off)

    return rule


@dataclass(frozen=True)
class Want:
    team_id: str
    user_id: str
    kind: NudgeKind
    subject: str
    when: Rule
    message: Callable[[dt.datetime, ZoneInfo], dict]
    priority: int
    occurrence: Callable[[dt.datetime, ZoneInfo], str] = local_week  # default: the slot's week


def fixed(occurrence: str) -> Callable[[dt.datetime, ZoneInfo], str]:
    return lambda slot, tz: occurrence


# -- what: every routine's wants ---------------------------------------------------------------


def _managers(session: Session) -> dict[tuple[str, str], list[str]]:
    """Each manager's reports, by (team, manager)."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for team_id, manager_id, report_id in session.execute(
        select(ManagerReport.team_id, ManagerReport.manager_id, ManagerReport.report_id).order_by(
            ManagerReport.report_id
        )
    ):
        found[team_id, manager_id].append(report_id)
    return found


def coaching_wants(session: Session, now: dt.datetime) -> Iterator[Want]:
    """For managers: "Who did you see at their best?" from Thursday, and before each week one
    coaching question to try with one report, rotating through guides and reports."""
    titles = _titles(session)
    for (team_id, manager_id), reports in _managers(session).items():
        yield Want(
            team_id,
            manager_id,
            NudgeKind.COACHING,
            SPOT_WEEKLY,
            weekly(THURSDAY),
            lambda slot, tz: nudges.weekly_spotting(),
            Priority.SPOT_WEEKLY,
        )

        def question(slot: dt.datetime, tz: ZoneInfo, reports=reports) -> dict:
            week = slot.astimezone(tz).isocalendar().week
            guide_id, asked = nudges.COACHING_QUESTIONS[week % len(nudges.COACHING_QUESTIONS)]
            report = reports[week % len(reports)]
            return nudges.coaching_question(guide_id, titles.get(guide_id, guide_id), asked, report)

        yield Want(
            team_id,
            manager_id,
            NudgeKind.COACHING,
            COACHING_QUESTION,
            weekly(MONDAY),
            question,
            Priority.COACHING_QUESTION,
        )


def idea_wants(session: Session, now: dt.datetime) -> Iterator[Want]:
    """For an idea's author, a check-in at each stage; for their managers, a reminder when it
    has sat in one stage for two weeks."""
    recent = session.scalars(
        select(Idea).where(
            Idea.stage.in_(UNFINISHED), Idea.stage_changed_at >= now - IDEA_CHECK_IN_WINDOW
        )
    )
    for idea in recent:
        yield Want(
            idea.team_id,
            idea.author_id,
            NudgeKind.IDEAS,
            f"idea:{idea.id}",
            after_working_days(idea.stage_changed_at, IDEA_CHECK_IN_AFTER_WORKING_DAYS),
            lambda slot, tz, idea=idea: nudges.idea_check_in(idea),
            Priority.IDEA_CHECK_IN,
            occurrence=fixed(idea.stage),
        )
    stuck = session.execute(
        select(Idea, ManagerReport.manager_id)
        .join(
            ManagerReport,
            (ManagerReport.team_id == Idea.team_id) & (ManagerReport.report_id == Idea.author_id),
        )
        .where(
            Idea.stage.in_(UNFINISHED),
            Idea.stage_changed_at < now - IDEA_STUCK_AFTER,
            Idea.stage_changed_at >= now - IDEA_STUCK_AFTER - IDEA_STUCK_WINDOW,
        )
    )
    for idea, manager_id in stuck:
        yield Want(
            idea.team_id,
            manager_id,
            NudgeKind.COACHING,
            f"idea-stuck:{idea.id}",
            soon(),
            lambda slot, tz, idea=idea: nudges.idea_stuck(
                idea, _days_between(idea.stage_changed_at, slot, tz)
            ),
            Priority.IDEA_STUCK,
            occurrence=fixed(idea.stage),
        )


def _days_between(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> int:
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days


def lesson_wants(session: Session, now: dt.datetime) -> Iterator[Want]:
    """The working day after a mistake-moment chat, the author is asked for the lesson."""
    moments = session.execute(
        select(
            MistakeMoment.id,
            MistakeMoment.team_id,
            MistakeMoment.author_id,
            MistakeMoment.created_at,
        ).where(
            MistakeMoment.status.in_([MomentStatus.ACCEPTED.value, MomentStatus.ALONE.value]),
            MistakeMoment.lesson.is_(None),
            MistakeMoment.created_at >= now - LESSON_WINDOW,
        )
    )
    for moment_id, team_id, author_id, created_at in moments:
        yield Want(
            team_id,
            author_id,
            NudgeKind.FOLLOW_UPS,
            f"lesson:{moment_id}",
            after_working_days(created_at, 1),
            lambda slot, tz, moment_id=moment_id: nudges.lesson_ask(moment_id),
            Priority.LESSON,
            occurrence=fixed("1"),
        )


def follow_up_wants(session: Session, now: dt.datetime) -> Iterator[Want]:
    """Three working days after someone opened or shared a guide: "Did you get to use it?"

    One per person, guide and (local) week of the view, so reading a guide twice does not ask
    twice.
    """
    titles = _titles(session)
    views = session.execute(
        select(GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id, func.min(GuideEvent.at))
        .where(
            GuideEvent.at >= now - FOLLOW_UP_WINDOW,
            GuideEvent.kind.in_([GuideEventKind.VIEW.value, GuideEventKind.SHARE.value]),
        )
        .group_by(GuideEvent.team_id, GuideEvent.user_id, GuideEvent.guide_id)
    )
    for team_id, user_id, guide_id, first_seen in views:
        if guide_id not in titles:
            continue
        yield Want(
            team_id,
            user_id,
            NudgeKind.FOLLOW_UPS,
            f"guide:{guide_id}",
            after_working_days(first_seen, FOLLOW_UP_AFTER_WORKING_DAYS),
            lambda slot, tz, g=guide_id: nudges.guide_follow_up(g, titles[g]),
            Priority.GUIDE_FOLLOW_UP,
            occurrence=lambda slot, tz, seen=first_seen: local_week(seen, tz),
        )


def reflection_wants(
    session: Session, now: dt.datetime, everyone: dict[tuple[str, str], Preferences]
) -> Iterator[Want]:
    """The weekly reflection, on the last working day, for those who turned it on."""
    for (team_id, user_id), prefs in everyone.items():
        if NudgeKind.REFLECTION in prefs.kinds_on:
            yield Want(
                team_id,
                user_id,
                NudgeKind.REFLECTION,
                REFLECTION,
                weekly(None),
                lambda slot, tz: nudges.weekly_reflection(),
                Priority.REFLECTION,
            )


def _titles(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(GuideRecord.id, GuideRecord.title).where(GuideRecord.retired.is_(False))
        ).all()
    )


def gather(session: Session, now: dt.datetime, everyone) -> list[Want]:
    return [
        *lesson_wants(session, now),
        *idea_wants(session, now),
        *follow_up_wants(session, now),
        *coaching_wants(session, now),
        *reflection_wants(session, now, everyone),
    ]


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
                    OutboxMessage.user_id,
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
                OutboxMessage.user_id,
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
                OutboxMessage.kind.in_([kind.value for kind in NudgeKind]),
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
            weaker = [b for b in booked if b.bumpable and b.priority < priority]
            if not weaker:
                return False
            weakest = min(weaker, key=lambda b: (b.priority, -b.id))
            booked.remove(weakest)
            self.bumped.append(weakest.id)
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
    budgets: dict[str, int] = dict(
        session.execute(
            select(WorkspaceRecord.team_id, WorkspaceRecord.nudge_budget).where(
                WorkspaceRecord.nudge_budget.is_not(None)
            )
        ).all()
    )
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
                "user_id": want.user_id,
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
            occurrence = due.isoformat()
            subject = f"schedule:{schedule.id}"
            if outbox.find(
                session,
                team_id=schedule.team_id,
                user_id=schedule.channel_id,
                kind=DEBRIEF_KIND,
                subject=subject,
                occurrence=occurrence,
            ):
                continue
            days_off = holidays.by_team(session, since=today).get(schedule.team_id, frozenset())
            timing = Preferences(preferences.WORKING_DAYS, prefs.time, None, prefs.kinds_on)
            slot = next_slot(timing, tz, after=_before(_midnight(due, tz)), holidays=days_off)
            if slot is None:
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
                "_on_sent": ["debrief_posted", debrief.id],  # answers go under it
            }
            new += outbox.enqueue(
                session,
                team_id=schedule.team_id,
                user_id=schedule.channel_id,
                kind=DEBRIEF_KIND,
                subject=subject,
                occurrence=occurrence,
                due_at=slot,
                message=message,
            )
    return new


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


# -- at the door: the last checks, and the person's own controls ---------------------------------


def gate(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    now: dt.datetime,
    default_tz="UTC",
):
    """The last check before a nudge goes: paused, away or a holiday means it is dropped, not
    stacked."""
    clients = as_clients(clients)

    def check(team_id: str, user_id: str) -> str | None:
        if outbox.is_channel(user_id):
            return None
        client = clients(team_id)
        if client is None:
            return UNINSTALLED
        with transaction(sessions) as session:
            prefs = preferences.get(session, team_id=team_id, user_id=user_id)
            who = person(session, client, team_id=team_id, user_id=user_id, now=now)
            today = now.astimezone(zone(who.tz, default_tz)).date()
            if who.deleted:
                return "account_inactive"
            if prefs.paused(today):
                return "paused"
            if who.away:
                return "away"
            if holidays.is_holiday(session, team_id=team_id, day=today):
                return "holiday"
        return None

    return check


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
        session, team_id=team_id, user_id=user_id, kind=kind, subject=subject, occurrence=occurrence
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
    slot = next_slot(prefs, tz, after=_before(_midnight(start, tz)), holidays=days_off)
    if slot is None:
        raise InflowError("You have no working days set, so there is no day to snooze to.")
    base = occurrence.split(SNOOZED)[0]
    outbox.enqueue(
        session,
        team_id=team_id,
        user_id=user_id,
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
