"""The monthly review list: each guide's owner hears which of their guides are past `review_by`.

Each workspace's list is read from the library it serves (the shipped guides, its own published,
not those it hid), with its verifications applied (bot.services.verifications): a guide verified
there is not listed until its next review. Each guide comes with *Still accurate*, *Edit* and
*Retire* (bot.handlers.reviews).

Owners are emails in the guides' front matter; `users.lookupByEmail` finds them in Slack. Each
owner gets one outbox row a month per workspace (subject: their email; occurrence: the month it
is delivered in, in their zone), so any number of planner passes and processes send it once. It
arrives at the owner's own time on a working day, outside the weekly nudge budget (it is work,
not a nudge). An email Slack does not know is logged and recorded as a failed row for the month,
so it is looked up once a month, not on every pass.

"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_for, transaction
from bot.jobs.wants import Priority
from bot.library.loader import LibraryError, load_guides
from bot.library.schema import Guide
from bot.models import OutboxMessage, WorkspaceGuide
from bot.services import holidays, outbox, preferences, verifications
from bot.services import workspace_guides as store
from bot.services.outbox import OutboxKind, OutboxStatus
from bot.services.timing import next_slot, zone
from bot.services.verifications import Reviewable, review_date
from bot.slack.reviews import review_list
from bot.workspaces import Clients, as_clients

log = logging.getLogger(__name__)

# Above every nudge: a placed review list is never bumped to make way for one.
PRIORITY = max(Priority) + 10
NO_SLACK_USER = "-"  # the recipient of a month's row for an email Slack does not know
NOT_FOUND = ("users_not_found", "user_not_found", "account_inactive")
# At most about 0.5 s of parsing in a planner pass (0.25 ms a guide with libyaml, 3 ms with
# PyYAML alone, where libyaml is missing): see ReviewLibraries
PARSES_PER_PASS = 2_000


class ReviewLibraries:
    """Each workspace's served guides as review lists need them, for the planner's passes.

    The same rules as `workspace_guides.workspace_library` (the newest published or hidden
    version of each guide the workspace changed wins over the shipped one), without building
    Guides: a pass over 1,000 workspaces would parse 20,000 of them every few minutes
    (bench/review_lists.py). A saved version never changes, so each is parsed once per process;
    only the versions served at the last pass are kept. A process's first passes parse at most
    `parses_per_pass` versions each, so a new process spreads that work over a few passes (a
    workspace not read yet is read in a later one: the lists are monthly) instead of holding
    the CPU for a minute while it serves requests.
    """

    def __init__(self, parses_per_pass: int = PARSES_PER_PASS) -> None:
        self._parsed: dict[int, Reviewable | None] = {}
        self._seen: set[int] = set()
        self._parses_per_pass = parses_per_pass
        self._parses_left = parses_per_pass

    def served(
        self, session: Session, team_id: str, shipped: Iterable[Reviewable]
    ) -> list[Reviewable] | None:
        """The guides the workspace serves, with its verifications applied; None when this
        pass has parsed all it may and the workspace has versions not parsed yet."""
        guides = {g.id: g for g in shipped}
        changes = store.served_states(session, team_id)
        for row_id, _, _ in changes:
            self._seen.add(row_id)
        if not self._parse(session, [i for i, _, state in changes if state is _PUBLISHED]):
            return None
        for row_id, guide_id, state in changes:
            if state is _HIDDEN:
                guides.pop(guide_id, None)
            elif state is _PUBLISHED and (guide := self._parsed[row_id]) is not None:
                guides[guide_id] = guide
        verified = verifications.newest(session, team_id)
        return [
            replace(g, review_by=review_date(g.review_by, g.version, verified.get(g.id)))
            for _, g in sorted(guides.items())
        ]

    def end_pass(self) -> None:
        """Forget the versions no workspace served in this pass (edited, hidden, uninstalled)."""
        self._parsed = {k: v for k, v in self._parsed.items() if k in self._seen}
        self._seen = set()
        self._parses_left = self._parses_per_pass

    def _parse(self, session: Session, row_ids: list[int]) -> bool:
        """Parse the versions not parsed yet, within this pass's budget; whether all are."""
        missing = [i for i in row_ids if i not in self._parsed]
        now, later = missing[: self._parses_left], missing[self._parses_left :]
        if now:
            self._parses_left -= len(now)
            rows = session.scalars(select(WorkspaceGuide).where(WorkspaceGuide.id.in_(now)))
            for row in rows:
                guide = store.guide_of(row)
                if guide is None or guide.meta.draft:
                    self._parsed[row.id] = None  # not served: the shipped guide, if any, stays
                else:
                    self._parsed[row.id] = Reviewable.of(guide)
        return not later


_PUBLISHED = store.GuideState.PUBLISHED
_HIDDEN = store.GuideState.HIDDEN


# Each workspace's served guides, each saved version parsed once per process (the planner's
# passes run one at a time: max_instances=1)
_LIBRARIES = ReviewLibraries()


def guides_in(directory: Path) -> list[Guide]:
    """The served guides in `directory`; none (and an error logged) when the library is broken."""
    try:
        return load_guides(directory)
    except LibraryError as error:
        log.error("review lists skipped: the library in %s has errors:\n%s", directory, error)
        return []


def due_by_owner(guides: Iterable[Reviewable], today: dt.date) -> dict[str, list[Reviewable]]:
    """Guides past their review date, by owner (emails compared without case)."""
    owners: dict[str, list[Reviewable]] = defaultdict(list)
    for guide in guides:
        if guide.review_by < today:
            owners[verifications.owner_key(guide.owner)].append(guide)
    return dict(owners)


def _month(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m}"


def _planned(session: Session, team_id: str, month: str) -> set[str]:
    """Owners (emails) whose list for this month, or a later one, is already in the outbox."""
    return set(
        session.scalars(
            select(OutboxMessage.subject).where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.kind == OutboxKind.REVIEW,
                OutboxMessage.occurrence >= month,
            )
        )
    )


def plan(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    shipped: Iterable[Guide],
    teams: Iterable[str],
    default_tz: str = "UTC",
) -> int:
    """Plan this month's review list for every owner of a guide past its review date in a
    workspace's library (`shipped` changed by the workspace), in that workspace; returns how
    many were new. Nothing is looked up when nothing is due or every list is planned."""
    month = _month(now.astimezone(dt.UTC))
    today = now.astimezone(dt.UTC).date()
    reviewable = [Reviewable.of(g) for g in shipped if not g.meta.draft]
    clients = as_clients(clients)
    new = 0
    for team_id in teams:
        with sessions() as session:
            served = _LIBRARIES.served(session, team_id, reviewable)
            if served is None:
                continue  # its guides are not all read yet: a later pass plans it
            owners = due_by_owner(served, today)
            planned = _planned(session, team_id, month) if owners else set()
        waiting = {email: owned for email, owned in owners.items() if email[:64] not in planned}
        client = clients(team_id) if waiting else None
        if client is None:
            continue
        new += _plan_team(sessions, client, team_id, waiting, month=month, now=now, tz=default_tz)
    _LIBRARIES.end_pass()
    return new


def _plan_team(
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    waiting: dict[str, list[Reviewable]],
    *,
    month: str,
    now: dt.datetime,
    tz: str,
) -> int:
    new = 0
    for email, owned in sorted(waiting.items()):
        try:
            user = _slack_user(client, email)
        except SlackApiError as error:
            reason = error.response.get("error")
            log.warning("review list for %s: users.lookupByEmail failed: %s", email, reason)
            continue  # the next pass tries again
        with transaction(sessions) as session:
            if user is None:
                log.warning(
                    "review list for %s skipped for %s in %s: no Slack user in that workspace "
                    "has that email; fix `owner` in %s",
                    email,
                    month,
                    team_id,
                    ", ".join(sorted(g.id for g in owned)),
                )
                _record_unknown(session, team_id=team_id, email=email, month=month, now=now)
                continue
            new += _enqueue(
                session,
                team_id=team_id,
                user=user,
                email=email,
                guides=owned,
                now=now,
                default_tz=tz,
            )
    return new


def _slack_user(client: WebClient, email: str) -> dict | None:
    """The active Slack user with this email, or None."""
    try:
        user = client.users_lookupByEmail(email=email)["user"]
    except SlackApiError as error:
        if error.response.get("error") in NOT_FOUND:
            return None
        raise
    return None if user.get("deleted") else user


def _enqueue(
    session: Session,
    *,
    team_id: str,
    user: dict,
    email: str,
    guides: list[Reviewable],
    now: dt.datetime,
    default_tz: str,
) -> bool:
    tz = zone(user.get("tz"), default_tz)
    prefs = preferences.get(session, team_id=team_id, user_id=user["id"])
    days_off = holidays.by_team(session, since=now.astimezone(tz).date()).get(team_id, frozenset())
    slot = next_slot(prefs, tz, after=now, holidays=days_off) or now
    return outbox.enqueue(
        session,
        team_id=team_id,
        recipient=user["id"],
        kind=OutboxKind.REVIEW,
        subject=email,
        occurrence=_month(slot.astimezone(tz)),
        due_at=slot,
        message=review_list(guides),
        priority=PRIORITY,
    )


def _record_unknown(
    session: Session, *, team_id: str, email: str, month: str, now: dt.datetime
) -> None:
    statement = insert_for(session, OutboxMessage).values(
        team_id=team_id,
        recipient=NO_SLACK_USER,
        kind=OutboxKind.REVIEW,
        subject=email[:64],
        occurrence=month,
        due_at=now,
        message="{}",
        status=OutboxStatus.FAILED.value,
        attempts=0,
        error="no Slack user has the owner's email",
    )
    session.execute(statement.on_conflict_do_nothing())
