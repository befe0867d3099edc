"""Many workspaces in one process: memory, and `/learn` latency over HTTP across them (issue 16).

1,000 workspaces (`--workspaces`), each installed through OAuth and with 20 guides of its own
(`--own`, generated as in bench/matcher.py, each workspace its own), served by one gunicorn
worker (gthread, 4 threads) on one SQLite database. At start the app builds every workspace's
library in the background (bot.library.tenants); one signed `/learn` to each workspace then
makes sure all are built; then `--requests` signed `/learn`s, each to a random workspace with a
question from the evaluation sets or one of that workspace's own guides' titles, are timed.
The worker's RSS is read after them.

Before (for comparison, in this process): the memory a workspace's library costs when its
guides are indexed at once (the design before overlays) and as an overlay, over `--sample`
workspaces.

Targets: <= 500 MB RSS with the shipped library indexed once; `/learn` p99 <= 15 ms.

    python bench/many_tenants.py [--workspaces 1000] [--own 20] [--requests 3000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import http.client
import json
import random
import subprocess
import sys
import time
import tracemalloc
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_sdk.oauth.installation_store.models.installation import Installation

from bench.common import (
    free_port,
    gunicorn,
    gunicorn_cmd,
    migrated_env,
    percentile,
    signed_post,
)
from bench.matcher import generate
from bench.tenant_library import source
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import make_engine, make_sessionmaker
from bot.emulator import SlackEmulator
from bot.installations import EncryptedInstallationStore, KeyRing
from bot.library import learned, matcher, text
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.overlay import overlaid, related_served
from bot.library.schema import Guide
from bot.models import WorkspaceGuide
from bot.services import workspace_guides as store
from bot.services import workspaces

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def team(i: int) -> str:
    return f"T0W{i:06d}"


def own_guides(shipped: list[Guide], i: int, count: int) -> list[Guide]:
    """Workspace i's own guides: generated with its own seed, ids of its own."""
    guides = generate(shipped, count, seed=1000 + i)
    return [
        g.model_copy(update={"meta": g.meta.model_copy(update={"id": f"w{i}-{g.id[-5:]}"})})
        for g in guides
    ]


def prepare(database_url: str, count: int, own: int) -> tuple[dict[str, str], dict[str, list]]:
    """Install `count` workspaces with `own` guides each; the environment that serves them and
    each workspace's own guides' titles."""
    shipped = load_guides(DEFAULT_CONTENT_DIR)
    key, client_id = KeyRing.new_key(), "1.2"
    engine = make_engine(database_url)
    installations = EncryptedInstallationStore(client_id, engine, KeyRing([key]))
    sessions = make_sessionmaker(engine)
    now = dt.datetime.now(dt.UTC)
    titles: dict[str, list[str]] = {}
    for i in range(count):
        installations.save(
            Installation(
                app_id="A0INFLOW1",
                team_id=team(i),
                user_id="U0BENCH",
                bot_token=f"xoxb-bench-{i}",
                bot_id="B0INFLOW1",
                bot_user_id="U0INFLOWBOT",
            )
        )
    with sessions.begin() as session:
        for i in range(count):
            workspaces.installed(session, team_id=team(i), now=now)
            guides = own_guides(shipped, i, own)
            titles[team(i)] = [g.title for g in guides]
            session.add_all(
                WorkspaceGuide(
                    team_id=team(i),
                    guide_id=g.id,
                    version=1,
                    source=source(g),
                    state=store.GuideState.PUBLISHED.value,
                    created_by="U0BENCH",
                    created_at=now,
                )
                for g in guides
            )
            for guide in guides:  # views and votes refer to known guide ids
                store._known(session, guide, now)
    engine.dispose()
    env = {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": client_id,
        "SLACK_CLIENT_SECRET": "bench",
        "INFLOW_ENCRYPTION_KEY": key,
    }
    return env, titles


def learn(team_id: str, text: str, n: int) -> str:
    return urllib.parse.urlencode(
        {
            "team_id": team_id,
            "channel_id": "C0BENCH",
            "user_id": f"U0B{n % 50000:05d}",
            "command": "/learn",
            "text": text,
            "api_app_id": "A0INFLOW1",
            "response_url": "http://127.0.0.1:9/response",
            "trigger_id": f"{n}.2.3",
        }
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_of(master: int) -> int:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[0])


def served(args, env: dict[str, str], titles: dict[str, list[str]]) -> None:
    questions = [
        json.loads(line)["q"]
        for name in ("learn_queries_v3_blind.jsonl", "learn_queries_v3_tune.jsonl")
        for line in (DATA / name).read_text().splitlines()
        if line
    ]
    rng = random.Random(5)
    teams = list(titles)
    port = free_port()
    command = gunicorn_cmd("bot.wsgi:application", port)
    with gunicorn(command, env, port, "/healthz") as process:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        firsts = []
        n = 0
        for team_id in teams:  # each workspace once: built at start, or waited for
            n += 1
            elapsed, status = signed_post(
                conn, learn(team_id, titles[team_id][0], n), "application/x-www-form-urlencoded"
            )
            assert status == 200, status
            firsts.append(elapsed)
        print(
            f"every workspace asked once, {time.perf_counter() - started:.1f} s after serving "
            f"began: p50 {percentile(firsts, 50):.1f} ms, p99 {percentile(firsts, 99):.1f} ms, "
            f"max {max(firsts):.0f} ms"
        )
        timings = []
        own_found = own_asked = 0
        for _ in range(args.requests):
            n += 1
            team_id = rng.choice(teams)
            mine = rng.random() < 0.3
            text = rng.choice(titles[team_id]) if mine else rng.choice(questions)
            body = learn(team_id, text, n)
            started = time.perf_counter()
            conn.request(
                "POST",
                "/slack/events",
                body=body.encode(),
                headers=_signed_headers(body),
            )
            response = conn.getresponse()
            answer = response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if mine:
                own_asked += 1
                blocks = json.loads(answer or b"{}").get("blocks") or [{}]
                found = text in json.dumps(blocks[0], ensure_ascii=False)
                own_found += found
                if not found and args.verbose:
                    print("  not answered with its title:", team_id, text, str(blocks)[:300])
        conn.close()
        worker = worker_of(process.pid)
        print(
            f"/learn across {len(teams)} workspaces, {len(timings)} requests: "
            f"p50 {percentile(timings, 50):.2f} ms, p99 {percentile(timings, 99):.2f} ms "
            f"(target <= 15 ms); own guides' titles answered with them: "
            f"{own_found}/{own_asked}"
        )
        print(f"worker RSS: {rss_mb(worker):.0f} MB (target <= 500 MB)")


def _signed_headers(body: str) -> dict[str, str]:
    from bench.common import SECRET
    from bot.emulator import sign

    ts = int(time.time())
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, SECRET, ts),
    }


def per_workspace_memory(sample: int, own: int) -> None:
    """Memory each workspace's library holds (Python's allocations, tracemalloc, what the
    phrase caches hold aside), its guides aside, and the time to build it: indexed at once
    (before) and as an overlay (now)."""
    shipped_guides = load_guides(DEFAULT_CONTENT_DIR)
    shipped = Library(shipped_guides)
    base = {g.id: g for g in shipped_guides}
    served = [base | {g.id: g for g in own_guides(shipped_guides, i, own)} for i in range(sample)]

    def at_once(guides: dict[str, Guide]) -> Library:
        return Library([related_served(g, guides) for g in guides.values()])

    def overlay(guides: dict[str, Guide]) -> Library:
        return overlaid(shipped, guides)

    for name, build in (("indexed at once (before)", at_once), ("overlay (now)", overlay)):
        started = time.perf_counter()
        for guides in served:
            build(guides)
        elapsed = (time.perf_counter() - started) / sample * 1000
        gc.collect()
        tracemalloc.start()
        held = [build(guides) for guides in served]
        for cache in (matcher._analysed, learned._phrase_features, text.clean, text.stem):
            cache.cache_clear()
        gc.collect()
        each = tracemalloc.get_traced_memory()[0] / sample / 1024
        tracemalloc.stop()
        print(f"  {name:26s} {each:6.0f} KB per workspace, built in {elapsed:6.1f} ms")
        del held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--own", type=int, default=20, help="each workspace's own guides")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--sample", type=int, default=100, help="workspaces for the comparison")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--verbose", action="store_true", help="print what was not answered")
    args = parser.parse_args()

    print(f"memory per workspace (shipped + {args.own} own guides), {args.sample} workspaces:")
    per_workspace_memory(args.sample, args.own)
    with SlackEmulator() as emulator:
        env = migrated_env(emulator.api_url, args.database_url)
        started = time.perf_counter()
        oauth, titles = prepare(env["DATABASE_URL"], args.workspaces, args.own)
        print(
            f"{args.workspaces} workspaces installed, {args.own} guides each: "
            f"{time.perf_counter() - started:.0f} s"
        )
        served(args, {**env, **oauth}, titles)


if __name__ == "__main__":
    main()
