"""Slack's request signatures: checked on the raw body, and each one acted on once.

Slack signs every HTTP request: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's
signing secret, and a signature is good for five minutes either side of its timestamp. The check
runs on the bytes as they arrived, before anything parses them, so nothing a stranger sends
reaches a parser (bot.server).

A good signature proves Slack sent the request, not that Slack sent it only once: anyone who
sees one request (a proxy's log, a leaked capture) could send it again within the window and
have inflow act twice. So every signed request that inflow acts on is remembered until its
window closes, and a second one with the same signature is acknowledged without being acted on:
`accept` inserts the signature in the request's own transaction, where the primary key decides
between two copies arriving at once (on PostgreSQL the second waits for the first to commit).
Slack's own retries of an event (X-Slack-Retry-Num) are recognised by their `event_id`, whatever
their signature (bot.middleware.handle_each_event_once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from typing import cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import AcceptedSignature

log = logging.getLogger(__name__)

VALIDITY = dt.timedelta(minutes=5)  # Slack's own rule: older (or newer) requests are refused
SIGNATURE_LENGTH = 3 + 64  # "v0=" and a hex SHA-256


def signed_by_slack(
    raw: bytes, timestamp: str | None, signature: str | None, secret: str, now: float
) -> bool:
    """Whether `raw` carries a good signature with a numeric timestamp inside the window.

    Anything else (a missing header, a timestamp that is not a number, a body in no encoding)
    is simply not signed: the caller answers 401, never an error.
    """
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if len(timestamp) > 12 or abs(now - int(timestamp)) > VALIDITY.total_seconds():
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def accept(db: Session, signature: str, timestamp: int, now: dt.datetime) -> bool:
    """Remember a signed request's signature until its window closes; False when it was
    accepted before (a replay).

    Written in the caller's transaction: if the request's work fails and rolls back, so does
    the record, and the same request may be tried again. The memory lasts a full window from
    the later of the timestamp and `now`, so a replica whose clock runs ahead forgets nothing
    early.
    """
    signed_at = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    record = AcceptedSignature(
        signature=signature[:SIGNATURE_LENGTH], expires_at=max(signed_at, now) + VALIDITY
    )
    try:
        with db.begin_nested():
            db.add(record)
    except IntegrityError:
        return False
    return True


def forget_expired(db: Session, now: dt.datetime) -> int:
    """Forget signatures whose window has closed (Slack's check refuses them anyway)."""
    result = db.execute(delete(AcceptedSignature).where(AcceptedSignature.expires_at < now))
    return cast(CursorResult, result).rowcount or 0
