"""Several replicas on one PostgreSQL database: any replica may take any request.

Three `inflow serve --http` processes share one schema, as the replicas of compose.yaml do.
Slack's retries of one event land on every replica and the event is still handled once;
a thousand requests spread over them are each answered and each recorded once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot import migrate
from bot.db import make_engine, make_sessionmaker
from bot.emulator import BOT_USER_ID, SlackSender
from bot.models import ContentGap, GuideEvent, ProcessedEvent
from bot.slack.ids import Command
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENCRYPTION_KEY,
    SIGNING_SECRET,
    TEAM_A,
    install,
)
from tests.processes import ServeProcess, sample, serve_env
from tests.slack_spec import problems_with

pytestmark = pytest.mark.slow

REPLICAS = 3
ASKER = "U0MENTION1"
MENTION_TS = "1700000100.000100"
# What people ask, round and round: help (no record), guides (a view each), nothing (a gap).
QUESTIONS = (
    "help",
    "how do I run a retro",
    "giving feedback to a peer",
    "my new hire starts monday",
    "zzqx wobble frobnicate",
)


@pytest.fixture
def postgres_url(empty_database_url) -> str:
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database; SQLite is for one process")
    return empty_database_url


@pytest.fixture
def replicas(postgres_url, emulator):
    """Three replicas started together on a new, empty schema: they migrate it one at a time."""
    with _running(serve_env(emulator, postgres_url), REPLICAS) as servers:
        yield servers


@contextlib.contextmanager
def _running(env: dict[str, str], count: int):
    """`count` replicas with this environment, ready; stopped cleanly, with no traceback."""
    servers = [ServeProcess(env) for _ in range(count)]
    try:
        for server in servers:
            # Three replicas each load the library and migrate in turn: on a busy 2-core
            # machine that takes longer than one server's minute.
            server.wait_for("worker ready", timeout=180)
        yield servers
    finally:
        codes = [server.stop() for server in servers]
        logs = "".join(line for server in servers for line in server.lines)
        assert codes == [0] * count, logs
        assert "Traceback" not in logs


def test_a_retried_event_is_handled_once_and_1000_requests_are_answered_across_replicas(
    replicas, emulator, postgres_url
):
    senders = [SlackSender(f"{r.url}/slack/events", SIGNING_SECRET) for r in replicas]
    mention = {
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> how do I run a retro?",
        "user": ASKER,
        "ts": MENTION_TS,
        "team": "T0INFLOW1",
        "channel": "C0PROJECT",
        "event_ts": MENTION_TS,
    }

    # The storm: the same event_id to every replica at the same moment, then Slack's two
    # retries to every replica again.
    storm: list[int] = []
    for retry in (None, 1, 2):
        start = threading.Barrier(REPLICAS)

        def deliver(sender: SlackSender, retry=retry, start=start) -> int:
            start.wait()
            return sender.event(mention, event_id="Ev0STORM0001", retry_num=retry).status

        with ThreadPoolExecutor(REPLICAS) as pool:
            storm += pool.map(deliver, senders)

    def ask(n: int) -> tuple[int, str | None]:
        question = QUESTIONS[n % len(QUESTIONS)]
        reply = senders[n % REPLICAS].command(Command.LEARN, question, user_id=f"U{n:08d}")
        return reply.status, reply.json().get("response_type") if reply.status == 200 else None

    with ThreadPoolExecutor(9) as pool:
        answers = list(pool.map(ask, range(1000)))

    assert storm == [200] * 9
    assert answers == [(200, "ephemeral")] * 1000

    emulator.wait_for("chat.postMessage", count=1, timeout=10)
    engine = make_engine(postgres_url)
    try:
        with make_sessionmaker(engine)() as session:
            handled = session.scalar(
                select(func.count())
                .select_from(ProcessedEvent)
                .where(ProcessedEvent.event_id == "Ev0STORM0001")
            )
            answered_mention = session.scalar(
                select(func.count()).select_from(GuideEvent).where(GuideEvent.user_id == ASKER)
            )
            views = session.scalar(
                select(func.count()).select_from(GuideEvent).where(GuideEvent.user_id != ASKER)
            )
            gaps = session.scalar(select(func.count()).select_from(ContentGap))
    finally:
        engine.dispose()

    # Once: one record of the event, one answer recorded, one reply in the thread.
    assert handled == 1 and answered_mention == 1
    replies = [c for c in emulator.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert [c.args["thread_ts"] for c in replies] == [MENTION_TS]
    # Every question but "help" left exactly one record: a guide viewed or a gap.
    assert views + gaps == 1000 - 1000 // len(QUESTIONS)
    assert gaps == 1000 // len(QUESTIONS)

    # Each replica took its share, and their counts add up.
    scrapes = [r.metrics() for r in replicas]
    requests = "inflow_slack_requests_total"
    assert [sample(s, requests, kind="command", outcome="ok") for s in scrapes] == [334, 333, 333]
    assert [sample(s, requests, kind="event", outcome="ok") for s in scrapes] == [3, 3, 3]
    assert problems_with(emulator.calls) == []


def _migrate_when_told(url: str, start, results) -> None:
    engine = make_engine(url)
    with engine.connect():  # connected before the start, so all three begin at once
        pass
    start.wait()
    try:
        migrate.upgrade(engine)
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()


def test_three_processes_migrating_one_new_database_at_once_all_succeed(postgres_url):
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(REPLICAS), context.Queue()
    processes = [
        context.Process(target=_migrate_when_told, args=(postgres_url, start, results))
        for _ in range(REPLICAS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes == ["ok"] * REPLICAS
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert set(migrate.current_revisions(connection)) == set(migrate.head_revisions(engine))
    finally:
        engine.dispose()


@pytest.fixture
def oauth_replicas(postgres_url, emulator):
    """Two replicas of an OAuth deployment: workspaces install inflow themselves."""
    env = serve_env(
        emulator,
        postgres_url,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        INFLOW_ENCRYPTION_KEY=ENCRYPTION_KEY,
    )
    with _running(env, 2) as servers:
        yield servers


def test_an_install_and_an_uninstall_hold_whichever_replica_hears_them(oauth_replicas, emulator):
    first, second = oauth_replicas
    # The installer's browser opens the install page on one replica; Slack's redirect back
    # lands on the other, which finds the state the first one stored.
    done = install(SimpleNamespace(url=first.url, emulator=emulator), TEAM_A, back_to=second.url)
    assert done.status == 200, done.body

    senders = [
        SlackSender(f"{r.url}/slack/events", SIGNING_SECRET, team_id=TEAM_A) for r in oauth_replicas
    ]
    for number, sender in enumerate(senders):  # both replicas act with the workspace's token
        opened = {"type": "app_home_opened", "user": ASKER, "tab": "home"}
        sender.event(opened, event_id=f"EvHOME{number}")
    published = emulator.wait_for("views.publish", count=2)
    assert [emulator.team_of(call) for call in published] == [TEAM_A, TEAM_A]

    # Slack tells one replica the app was removed; the other stops at once too.
    assert senders[0].event({"type": "app_uninstalled"}, event_id="EvGONE").status == 200
    emulator.reset_calls()
    refused = senders[1].command("/learn", "retro", response_url=emulator.response_url())
    assert refused.status == 200
    [(_, answer)] = emulator.wait_for_responses(1)
    assert "isn't installed" in answer["text"]
    assert emulator.calls_to("views.publish") == []
    assert problems_with(emulator.calls) == []
