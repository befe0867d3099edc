"""Ack latency of `/learn help` through the served app, against a bare default Bolt app.

Both run under gunicorn (1 worker, gthread) against the local Slack emulator; each gets 500
signed requests over loopback on one keep-alive connection. Targets (issue 2): inflow p50 <= 3 ms,
p99 <= 15 ms, and inflow's p50 at most 0.3 of the bare app's. Also measured: inflow serving the
same workspace installed through OAuth (issue 7), its token read from the encrypted store.

    python bench/ack_latency.py [--requests 500] [--text help]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    free_port,
    gunicorn,
    gunicorn_cmd,
    learn_body,
    measure,
    migrated_env,
    percentile,
)
from bot.emulator import SlackEmulator


def run(requests: int, text: str) -> dict[str, tuple[float, float]]:
    results = {}
    with SlackEmulator() as emulator:
        env = migrated_env(emulator.api_url)
        port = free_port()
        inflow_cmd = gunicorn_cmd("bot.wsgi:application", port)
        with gunicorn(inflow_cmd, env, port, "/healthz"):
            timings = measure(port, _bodies(text, requests))
            results["inflow"] = (percentile(timings, 50), percentile(timings, 99))
        # The same workspace installed through OAuth: its token read from the encrypted store.
        oauth_env = {**env, **_installed(env["DATABASE_URL"])}
        port = free_port()
        with gunicorn(gunicorn_cmd("bot.wsgi:application", port), oauth_env, port, "/healthz"):
            timings = measure(port, _bodies(text, requests))
            results["inflow, OAuth"] = (percentile(timings, 50), percentile(timings, 99))
        port = free_port()
        with gunicorn(
            gunicorn_cmd("bench.bare_bolt:application", port), env, port, "/slack/events"
        ):
            timings = measure(port, _bodies(text, requests))
            results["bare Bolt (defaults)"] = (percentile(timings, 50), percentile(timings, 99))
    return results


def _bodies(text: str, requests: int, warmup: int = 50) -> list[str]:
    """Fresh requests (each its own trigger_id) for one measurement and its warm-up."""
    return [learn_body(text) for _ in range(warmup + requests)]


def _installed(database_url: str) -> dict[str, str]:
    """Store an installation of the emulator's workspace; the environment that serves it."""
    import datetime as dt

    from slack_sdk.oauth.installation_store.models.installation import Installation

    from bot.db import make_engine, make_sessionmaker
    from bot.installations import EncryptedInstallationStore, KeyRing
    from bot.services import workspaces

    key, client_id = KeyRing.new_key(), "1.2"
    engine = make_engine(database_url)
    store = EncryptedInstallationStore(client_id, engine, KeyRing([key]))
    store.save(
        Installation(
            app_id="A0INFLOW1",
            team_id="T0INFLOW1",
            user_id="U0BENCH",
            bot_token="xoxb-bench-oauth",
            bot_id="B0INFLOW1",
            bot_user_id="U0INFLOWBOT",
        )
    )
    with make_sessionmaker(engine).begin() as session:
        workspaces.installed(session, team_id="T0INFLOW1", now=dt.datetime.now(dt.UTC))
    engine.dispose()
    return {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": client_id,
        "SLACK_CLIENT_SECRET": "bench",
        "INFLOW_ENCRYPTION_KEY": key,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--text", default="help", help="what follows /learn")
    args = parser.parse_args()
    results = run(args.requests, args.text)
    print(f"/learn {args.text!r}: {args.requests} signed requests each, loopback, gunicorn gthread")
    for name, (p50, p99) in results.items():
        print(f"  {name:22s} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    inflow_p50, inflow_p99 = results["inflow"]
    ratio = inflow_p50 / results["bare Bolt (defaults)"][0]
    print(f"  ratio inflow/bare p50 {ratio:.2f}  (target <= 0.30)")
    oauth_p50 = results["inflow, OAuth"][0]
    print(f"  OAuth costs {oauth_p50 - inflow_p50:+.2f} ms at p50 (a store read and a decrypt)")
    verdict = inflow_p50 <= 3 and inflow_p99 <= 15 and ratio <= 0.3
    print(f"  targets p50 <= 3 ms, p99 <= 15 ms, ratio <= 0.3: {'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
