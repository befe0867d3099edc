"""From publishing a guide through one replica to its being served by another (issue 16).

Two replicas (two `WorkspaceLibraries`, each with its own engine, background threads and the real
clock) on one PostgreSQL database (a new database on `--server`, dropped after). A workspace has
`--own` guides of its own; each round publishes an edited version of one of them through replica
one (a version saved and committed, as the handlers do), while replica two answers a request
every `--every` ms (the library it serves, and a search in it); the time until replica two's
answer holds the edit is the figure. Meanwhile the searches' latency on replica two is compared
with its latency when nothing is rebuilt: the rebuild runs in the background, beside requests.

Target: <= 5 s on PostgreSQL (the check interval is 2 s, plus the rebuild).

    python bench/replica_publish.py [--own 20,1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy.engine import make_url

from bench.common import percentile
from bench.matcher import generate
from bench.tenant_library import TEAM, publish
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import make_engine, make_sessionmaker, utcnow
from bot.jobs.background import Background
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.tenants import WorkspaceLibraries
from bot.models import Base

QUESTION = "how do I run a retro"


def replica(url: str, shipped: Library) -> tuple[WorkspaceLibraries, object, Background]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    work = Background()
    libraries = WorkspaceLibraries(
        lambda: shipped,
        utcnow,
        sessions=sessions,
        run_later=lambda rebuild: work.submit("workspace library", rebuild),
    )
    return libraries, sessions, work


def serve(libraries: WorkspaceLibraries, sessions, guide_id: str) -> tuple[str, float]:
    """One request: the workspace's library (checked, maybe rebuilt) and a search in it."""
    started = time.perf_counter()
    with sessions() as db:
        library = libraries.library(db, TEAM)
    library.search(QUESTION)
    body = library.by_id[guide_id].body
    return body, (time.perf_counter() - started) * 1000


def run(url: str, own_count: int, rounds: int, every: float) -> None:
    shipped_guides = load_guides(DEFAULT_CONTENT_DIR)
    shipped = Library(shipped_guides)
    own = generate(shipped_guides, own_count, seed=11)
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    publish(sessions, own, now=utcnow())
    one, one_sessions, one_work = replica(url, shipped)
    two, two_sessions, two_work = replica(url, shipped)
    for libraries, replica_sessions in ((one, one_sessions), (two, two_sessions)):
        started = time.perf_counter()
        serve(libraries, replica_sessions, own[0].id)
        first = (time.perf_counter() - started) * 1000
    print(f"workspace with {own_count} own guides: first build {first:.0f} ms")

    quiet: list[float] = []
    for _ in range(100):  # nothing changed: requests alone
        quiet.append(serve(two, two_sessions, own[0].id)[1])
        time.sleep(every / 1000)
    rng = random.Random(3)
    delays, during = [], []
    for round_ in range(rounds):
        time.sleep(rng.uniform(0, 2))  # publish at any point of replica two's check interval
        edited = own[round_].model_copy(
            update={"body": own[round_].body + f"\n\nEdited in round {round_}."}
        )
        publish(one_sessions, [edited], now=utcnow())  # published through replica one
        published = time.perf_counter()
        while True:
            body, elapsed = serve(two, two_sessions, edited.id)
            during.append(elapsed)
            if body.endswith(f"Edited in round {round_}."):
                delays.append(time.perf_counter() - published)
                break
            if time.perf_counter() - published > 60:
                raise RuntimeError("never served")
            time.sleep(every / 1000)
    print(
        f"  published on one -> served by two: median {statistics.median(delays):.2f} s, "
        f"max {max(delays):.2f} s (rounds: {', '.join(f'{d:.2f}' for d in delays)}; "
        f"target <= 5 s)"
    )
    print(
        f"  requests on two: quiet p50 {percentile(quiet, 50):.2f} ms p99 "
        f"{percentile(quiet, 99):.2f} ms; while the edit was noticed and rebuilt p50 "
        f"{percentile(during, 50):.2f} ms p99 {percentile(during, 99):.2f} ms"
    )
    for work in (one_work, two_work):
        work.join()
        work.shutdown()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--own", default="20,1000", help="the workspace's own guides, per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--every", type=float, default=50, help="ms between requests")
    args = parser.parse_args()

    server = make_url(args.server)
    name = f"inflow_bench_replicas_{int(time.time())}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        for own in (int(n) for n in args.own.split(",")):
            run(url, own, args.rounds, args.every)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
