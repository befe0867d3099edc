"""How long a replica takes to serve a workspace's library again after one edit (issue 16).

A workspace with 1,000 guides of its own (generated as in bench/matcher.py) on top of the
shipped library, in a SQLite database: the first build, then one guide edited and the library
served again (signature check, the new row parsed, the whole Library indexed: in the app this
runs in the background while the library before is served; here it runs at once, to time it).
Target: <= 200 ms.

    python bench/tenant_library.py [--guides 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bench.matcher import generate
from bot.config import load_settings
from bot.db import make_engine, make_sessionmaker, transaction
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.schema import Guide
from bot.library.tenants import WorkspaceLibraries
from bot.models import Base
from bot.services import workspace_guides as store

TEAM = "T0BENCH01"


def source(guide: Guide) -> str:
    meta = guide.meta.model_dump(mode="json", exclude_defaults=True)
    return f"---\n{yaml.safe_dump(meta, sort_keys=False, width=1000)}---\n{guide.body}\n"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=1000, help="the workspace's own guides")
    parser.add_argument("--rounds", type=int, default=3, help="edits measured")
    args = parser.parse_args()

    shipped_guides = load_guides(load_settings().content_dir)
    started = time.perf_counter()
    shipped = Library(shipped_guides)
    print(
        f"shipped library ({len(shipped_guides)} guides) indexed once: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    own = generate(shipped_guides, args.guides)
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/bench.db")
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        with transaction(sessions) as db:
            for guide in own:
                store.save_version(
                    db,
                    team_id=TEAM,
                    guide_id=guide.id,
                    source=source(guide),
                    state=store.GuideState.PUBLISHED,
                    by="U0BENCH01",
                    now=now,
                )
        clock = Clock()
        rebuilds: list = []
        libraries = WorkspaceLibraries(
            lambda: shipped, clock, sessions=sessions, run_later=rebuilds.append
        )
        with sessions() as db:
            started = time.perf_counter()
            first = libraries.library(db, TEAM)
            print(
                f"first build, {len(first.guides)} guides: "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
        timings = []
        for round_ in range(args.rounds):
            edited = own[round_].model_copy(
                update={"body": own[round_].body + f"\n\nEdited {round_}."}
            )
            with transaction(sessions) as db:
                store.save_version(
                    db,
                    team_id=TEAM,
                    guide_id=edited.id,
                    source=source(edited),
                    state=store.GuideState.PUBLISHED,
                    by="U0BENCH01",
                    now=now,
                )
            clock.now += dt.timedelta(seconds=2)
            started = time.perf_counter()
            with sessions() as db:
                libraries.library(db, TEAM)  # notices the edit and asks for a rebuild
            rebuilds.pop()()  # the background's work, run here to time it
            timings.append((time.perf_counter() - started) * 1000)
            with sessions() as db:
                library = libraries.library(db, TEAM)
            assert library.by_id[edited.id].body.endswith(f"Edited {round_}.")
        engine.dispose()
    print(
        f"after one edit, served again: median {statistics.median(timings):.0f} ms "
        f"(rounds: {', '.join(f'{t:.0f}' for t in timings)}; target <= 200 ms)"
    )


if __name__ == "__main__":
    main()
