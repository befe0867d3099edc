"""The deliverer: claims due outbox rows and sends them through the Web API, exactly once.

The clock runs it every 30 s for what is due; a request runs it for its own rows right after
its commit (`bot.jobs.after`). The protocol (claim, send, record) is `bot.services.outbox`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.services import debriefs, library, mistakes, outbox, practice, strengths
from bot.services.outbox import METADATA_TYPE, Claimed, OnFailed, OnSent, OutboxKind, Skip
from bot.slack import nudges
from bot.workspaces import Clients, as_clients

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    already_sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    retry_later: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)  # row id -> "sent", or why not
    api_seconds: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "already_sent": self.already_sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "retry_later": self.retry_later,
            "api_seconds": round(self.api_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


def _found_in_conversation(client: WebClient, channel: str, key: str) -> str | None:
    """The ts of a message this outbox row already produced, if a dead worker sent it."""
    history = client.conversations_history(channel=channel, limit=100, include_all_metadata=True)
    messages: list[dict] = history.get("messages", [])
    for message in messages:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_TYPE
            and (metadata.get("event_payload") or {}).get("key") == key
        ):
            return message["ts"]
    return None


def _message(item: Claimed) -> dict:
    """The stored message as Slack gets it: a person's nudge ends with its controls; keys that
    start with `_` are inflow's own notes (`_no_controls`: not a nudge, so no controls)."""
    message = {k: v for k, v in item.message.items() if not k.startswith("_")}
    if item.to_channel or item.kind == OutboxKind.REPLY or item.message.get("_no_controls"):
        return message
    return nudges.with_controls(message, item.kind, item.subject, item.occurrence)


def _send(client: WebClient, item: Claimed) -> tuple[str, str, bool]:
    """Send one row; returns (channel, ts, whether it had been sent already)."""
    if item.to_channel:
        channel = item.recipient
    else:
        channel = client.conversations_open(users=item.recipient)["channel"]["id"]
    if item.reclaimed and (ts := _found_in_conversation(client, channel, item.key)):
        return channel, ts, True
    posted = client.chat_postMessage(
        channel=channel,
        metadata={"event_type": METADATA_TYPE, "event_payload": {"key": item.key}},
        **_message(item),
    )
    return posted["channel"], posted["ts"], False


# What a message a person caused leaves behind: where it was posted, recorded on what caused
# it, or, when Slack refused it for good, the record put back and the person told. A hook's name
# and the id it is given travel in the message as `_on_sent` / `_on_failed` (bot.jobs.after).
# ON_SENT hooks: hook(session, team_id=, ref=, channel=, ts=, now=)
ON_SENT: dict[OnSent, Callable[..., None]] = {
    OnSent.MISTAKE_ASKED: mistakes.colleague_asked,
    OnSent.MISTAKE_CHAT_OPENED: mistakes.chat_opened,
    OnSent.DEBRIEF_POSTED: debriefs.invitation_posted,
    OnSent.DEBRIEF_SUMMARISED: debriefs.summary_posted,
    OnSent.GUIDE_SHARED: library.guide_shared,
    OnSent.PRACTICE_STEP_SENT: practice.step_sent,
    OnSent.PRACTICE_CHECK_IN_SENT: practice.check_in_sent,
}
# ON_FAILED hooks: hook(session, team_id=, ref=, error=, now=) -> id of a message to send now
ON_FAILED: dict[OnFailed, Callable[..., int | None]] = {
    OnFailed.STRENGTH_NOT_POSTED: strengths.not_posted,
    OnFailed.STRENGTH_UNMARK_POSTED: strengths.unmark_posted,
    OnFailed.DEBRIEF_NOT_POSTED: debriefs.invitation_not_posted,
    OnFailed.TELL: outbox.tell,
    OnFailed.RELEASE: outbox.release,
}


def _after_failed(
    sessions: sessionmaker[Session], item: Claimed, error: str, now: dt.datetime
) -> int | None:
    """Run the row's failure hook; returns the id of the message it left to send, if any."""
    if hook := item.message.get("_on_failed"):
        name, ref = hook
        with transaction(sessions) as session:
            return ON_FAILED[name](session, team_id=item.team_id, ref=ref, error=error, now=now)
    return None


def _after_sent(session: Session, item: Claimed, channel: str, ts: str, now: dt.datetime) -> None:
    hook = item.message.get("_on_sent")
    if hook is None and "_debrief_id" in item.message:  # rows planned before `_on_sent`
        hook = [OnSent.DEBRIEF_POSTED, item.message["_debrief_id"]]
    if hook:
        name, ref = hook
        ON_SENT[name](session, team_id=item.team_id, ref=ref, channel=channel, ts=ts, now=now)


def deliver_due(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    worker: str,
    batch: int = 100,
    gate: Callable[[str, str], Skip | None] | None = None,
    only: list[int] | None = None,
) -> DeliveryReport:
    """Send everything due at `now`, batch by batch, until nothing due is left for this pass;
    with `only`, just those rows (a request's messages, right after it committed).

    `gate(team_id, user_id)` may name a reason to drop a nudge instead (paused, away); a message
    a person caused is not a nudge and is not gated. A row for a workspace inflow may no longer
    act in (`clients` gives no client) is dropped.
    """
    clients = as_clients(clients)
    report = DeliveryReport()
    started = time.perf_counter()
    tried: set[int] = set()
    only = list(only) if only is not None else None
    while True:
        follow_ups = False
        with transaction(sessions) as session:
            claimed = outbox.claim(
                session, now=now, worker=worker, limit=batch, exclude=frozenset(tried), only=only
            )
        if not claimed:
            break
        for item in claimed:
            tried.add(item.id)
            client = clients(item.team_id)
            gated = None
            if client is not None and gate is not None and item.kind != OutboxKind.REPLY:
                gated = gate(item.team_id, item.recipient)
            if client is None or gated:
                skip = gated or Skip.UNINSTALLED  # no client: the workspace uninstalled inflow
                with transaction(sessions) as session:
                    outbox.record_skipped(session, row_id=item.id, worker=worker, reason=skip)
                report.skipped[skip] = report.skipped.get(skip, 0) + 1
                report.outcomes[item.id] = f"skipped: {skip}"
                continue
            api_started = time.perf_counter()
            try:
                channel, ts, already = _send(client, item)
            except SlackApiError as error:
                reason = str(error.response.get("error") or f"http_{error.response.status_code}")
                with transaction(sessions) as session:
                    outbox.record_failure(session, row_id=item.id, worker=worker, error=reason)
                report.outcomes[item.id] = reason
                if reason in outbox.PERMANENT_ERRORS:
                    report.failed[reason] = report.failed.get(reason, 0) + 1
                    log.warning("outbox %s failed for good: %s", item.key, reason)
                    follow_up = _after_failed(sessions, item, reason, now)
                    if follow_up is not None and only is not None:
                        only.append(follow_up)  # the person is told now, not at the next pass
                        follow_ups = True
                else:
                    report.retry_later += 1
                continue
            except OSError as error:  # network: the next pass tries again
                with transaction(sessions) as session:
                    outbox.record_failure(
                        session, row_id=item.id, worker=worker, error=f"network: {error}"
                    )
                report.outcomes[item.id] = "network"
                report.retry_later += 1
                continue
            finally:
                report.api_seconds += time.perf_counter() - api_started
            with transaction(sessions) as session:
                outbox.record_sent(
                    session, row_id=item.id, worker=worker, channel=channel, ts=ts, now=now
                )
                _after_sent(session, item, channel, ts, now)
            report.outcomes[item.id] = "sent"
            if already:
                report.already_sent += 1
            else:
                report.sent += 1
        if len(claimed) < batch and not follow_ups:
            break
    report.seconds = time.perf_counter() - started
    return report
