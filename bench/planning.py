"""Planning a week of nudges for a workspace of 10,000 people.

    python bench/planning.py [--people 10000] [--database-url URL]

Seeds people in a dozen time zones (profiles already cached, as after the first day), one
manager for every ten people, a week of guide views, mistake moments, ideas, some weekly
reflections, and three weeks of outbox history; then times one planning pass on Monday
morning, and a second pass at the same instant (nothing new to place). Issue 5's target: a
week for 10,000 people in at most 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot import migrate
from bot.db import make_engine, make_sessionmaker, transaction
from bot.emulator import SlackEmulator
from bot.jobs import planner
from bot.models import (
    GuideEvent,
    GuideRecord,
    Idea,
    ManagerReport,
    MistakeMoment,
    NudgePreference,
    OutboxMessage,
    Person,
)
from bot.services import outbox
from bot.slack.client import make_client

NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # Monday, before Europe's mornings
TEAM = "T0BENCH"
ZONES = (
    "Europe/London Europe/Berlin Europe/Helsinki America/New_York America/Chicago "
    "America/Los_Angeles America/Sao_Paulo Asia/Kolkata Asia/Singapore Asia/Tokyo "
    "Australia/Sydney Africa/Lagos"
).split()
GUIDES = [f"guide-{n:02d}" for n in range(50)]


def seed(sessions, people: int) -> None:
    rng = random.Random(5)
    users = [f"U{n:07d}" for n in range(people)]
    at = NOW - dt.timedelta(hours=1)
    with transaction(sessions) as session:
        session.execute(
            insert(GuideRecord),
            [
                {
                    "id": g,
                    "version": "1",
                    "title": f"Guide {g}",
                    "kind": "guide",
                    "category": "c",
                    "owner": "o",
                    "retired": False,
                    "synced_at": at,
                }
                for g in GUIDES
            ],
        )
        session.execute(
            insert(Person),
            [
                {
                    "team_id": TEAM,
                    "user_id": u,
                    "tz": ZONES[n % len(ZONES)],
                    "away": False,
                    "deleted": False,
                    "fetched_at": at,
                }
                for n, u in enumerate(users)
            ],
        )
        session.execute(
            insert(ManagerReport),
            [
                {
                    "team_id": TEAM,
                    "manager_id": users[(n // 10) * 10],
                    "report_id": u,
                    "source": "import",
                    "created_at": at,
                }
                for n, u in enumerate(users)
                if n % 10
            ],
        )
        session.execute(
            insert(GuideEvent),
            [
                {
                    "team_id": TEAM,
                    "guide_id": rng.choice(GUIDES),
                    "user_id": rng.choice(users),
                    "kind": "view",
                    "at": NOW - dt.timedelta(hours=rng.randrange(1, 24 * 9)),
                }
                for _ in range(people // 2)
            ],
        )
        session.execute(
            insert(MistakeMoment),
            [
                {
                    "team_id": TEAM,
                    "author_id": rng.choice(users),
                    "when": "now",
                    "status": "accepted",
                    "created_at": NOW - dt.timedelta(hours=rng.randrange(1, 24 * 10)),
                    "lesson_shared": False,
                }
                for _ in range(people // 20)
            ],
        )
        session.execute(
            insert(Idea),
            [
                {
                    "team_id": TEAM,
                    "author_id": rng.choice(users),
                    "sponsor_id": rng.choice(users),
                    "title": "An idea",
                    "stage": rng.choice(["pitch", "prototype", "pilot"]),
                    "created_at": NOW - dt.timedelta(days=40),
                    "stage_changed_at": NOW - dt.timedelta(days=rng.randrange(1, 40)),
                }
                for _ in range(people // 20)
            ],
        )
        session.execute(
            insert(NudgePreference),
            [
                {
                    "team_id": TEAM,
                    "user_id": u,
                    "days": "mon,tue,wed,thu,fri",
                    "time": "10:00",
                    "kinds_off": "",
                    "updated_at": at,
                }
                for u in users[::10]
            ],
        )
        # three weeks of history: what a steady state holds and the planner reads
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "team_id": TEAM,
                    "user_id": u,
                    "kind": "follow_ups",
                    "subject": f"guide:{GUIDES[week]}",
                    "occurrence": f"2026-W{45 + week}",
                    "due_at": NOW - dt.timedelta(days=7 * (3 - week)),
                    "message": '{"text": "x"}',
                    "status": outbox.OutboxStatus.SENT.value,
                    "attempts": 1,
                    "priority": 30,
                }
                for u in users
                for week in range(3)
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='inflow-bench-')}/plan.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    seed(sessions, args.people)
    with SlackEmulator() as emulator:
        client = make_client("xoxb-bench", emulator.api_url)
        started = time.perf_counter()
        first = planner.plan(sessions, client, now=NOW)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = planner.plan(sessions, client, now=NOW)
        second_seconds = time.perf_counter() - started
        calls = len(emulator.calls)
    engine.dispose()
    verdict = "met" if first_seconds <= 2.0 else "MISSED"
    print(f"{args.people} people on {engine.url.get_backend_name()}:")
    print(f"  first pass  {first_seconds:.2f} s, {first} nudges placed (target <= 2 s: {verdict})")
    print(f"  second pass {second_seconds:.2f} s, {second} new (idempotent)")
    print(f"  Web API calls: {calls} (profiles were cached)")


if __name__ == "__main__":
    main()
