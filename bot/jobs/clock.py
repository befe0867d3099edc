"""APScheduler 3 as the clock: it only runs the planner and the deliverer on a timer.

The database coordinates (see bot/services/outbox.py): any number of processes may run these
jobs at the same moment, so each process has its own in-memory scheduler and no job store.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot import signatures
from bot.db import transaction, utcnow
from bot.installations import forget_expired_states
from bot.jobs import planner, reviews
from bot.jobs.deliverer import DeliveryReport, deliver_due
from bot.jobs.gate import gate as last_check
from bot.models import ProcessedEvent
from bot.services import workspaces as workspace_service
from bot.workspaces import Clients, as_clients

log = logging.getLogger(__name__)

DELIVER_EVERY_SECONDS = 30
PLAN_EVERY_SECONDS = 300
EVENT_MEMORY = dt.timedelta(days=2)  # Slack stops retrying an event within about an hour


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Workspace:
    """The deployment's nudge settings: the zone for people Slack gives none, the budget where
    a workspace's admins chose none, and the guides whose owners get a monthly review list
    (None: no review lists)."""

    default_tz: str = "UTC"
    budget: int = planner.WEEKLY_BUDGET
    content_dir: Path | None = None

    @classmethod
    def of(cls, settings) -> Workspace:
        return cls(settings.default_tz, settings.weekly_nudge_budget, settings.content_dir)


def plan(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    now: dt.datetime,
    workspace: Workspace = Workspace(),
) -> int:
    """Insert what is due into the outbox; returns how many occurrences were new.

    Housekeeping runs here too: processed event ids older than Slack's retry window are
    forgotten, and so are request signatures past their validity and unfinished installs' OAuth
    states; workspaces uninstalled longer ago than the grace period lose their data. So does the
    monthly review list for owners of guides past their review date.
    """
    with transaction(sessions) as session:
        session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < now - EVENT_MEMORY)
        )
        forget_expired_states(session.connection(), now)
        signatures.forget_expired(session, now)
        workspace_service.delete_expired(session, now=now)
    new = planner.plan(
        sessions, clients, now=now, default_tz=workspace.default_tz, budget=workspace.budget
    )
    if workspace.content_dir is not None:
        with sessions() as session:
            teams = workspace_service.active_teams(session)
        new += reviews.plan(
            sessions,
            clients,
            now=now,
            shipped=reviews.guides_in(workspace.content_dir),
            teams=teams,
            default_tz=workspace.default_tz,
        )
    return new


def run_once(
    sessions: sessionmaker[Session],
    clients: WebClient | Clients,
    *,
    now: dt.datetime,
    worker: str | None = None,
    workspace: Workspace = Workspace(),
) -> tuple[int, DeliveryReport]:
    """One plan-and-deliver pass at `now` (what `inflow nudges run-once` does)."""
    clients = as_clients(clients)
    planned = plan(sessions, clients, now, workspace)
    report = deliver_due(
        sessions,
        clients,
        now=now,
        worker=worker or worker_name(),
        gate=last_check(sessions, clients, now, workspace.default_tz),
    )
    return planned, report


def start_clock(
    sessions: sessionmaker[Session],
    clients_for_a_pass: Callable[[], Clients],
    clock: Callable[[], dt.datetime] = utcnow,
    workspace: Workspace = Workspace(),
) -> BackgroundScheduler:
    """Start this process's clock: the planner every 5 minutes, the deliverer every 30 s.

    Each pass asks for its clients afresh, so a workspace uninstalled meanwhile gets none.
    """
    scheduler = BackgroundScheduler(timezone=dt.UTC)

    def planner() -> None:
        try:
            plan(sessions, clients_for_a_pass(), clock(), workspace)
        except Exception:
            log.exception("planner pass failed")

    def deliverer() -> None:
        try:
            now = clock()
            clients = clients_for_a_pass()
            gate = last_check(sessions, clients, now, workspace.default_tz)
            report = deliver_due(sessions, clients, now=now, worker=worker_name(), gate=gate)
            if report.sent or report.failed or report.retry_later:
                log.info("outbox pass: %s", report.as_dict())
        except Exception:
            log.exception("deliverer pass failed")

    # coalesce + max_instances=1: a slow pass is never run twice at once or replayed in a burst;
    # the misfire grace lets a pass delayed by a busy process still run, once.
    common = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 60,
        "replace_existing": True,
    }
    scheduler.add_job(planner, "interval", seconds=PLAN_EVERY_SECONDS, id="planner", **common)
    # The deliverer's first pass runs at start: what a process killed after its answer left
    # (the messages a request caused) goes now, not half a minute later.
    scheduler.add_job(
        deliverer,
        "interval",
        seconds=DELIVER_EVERY_SECONDS,
        id="deliverer",
        next_run_time=dt.datetime.now(dt.UTC),
        **common,
    )
    scheduler.start()
    return scheduler
