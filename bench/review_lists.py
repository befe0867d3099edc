"""How long the planner's monthly review-list pass takes over many workspaces (issue 16).

Each workspace serves the shipped library plus guides of its own (generated as in
bench/matcher.py), so each pass reads every workspace's served library, with its verifications,
to find the guides past their review date. Nothing is due here (the common case: a pass finds
nothing to send), so the figure is the pass's own reading, without Slack. A new process parses
at most 2,000 saved versions a pass (bot.services.verifications.ReviewLibraries), so its first
passes read the workspaces a part at a time; later ones find every version parsed.

    python bench/review_lists.py [--workspaces 1000] [--guides 20] [--passes 12]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.matcher import generate
from bench.tenant_library import source
from bot.config import load_settings
from bot.db import make_engine, make_sessionmaker, transaction
from bot.jobs import reviews
from bot.jobs.clock import PLAN_EVERY_SECONDS
from bot.library.loader import load_guides
from bot.models import Base
from bot.services import workspace_guides as store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--guides", type=int, default=20, help="each workspace's own guides")
    parser.add_argument("--passes", type=int, default=12)
    args = parser.parse_args()

    shipped = load_guides(load_settings().content_dir)
    own = generate(shipped, args.guides)
    sources = [(g.id, source(g)) for g in own]
    teams = [f"T{n:08d}" for n in range(args.workspaces)]
    now = dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/bench.db")
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as db:
            for team in teams:
                for guide_id, text in sources:
                    store.save_version(
                        db,
                        team_id=team,
                        guide_id=guide_id,
                        source=text,
                        state=store.GuideState.PUBLISHED,
                        by="U0BENCH01",
                        now=now,
                    )

        def unused(team_id: str):
            raise AssertionError(f"nothing is due, yet {team_id} was asked for a client")

        timings = []
        for _ in range(args.passes):
            started = time.perf_counter()
            reviews.plan(sessions, unused, now=now, shipped=shipped, teams=teams)
            timings.append(time.perf_counter() - started)
        engine.dispose()
    print(
        f"{args.workspaces} workspaces x ({len(shipped)} shipped + {args.guides} own guides), "
        f"each pass in s: {', '.join(f'{t:.2f}' for t in timings)} "
        f"(the planner runs every {PLAN_EVERY_SECONDS // 60} minutes)"
    )


if __name__ == "__main__":
    main()
