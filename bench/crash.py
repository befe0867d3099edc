"""Kill -9 right after an answer, restart: the messages the request caused arrive exactly once.

`inflow serve` (gunicorn, its scheduler's clock running) against the local Slack emulator, which
answers each Web API call after `--latency` seconds, so the process is killed while the
messages are still on their way. A mistake-moment form is submitted; as soon as Slack has the
answer (or `--after` seconds later, once the process has claimed its messages), the whole
server (master and workers) is killed with SIGKILL. A new server is started
on the same database; the colleague's invitation and the author's note must then arrive once
each. Printed: what had reached Slack at the kill, how long after the restart each message came,
and the counts a minute after that.

    python bench/crash.py [--latency 1.0] [--after 0 0.5]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, SECRET, free_port, migrated_env, wait_until_serving
from bot.emulator import SlackEmulator, SlackSender
from bot.slack.ids import Field, View

AUTHOR, COLLEAGUE = "U0CRASHAU1", "U0CRASHCO1"


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(port)],
        env={**env, "INFLOW_WORKERS": "1"},
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: one kill takes master and workers
    )
    wait_until_serving(port, "/healthz")
    return process


def one_run(
    emulator: SlackEmulator, env: dict[str, str], run: int, latency: float, after: float
) -> str:
    port = free_port()
    server = serve(env, port)
    emulator.latency = latency
    slack = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET)
    reply = slack.submit(
        View.MISTAKE_MOMENT,
        {
            Field.COLLEAGUE: {"type": "users_select", "selected_user": f"{COLLEAGUE}{run}"},
            Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": f"slip in run {run}"},
            Field.WHEN: {"type": "static_select", "selected_option": {"value": "now"}},
        },
        user_id=f"{AUTHOR}{run}",
    )
    time.sleep(after)  # 0: before the process claims its messages; 0.5: while it sends them
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    at_kill = len(_dms_of(emulator, run))
    emulator.latency = 0.0
    restarted = time.monotonic()
    server = serve(env, free_port())
    try:
        deadline = restarted + 240
        while time.monotonic() < deadline and len(_dms_of(emulator, run)) < 2:
            time.sleep(0.5)
        arrived = time.monotonic() - restarted
        time.sleep(40)  # a deliverer pass later: anything sent twice would be here
        count = len(_dms_of(emulator, run))
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    return (
        f"  killed {after:.1f} s after the answer: answer {reply.status}; "
        f"its posts reaching Slack before the kill: {at_kill}; "
        f"both messages {arrived:5.1f} s after the restart; messages then: {count} (want 2)"
    )


def _dms_of(emulator: SlackEmulator, run: int) -> list:
    author, colleague = f"{AUTHOR}{run}", f"{COLLEAGUE}{run}"
    channels = {
        emulator._conversations_open({"users": who})["channel"]["id"] for who in (author, colleague)
    }
    return [c for c in emulator.calls_to("chat.postMessage") if c.args.get("channel") in channels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument(
        "--after", type=float, nargs="+", default=[0.0, 0.5], help="seconds from answer to kill"
    )
    args = parser.parse_args()
    print(f"kill -9 right after the answer, Slack answering each call after {args.latency} s")
    with SlackEmulator() as emulator:
        env = migrated_env(emulator.api_url)
        for run, after in enumerate(args.after, start=1):
            print(one_run(emulator, env, run, args.latency, after), flush=True)


if __name__ == "__main__":
    main()
