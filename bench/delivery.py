"""Delivering nudges from the outbox against the local Slack emulator.

    python bench/delivery.py [--nudges 10000] [--database-url URL]

Prints messages per second and the share of the pass spent waiting on the Web API (each
message is two calls: conversations.open and chat.postMessage). Issue 5 expects delivery to be
limited by the API and its rate limits, not by inflow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import migrate
from bot.db import make_engine, make_sessionmaker, transaction
from bot.emulator import SlackEmulator
from bot.jobs.deliverer import deliver_due
from bot.services import outbox
from bot.slack.client import make_client

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nudges", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='inflow-bench-')}/outbox.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    with transaction(sessions) as session:
        for n in range(args.nudges):
            outbox.enqueue(
                session,
                team_id="T0BENCH",
                recipient=f"U{n:06d}",
                kind="follow_up",
                subject="guide",
                occurrence="1",
                due_at=NOW,
                message={"text": "Did you get to use it?"},
            )
    planned = time.perf_counter() - started
    with SlackEmulator() as emulator:
        report = deliver_due(
            sessions, make_client("xoxb-bench", emulator.api_url), now=NOW, worker="bench"
        )
    engine.dispose()
    rate = report.sent / report.seconds if report.seconds else 0.0
    print(f"{args.nudges} nudges on {engine.url.get_backend_name()}: enqueued in {planned:.2f} s")
    print(
        f"  delivered {report.sent} in {report.seconds:.2f} s = {rate:.0f} messages/s; "
        f"{report.api_seconds / report.seconds:.0%} of the time waiting on the Web API (emulator)"
    )


if __name__ == "__main__":
    main()
