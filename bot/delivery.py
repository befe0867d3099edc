"""The deliverer: claims due outbox rows and sends them through the Web API, exactly once."""

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
from bot.services import debriefs, outbox
from bot.services.outbox import METADATA_TYPE, Claimed
from bot.slack import nudges
from bot.workspaces import UNINSTALLED, Clients, as_clients

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    already_sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    retry_later: int = 0
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
    for message in history.get("messages", []):
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
    if item.to_channel or item.message.get("_no_controls"):
        return message
    return nudges.with_controls(message, item.kind, item.subject, item.occurrence)


def _send(client: WebClient, item: Claimed) -> tuple[str, str, bool]:
    """Send one row; returns (channel, ts, whether it had been sent already)."""
    if item.to_channel:
        channel = item.user_id
    else:
        channel = client.conversations_open(users=item.user_id)["channel"]["id"]
    if item.reclaimed and (ts := _found_in_conversation(client, channel, item.key)):
        return channel, ts, True
    posted = client.chat_postMessage(
        channel=channel,
        metadata={"event_type": METADATA_TYPE, "event_payload": {"key": item.key}},
        **_message(item),
    )
    return posted["channel"], posted["ts"], False


def _after_sent(session: Session, item: Claimed, ts: str) -> None:
    if (debrief_id := item.message.get("_debrief_id")) is not None:
        debriefs.posted(session, team_id=item.team_id, debrief_id=int(debrief_id), ts=ts)


def deliver_due(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    worker: str,
    batch: int = 100,
    gate: Callable[[str, str], str | None] | None = None,
) -> DeliveryReport:
    """Send everything due at `now`, batch by batch, until nothing due is left for this pass.

    `gate(team_id, user_id)` may name a reason to drop a row instead (paused, away). A row for a
    workspace inflow may no longer act in (`clients` gives no client) is dropped too.
    """
    clients = as_clients(clients)
    report = DeliveryReport()
    started = time.perf_counter()
    tried: set[int] = set()
    while True:
        with transaction(sessions) as session:
            claimed = outbox.claim(
                session, now=now, worker=worker, limit=batch, exclude=frozenset(tried)
            )
        if not claimed:
            break
        for item in claimed:
            tried.add(item.id)
            client = clients(item.team_id)
            if client is None:
                reason = UNINSTALLED
            elif gate is not None:
                reason = gate(item.team_id, item.user_id)
            else:
                reason = None
            if reason:
                with transaction(sessions) as session:
                    outbox.record_skipped(session, row_id=item.id, worker=worker, reason=reason)
                report.skipped[reason] = report.skipped.get(reason, 0) + 1
                continue
            api_started = time.perf_counter()
            try:
                channel, ts, already = _send(client, item)
            except SlackApiError as error:
                reason = str(error.response.get("error") or f"http_{error.response.status_code}")
                with transaction(sessions) as session:
                    outbox.record_failure(session, row_id=item.id, worker=worker, error=reason)
                if reason in outbox.PERMANENT_ERRORS:
                    report.failed[reason] = report.failed.get(reason, 0) + 1
                    log.warning("outbox %s failed for good: %s", item.key, reason)
                else:
                    report.retry_later += 1
                continue
            except OSError as error:  # network: the next pass tries again
                with transaction(sessions) as session:
                    outbox.record_failure(
                        session, row_id=item.id, worker=worker, error=f"network: {error}"
                    )
                report.retry_later += 1
                continue
            finally:
                report.api_seconds += time.perf_counter() - api_started
            with transaction(sessions) as session:
                outbox.record_sent(
                    session, row_id=item.id, worker=worker, channel=channel, ts=ts, now=now
                )
                _after_sent(session, item, ts)
            if already:
                report.already_sent += 1
            else:
                report.sent += 1
        if len(claimed) < batch:
            break
    report.seconds = time.perf_counter() - started
    return report
