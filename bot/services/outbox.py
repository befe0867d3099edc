"""The outbox: scheduled messages as rows, planned idempotently, delivered exactly once.

Planning inserts rows keyed by (workspace, person, kind, subject, occurrence); inserting the
same occurrence twice does nothing. Delivery happens in three steps, each its own transaction:

1. *claim*: due rows move from pending to claimed under this worker's name (`FOR UPDATE SKIP
   LOCKED` on PostgreSQL, so workers never wait for or take each other's rows; SQLite's
   `BEGIN IMMEDIATE` serialises claimers instead). Rows due longer ago than the grace period
   are skipped, not sent: no flood after an outage.
2. *send*: outside any transaction, one Web API call per row, carrying the row's key in the
   message metadata.
3. *record*: sent (with the message ts), failed for good (with Slack's reason), or back to
   pending to try again on the next pass.

A worker that dies between 1 and 3 leaves its rows claimed. Once the lease expires another
worker reclaims them, first looking for the message in the conversation by its metadata key:
found means it was sent, and it is recorded, not sent again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.models import OutboxMessage, WorkspaceRecord

GRACE = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
REPLY_LEASE = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 5
METADATA_TYPE = "inflow_outbox"

# Slack errors that no retry will fix: record them and move on.
PERMANENT_ERRORS = frozenset(
    """
    user_not_found account_inactive user_disabled cannot_dm_bot channel_not_found not_in_channel
    is_archived msg_too_long no_text invalid_blocks invalid_arguments restricted_action
    not_authed invalid_auth token_revoked
    """.split()
)


class OutboxKind(StrEnum):
    """What an outbox row is. The nudges share their values with `NudgeKind`, the person's
    switches for them; the rest are outside every budget and every switch."""

    COACHING = "coaching"
    FOLLOW_UPS = "follow_ups"
    IDEAS = "ideas"
    REFLECTION = "reflection"
    PRACTICE = "practice"  # a practice path's weekly step and its check-in
    DEBRIEF = "debrief"  # a channel's own routine, posted in the channel
    REVIEW = "review"  # the monthly "guides of yours to review" DM to a guide's owner
    REPLY = "reply"  # a message a person caused, sent right after their request commits


# The kinds a person's budget and switches apply to (`NudgeKind`'s values; a test holds them equal)
NUDGE_KINDS = frozenset(
    {
        OutboxKind.COACHING,
        OutboxKind.FOLLOW_UPS,
        OutboxKind.IDEAS,
        OutboxKind.REFLECTION,
        OutboxKind.PRACTICE,
    }
)


class Skip(StrEnum):
    """Why a due row was dropped at the last moment rather than sent."""

    UNINSTALLED = "uninstalled"  # no client for the workspace any more
    ACCOUNT_INACTIVE = "account_inactive"  # Slack says the person is gone
    PAUSED = "paused"  # the person paused their nudges
    AWAY = "away"  # Slack shows them away
    HOLIDAY = "holiday"  # a holiday in the workspace


class OnSent(StrEnum):
    """Where a message a person caused is recorded once Slack has it (`bot.jobs.deliverer`)."""

    MISTAKE_ASKED = "mistake_asked"
    MISTAKE_CHAT_OPENED = "mistake_chat_opened"
    DEBRIEF_POSTED = "debrief_posted"
    DEBRIEF_SUMMARISED = "debrief_summarised"
    GUIDE_SHARED = "guide_shared"
    PRACTICE_STEP_SENT = "practice_step_sent"
    PRACTICE_CHECK_IN_SENT = "practice_check_in_sent"


class OnFailed(StrEnum):
    """What is put back, or who is told, when Slack refuses a message for good."""

    STRENGTH_NOT_POSTED = "strength_not_posted"
    STRENGTH_UNMARK_POSTED = "strength_unmark_posted"
    DEBRIEF_NOT_POSTED = "debrief_not_posted"
    TELL = "tell"
    RELEASE = "release"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # due longer ago than the grace period: the next occurrence will come


SNOOZED = "~"  # an occurrence brought back later by its recipient: "2026-W48~2026-11-24"


@dataclass(frozen=True)
class Claimed:
    id: int
    team_id: str
    recipient: str  # a person, or a channel for a channel's own routine (a debrief)
    kind: str
    subject: str
    occurrence: str
    message: dict
    reclaimed: bool  # tried before (a lost reply, a dead claimer): look before sending again

    @property
    def key(self) -> str:
        return f"{self.team_id}/{self.recipient}/{self.kind}/{self.subject}/{self.occurrence}"

    @property
    def to_channel(self) -> bool:
        return is_channel(self.recipient)


def is_channel(recipient: str) -> bool:
    return recipient.startswith(("C", "G"))


def enqueue(session: Session, **row) -> bool:
    """Plan one occurrence (the arguments of `insert`); returns False when it was already
    planned."""
    return insert(session, **row) is not None


def insert(
    session: Session,
    *,
    team_id: str,
    recipient: str,
    kind: str,
    subject: str,
    occurrence: str,
    due_at: dt.datetime,
    message: dict,
    priority: int = 0,
) -> int | None:
    """Add one row; returns its id, or None when that key is already there."""
    statement = insert_for(session, OutboxMessage).values(
        team_id=team_id,
        recipient=recipient,
        kind=kind,
        subject=subject[:64],
        occurrence=occurrence[:32],
        due_at=due_at,
        message=json.dumps(message),
        status=OutboxStatus.PENDING.value,
        attempts=0,
        priority=priority,
    )
    inserted = session.execute(statement.on_conflict_do_nothing().returning(OutboxMessage.id))
    return inserted.scalar()


def claim(
    session: Session,
    *,
    now: dt.datetime,
    worker: str,
    limit: int = 100,
    grace: dt.timedelta = GRACE,
    exclude: frozenset[int] = frozenset(),
    only: Collection[int] | None = None,
) -> list[Claimed]:
    """Skip what is too old, then claim up to `limit` due rows (and rows whose lease expired);
    with `only`, just those of these rows (a request's messages, right after its commit)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.due_at < now - grace
        )
        .values(status=OutboxStatus.SKIPPED.value, error="past the grace period")
    )
    is_claimed = OutboxMessage.status == OutboxStatus.CLAIMED.value
    reply = OutboxMessage.kind == OutboxKind.REPLY.value
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.due_at <= now),
        and_(is_claimed, ~reply, OutboxMessage.claimed_at < now - LEASE),
        # A request's own messages are claimed a few at a time and sent at once: a claimer
        # gone for a minute died (after the answer, before sending), and someone waits.
        and_(is_claimed, reply, OutboxMessage.claimed_at < now - REPLY_LEASE),
    )
    # Nothing goes to a workspace that uninstalled inflow, whichever process heard it.
    inactive = select(WorkspaceRecord.team_id).where(WorkspaceRecord.status != "active")
    due = and_(due, OutboxMessage.team_id.not_in(inactive))
    if exclude:
        due = and_(due, OutboxMessage.id.not_in(exclude))
    if only is not None:
        due = and_(due, OutboxMessage.id.in_(list(only)))
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(due)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for row in rows:
        # A claimer that died, or an earlier try whose reply was lost (a 5xx, a timeout): the
        # message may be in the conversation already.
        reclaimed = row.status == OutboxStatus.CLAIMED.value or row.attempts > 0
        row.status = OutboxStatus.CLAIMED.value
        row.claimed_by = worker
        row.claimed_at = now
        row.attempts += 1
        claimed.append(
            Claimed(
                row.id,
                row.team_id,
                row.recipient,
                row.kind,
                row.subject,
                row.occurrence,
                json.loads(row.message),
                reclaimed,
            )
        )
    session.flush()
    return claimed


def _mine(session: Session, row_id: int, worker: str) -> OutboxMessage | None:
    row = session.get(OutboxMessage, row_id, with_for_update=True)
    if row is None or row.status != OutboxStatus.CLAIMED.value or row.claimed_by != worker:
        return None  # the lease expired and someone else has it now
    return row


def record_sent(
    session: Session, *, row_id: int, worker: str, channel: str, ts: str, now: dt.datetime
) -> None:
    row = _mine(session, row_id, worker)
    if row is not None:
        row.status, row.channel_id, row.message_ts, row.sent_at, row.error = (
            OutboxStatus.SENT.value,
            channel,
            ts,
            now,
            None,
        )
        session.flush()


def record_skipped(session: Session, *, row_id: int, worker: str, reason: str) -> None:
    """Dropped at the last moment (paused, away): not sent and not stacked for later."""
    row = _mine(session, row_id, worker)
    if row is not None:
        row.status, row.error, row.claimed_by = OutboxStatus.SKIPPED.value, reason[:200], None
        session.flush()


def record_failure(session: Session, *, row_id: int, worker: str, error: str) -> None:
    """A permanent error fails the row for good; anything else waits for the next pass."""
    row = _mine(session, row_id, worker)
    if row is None:
        return
    permanent = error in PERMANENT_ERRORS or row.attempts >= MAX_ATTEMPTS
    row.status = (OutboxStatus.FAILED if permanent else OutboxStatus.PENDING).value
    row.error = error[:200]
    row.claimed_by = None
    session.flush()


def unplan(session: Session, *, team_id: str, user_id: str, now: dt.datetime) -> None:
    """Forget a person's planned nudges (not the ones they snoozed) so the planner places them
    again: their days or time changed."""
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == user_id,
            OutboxMessage.kind != OutboxKind.REPLY.value,
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.due_at > now,
            OutboxMessage.occurrence.not_like(f"%{SNOOZED}%"),
        )
    )


def unplan_in_workspace(
    session: Session, *, team_id: str, now: dt.datetime, kinds: list[str], keep: Select
) -> None:
    """Forget the planned nudges of these kinds (not snoozed ones) of everyone in a workspace
    but the people `keep` selects (user ids), so the planner places them again: the
    workspace's default days or time changed."""
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.recipient.not_in(keep),
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.due_at > now,
            OutboxMessage.occurrence.not_like(f"%{SNOOZED}%"),
        )
    )


def drop_pending(
    session: Session,
    *,
    team_id: str,
    reason: str,
    recipient: str | None = None,
    kinds: list[str] | None = None,
) -> None:
    """Drop what is still to come for a person (of some kinds): they turned it off. Without a
    person, for the whole workspace: it uninstalled inflow."""
    condition = and_(
        OutboxMessage.team_id == team_id,
        OutboxMessage.status == OutboxStatus.PENDING.value,
    )
    if recipient is not None:
        condition = and_(condition, OutboxMessage.recipient == recipient)
    if kinds is not None:
        condition = and_(condition, OutboxMessage.kind.in_(kinds))
    session.execute(
        update(OutboxMessage)
        .where(condition)
        .values(status=OutboxStatus.SKIPPED.value, error=reason[:200])
    )


def find(
    session: Session, *, team_id: str, recipient: str, kind: str, subject: str, occurrence: str
) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == recipient,
            OutboxMessage.kind == kind,
            OutboxMessage.subject == subject,
            OutboxMessage.occurrence == occurrence,
        )
    )


def counts(session: Session) -> dict[str, int]:
    return dict(
        session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        .tuples()
        .all()
    )


def tell(session: Session, *, team_id: str, ref: dict, error: str, now: dt.datetime) -> int | None:
    """A message Slack refused for good (to a bot, a deactivated account): tell whoever caused
    it, in words `ref["text"]` gives; returns the row to send now."""
    return insert(
        session,
        team_id=team_id,
        recipient=ref["to"],
        kind=OutboxKind.REPLY,
        subject=str(ref.get("about", "refused"))[:64],
        occurrence=f"refused {now:%H%M%S%f}",
        due_at=now,
        message={"text": ref["text"]},
    )


def release(session: Session, *, team_id: str, ref: dict, error: str, now: dt.datetime) -> None:
    """A message Slack refused for good frees its key, so the person may try again once the
    cause is fixed (inflow invited to the channel): `ref` holds its recipient, about and part."""
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == ref["to"],
            OutboxMessage.kind == OutboxKind.REPLY.value,
            OutboxMessage.subject == ref["about"][:64],
            OutboxMessage.occurrence == ref["part"][:32],
            OutboxMessage.status == OutboxStatus.FAILED.value,
        )
    )
