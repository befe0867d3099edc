"""Bolt middleware: cross-cutting work that runs before every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import signatures
from bot.jobs.after import After
from bot.models import ProcessedEvent

log = logging.getLogger(__name__)


# Events whose work all happens after the ack (handlers/conversations.py): their delivery is
# recorded there, in the same transaction as the work, so the busiest events cost the request
# path no database write at all.
RECORDED_AFTER_THE_ACK = frozenset({"message", "app_mention"})


def handle_each_event_once(
    body: dict, db: Session, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Record each Events API `event_id` once; a delivery of one already recorded is dropped.

    The record is written in the request's unit of work, so it only lasts if the listener
    succeeds: a retry after a failure is handled again, a retry after a success is not. On
    PostgreSQL a concurrent duplicate waits on the unique key and is then dropped.
    """
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return next()
    if (body.get("event") or {}).get("type") in RECORDED_AFTER_THE_ACK:
        return next()
    if not first_delivery(db, body):
        return BoltResponse(status=200, body="")
    return next()


ALREADY_HANDLED = "inflow already handled this request."


def act_once_per_signature(
    req: BoltRequest, body: dict, db: Session, after: After, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Act on each signed request once while its signature is valid; a replay is acknowledged
    and nothing runs (bot.signatures).

    A command's replay is answered with one short line, visible only to whoever sent it, in
    case a proxy resent a request whose first answer it lost; anything else gets an empty 200.
    Events are left to `handle_each_event_once`: a replayed event has the same `event_id`, so
    the busiest requests (messages) still cost no write before the ack. Socket Mode requests
    carry no signature and pass.
    """
    signature = _header(req, "x-slack-signature")
    timestamp = _header(req, "x-slack-request-timestamp")
    if not signature or not timestamp.isdigit() or body.get("type") == "event_callback":
        return next()
    if signatures.accept(db, signature, int(timestamp), after.now):
        return next()
    log.warning(
        "request %s: a replay of a signed request; acknowledged, not acted on",
        req.context.get("request_id", "-"),
    )
    if "command" in body:
        return BoltResponse(
            status=200, body={"response_type": "ephemeral", "text": ALREADY_HANDLED}
        )
    return BoltResponse(status=200, body="")


def _header(req: BoltRequest, name: str) -> str:
    values = req.headers.get(name) or [""]
    return str(values[0])


def first_delivery(db: Session, body: dict) -> bool:
    """Record this delivery's `event_id`; False when it was recorded before (a retry)."""
    if not body.get("event_id"):
        return True
    record = ProcessedEvent(
        team_id=str(body.get("team_id") or ""),
        event_id=str(body["event_id"])[:64],
        event_type=str((body.get("event") or {}).get("type", ""))[:64],
    )
    try:
        with db.begin_nested():
            db.add(record)
    except IntegrityError:
        log.info("event %s already handled; dropped this delivery", record.event_id)
        return False
    return True
