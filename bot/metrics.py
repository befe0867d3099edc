"""Prometheus metrics for whoever runs inflow, exposed at GET /metrics.

Counted as they happen: Slack's requests by kind and outcome, how long each took to answer
(the ack), the Web API's error answers by method, and the waits its rate limits imposed. Read
from the database at scrape time instead: the outbox's depth and how late its oldest due message
is, so every replica reports the same figures (aggregate them with max, not sum).

Each app has its own CollectorRegistry, so tests and several apps in one process never share
counts. Under gunicorn each worker is its own process: a scrape reaches one worker at random, so
per-worker counts would jump back and forth between scrapes. `inflow serve` therefore runs
prometheus_client's multiprocess mode: every worker writes its counts to memory-mapped files in
PROMETHEUS_MULTIPROC_DIR and the worker that answers a scrape adds up all of them. The variable
must be set before prometheus_client is first imported (it picks its storage at import), which is
why this module is imported only when a worker builds its app (bot.server.build_wsgi).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import utcnow
from bot.models import OutboxMessage
from bot.services.outbox import OutboxStatus

log = logging.getLogger(__name__)

KINDS = ("command", "action", "view", "shortcut", "event", "other")
OUTCOMES = ("ok", "error", "rejected")

# The ack takes about a millisecond; Slack gives up after three seconds.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)

# Slack's payload `type` (or the `_kind` the request log shows) -> the metric's kind.
_KIND_OF_TYPE = {
    "block_actions": "action",
    "block_suggestion": "action",
    "interactive_message": "action",
    "view_submission": "view",
    "view_closed": "view",
    "shortcut": "shortcut",
    "message_action": "shortcut",
}


def kind_of(request_kind: str) -> str:
    """`command:/learn` -> command, `event:app_mention` -> event, `view_submission` -> view."""
    prefix = request_kind.split(":", 1)[0]
    if prefix in ("command", "event"):
        return prefix
    return _KIND_OF_TYPE.get(request_kind, "other")


def outcome_of(status: int, *, failed: bool) -> str:
    """rejected: refused before any listener ran (bad signature, too large, malformed, no
    listener), a 4xx; error: a listener or the database failed (the person was told kindly, or
    Slack got a 5xx to retry); ok: everything else."""
    if failed or status >= 500:
        return "error"
    if status >= 400:
        return "rejected"
    return "ok"


class Metrics:
    """One app's metrics: the counters it keeps and what a scrape reads from the database."""

    def __init__(
        self,
        engine: Engine | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        *,
        multiprocess_dir: str | None = None,
    ):
        self.multiprocess_dir = multiprocess_dir
        if multiprocess_dir and not getattr(values.ValueClass, "_multiprocess", False):
            raise RuntimeError(
                "PROMETHEUS_MULTIPROC_DIR is set but prometheus_client was imported before it "
                "was: workers would count only for themselves"
            )
        self.registry = CollectorRegistry()
        self.outbox = OutboxCollector(engine, clock) if engine is not None else None
        self.requests = Counter(
            "inflow_slack_requests",
            "Requests from Slack on /slack/events, by kind and outcome.",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "inflow_slack_ack_seconds",
            "Seconds from receiving a Slack request to having its answer (rejected ones aside).",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.api_errors = Counter(
            "inflow_slack_api_errors",
            "Error answers from the Slack Web API, by method and Slack's error code, including "
            "ones a retry then got past.",
            ["method", "error"],
            registry=self.registry,
        )
        self.rate_limit_waits = Counter(
            "inflow_slack_rate_limit_waits",
            "Times a Web API call waited for Slack's Retry-After before trying again.",
            ["method"],
            registry=self.registry,
        )
        self.rate_limit_wait_seconds = Counter(
            "inflow_slack_rate_limit_wait_seconds",
            "Seconds spent waiting for Slack's Retry-After.",
            ["method"],
            registry=self.registry,
        )
        if self.outbox is not None:
            self.registry.register(self.outbox)
        # Resolved once, so answering a request costs two dictionary look-ups, not label
        # parsing; and every series exists (at 0) from the start, as Prometheus' rate() wants.
        self._requests = {
            (kind, outcome): self.requests.labels(kind, outcome)
            for kind in KINDS
            for outcome in OUTCOMES
        }
        self._acks = {kind: self.ack_seconds.labels(kind) for kind in KINDS}

    # counting --------------------------------------------------------------------------------
    def request_answered(
        self, request_kind: str, status: int, *, failed: bool, seconds: float
    ) -> None:
        """Count one request to /slack/events; `request_kind` is what the request log shows."""
        kind = kind_of(request_kind)
        outcome = outcome_of(status, failed=failed)
        self._requests[kind, outcome].inc()
        if outcome != "rejected":
            self._acks[kind].observe(seconds)

    def slack_api_error(self, method: str, error: str) -> None:
        self.api_errors.labels(method, error).inc()

    def rate_limit_waited(self, method: str, seconds: float) -> None:
        self.rate_limit_waits.labels(method).inc()
        self.rate_limit_wait_seconds.labels(method).inc(seconds)

    # exposing --------------------------------------------------------------------------------
    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The scrape's body and content type (OpenMetrics if the scraper asks for it)."""
        encode, content_type = choose_encoder(accept or "")
        if not self.multiprocess_dir:
            return encode(self.registry), content_type
        # Every worker's files, read afresh; the outbox figures are asked of the database.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        if self.outbox is not None:
            registry.register(self.outbox)
        return encode(registry), content_type


class OutboxCollector:
    """The outbox as the database has it now: read on each scrape with index-only queries."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine
        self.clock = clock

    def describe(self) -> list[Metric]:
        # Names only, so that registering never queries the database.
        return [_database_up(None), *self._families()]

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        try:
            pending, claimed, due, oldest_due = self._read(now)
        except (SQLAlchemyError, OSError) as error:
            log.warning("metrics: could not read the outbox: %s", type(error).__name__)
            yield _database_up(0)
            return
        age = max((now - oldest_due).total_seconds(), 0.0) if oldest_due is not None else 0.0
        yield _database_up(1)
        for family, value in zip(self._families(), (pending, due, claimed, age), strict=True):
            family.add_metric([], value)
            yield family

    def _families(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "inflow_outbox_pending_messages",
            "Scheduled messages not sent yet, whenever they are due (the outbox's depth).",
        )
        yield GaugeMetricFamily(
            "inflow_outbox_due_messages",
            "Scheduled messages due now and not sent yet (the deliverers' backlog).",
        )
        yield GaugeMetricFamily(
            "inflow_outbox_claimed_messages",
            "Messages a deliverer has claimed and not yet recorded as sent or failed.",
        )
        yield GaugeMetricFamily(
            "inflow_outbox_oldest_due_age_seconds",
            "How long the oldest due, unsent message has been due; 0 when none is.",
        )

    def _read(self, now: dt.datetime) -> tuple[int, int, int, dt.datetime | None]:
        status, due_at = OutboxMessage.status, OutboxMessage.due_at
        pending = OutboxStatus.PENDING.value
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # A scrape must never hold a worker thread for long.
                connection.execute(text("SET LOCAL statement_timeout = 2000"))
            # Both use the (status, due_at) index: a range count and its first entry.
            counts = dict(
                connection.execute(
                    select(status, func.count())
                    .where(status.in_([pending, OutboxStatus.CLAIMED.value]))
                    .group_by(status)
                )
                .tuples()
                .all()
            )
            due, oldest = connection.execute(
                select(func.count(), func.min(due_at)).where(status == pending, due_at <= now)
            ).one()
        return counts.get(pending, 0), counts.get(OutboxStatus.CLAIMED.value, 0), due, oldest


def _database_up(value: int | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "inflow_database_up", "Whether the database answered this scrape's outbox query.", value
    )
