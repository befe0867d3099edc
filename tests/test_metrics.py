"""GET /metrics: what an operator sees of requests, acks, the outbox and the Slack Web API."""

from __future__ import annotations

import datetime as dt
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.db import make_engine, make_sessionmaker, transaction
from bot.emulator import BOT_USER_ID, SlackSender
from bot.metrics import KINDS, OUTCOMES, Metrics, kind_of
from bot.server import MAX_BODY_BYTES
from bot.services import library as library_service
from bot.services import outbox
from bot.slack.client import make_client
from bot.slack.guides import state
from bot.slack.ids import Action, Command
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.processes import ServeProcess, sample, scrape, serve_env

REQUESTS = "inflow_slack_requests_total"


def _requests(samples, kind: str, outcome: str) -> float:
    return sample(samples, REQUESTS, kind=kind, outcome=outcome)


def _mention(text: str = "how do I run a retro?", ts: str = "1700000001.000100") -> dict:
    return {
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> {text}",
        "user": "U0POSTER1",
        "ts": ts,
        "team": "T0INFLOW1",
        "channel": "C0PROJECT",
        "event_ts": ts,
    }


def test_metrics_are_prometheus_text_with_every_request_series_from_the_start(served):
    with urllib.request.urlopen(f"{served.url}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
    samples = scrape(served.url)
    for kind in KINDS:
        for outcome in OUTCOMES:
            assert _requests(samples, kind, outcome) == 0
        assert sample(samples, "inflow_slack_ack_seconds_count", kind=kind) == 0


def test_a_scraper_that_asks_for_openmetrics_gets_it(served):
    request = urllib.request.Request(
        f"{served.url}/metrics", headers={"Accept": "application/openmetrics-text"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("application/openmetrics-text")
        assert response.read().rstrip().endswith(b"# EOF")


def test_requests_are_counted_by_kind_and_outcome(served):
    assert served.slack.command(Command.LEARN, "help").status == 200
    assert served.slack.command(Command.LEARN, "how do I run a retro").status == 200
    assert served.slack.event(_mention()).status == 200
    served.settle()
    helpful = served.slack.click(
        Action.HELPFUL,
        state("sbi-feedback", ["feedforward"]),
        response_url=served.emulator.response_url("helpful"),
    )
    assert helpful.status == 200
    unsigned = served.slack.post("command=%2Flearn&text=help", "text/plain", signed=False)
    assert unsigned.status == 401
    huge = served.slack.post("text=" + "a" * (MAX_BODY_BYTES + 1), "text/plain")
    assert huge.status == 413

    samples = scrape(served.url)
    assert _requests(samples, "command", "ok") == 2
    assert _requests(samples, "event", "ok") == 1
    assert _requests(samples, "action", "ok") == 1
    # Neither was parsed: the unsigned one has no signature, the other is too large to read.
    assert _requests(samples, "command", "rejected") == 0
    assert _requests(samples, "other", "rejected") == 2


def test_health_and_scrapes_are_not_counted_as_slack_requests(served):
    urllib.request.urlopen(f"{served.url}/healthz", timeout=5).read()
    scrape(served.url)
    samples = scrape(served.url)
    assert sum(v for (name, _), v in samples.items() if name == REQUESTS) == 0


def test_a_listener_that_fails_counts_as_an_error_though_the_person_got_an_answer(
    served, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the ratings are not there")

    monkeypatch.setattr(library_service, "ratings_by_guide", broken)
    reply = served.slack.command(Command.LEARN, "how do I run a retro")
    assert reply.status == 200 and "went wrong" in reply.text

    samples = scrape(served.url)
    assert _requests(samples, "command", "error") == 1
    assert _requests(samples, "command", "ok") == 0


def test_a_request_whose_commit_fails_counts_as_an_error(served, monkeypatch):
    def unreachable(self):
        raise OperationalError("COMMIT", {}, ConnectionError("the database went away"))

    monkeypatch.setattr(Session, "commit", unreachable)
    assert served.slack.command(Command.LEARN, "help").status == 200
    monkeypatch.undo()

    assert _requests(scrape(served.url), "command", "error") == 1


def test_each_answered_request_is_timed_and_rejected_ones_are_not(served):
    for _ in range(3):
        served.slack.command(Command.LEARN, "help")
    served.slack.post("command=%2Flearn&text=help", "text/plain", signed=False)

    samples = scrape(served.url)
    assert sample(samples, "inflow_slack_ack_seconds_count", kind="command") == 3
    assert 0 < sample(samples, "inflow_slack_ack_seconds_sum", kind="command") < 3
    assert sample(samples, "inflow_slack_ack_seconds_bucket", kind="command", le="3.0") == 3


def _plan(served, user: str, due: dt.datetime) -> None:
    with transaction(make_sessionmaker(served.engine)) as session:
        outbox.enqueue(
            session,
            team_id="T0INFLOW1",
            recipient=user,
            kind="coaching",
            subject="weekly",
            occurrence="2026-W48",
            due_at=due,
            message={"text": "Who did you see at their best this week?"},
        )


def test_outbox_depth_and_the_oldest_due_age_are_read_from_the_database(served, clock):
    now = clock()
    _plan(served, "U0CLAIMED", now - dt.timedelta(minutes=10))
    with transaction(make_sessionmaker(served.engine)) as session:
        [claimed] = outbox.claim(session, now=now, worker="elsewhere:1", limit=1)
    assert claimed.recipient == "U0CLAIMED"
    _plan(served, "U0LATE90S", now - dt.timedelta(seconds=90))
    _plan(served, "U0LATE30S", now - dt.timedelta(seconds=30))
    _plan(served, "U0NEXTDAY", now + dt.timedelta(days=1))

    samples = scrape(served.url)
    assert sample(samples, "inflow_database_up") == 1
    assert sample(samples, "inflow_outbox_pending_messages") == 3
    assert sample(samples, "inflow_outbox_due_messages") == 2
    assert sample(samples, "inflow_outbox_claimed_messages") == 1
    assert sample(samples, "inflow_outbox_oldest_due_age_seconds") == 90


def test_the_oldest_due_age_is_zero_when_nothing_is_due(served, clock):
    _plan(served, "U0NEXTDAY", clock() + dt.timedelta(days=1))
    samples = scrape(served.url)
    assert sample(samples, "inflow_outbox_pending_messages") == 1
    assert sample(samples, "inflow_outbox_oldest_due_age_seconds") == 0


def test_a_scrape_while_the_database_is_down_says_so_and_still_answers(served, monkeypatch):
    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(served.wsgi.metrics.outbox, "engine", unreachable)
    samples = scrape(served.url)
    assert sample(samples, "inflow_database_up") == 0
    assert ("inflow_outbox_pending_messages", ()) not in samples
    assert _requests(samples, "command", "ok") == 0  # the counters are still there


def test_web_api_errors_in_listeners_are_counted_by_method_and_error(served):
    served.emulator.fail("chat.postMessage", 200, error="channel_not_found")
    served.slack.event(_mention())
    served.settle()

    samples = scrape(served.url)
    errors = sample(
        samples,
        "inflow_slack_api_errors_total",
        method="chat.postMessage",
        error="channel_not_found",
    )
    assert errors == 1


def test_a_rate_limit_wait_is_counted_with_its_seconds_and_the_call_then_succeeds(served):
    served.emulator.fail("chat.postMessage", 429, retry_after=0)
    served.slack.event(_mention())
    served.settle()

    assert len(served.emulator.calls_to("chat.postMessage")) == 2
    assert len(served.emulator.history["C0PROJECT"]) == 1
    samples = scrape(served.url)
    method = {"method": "chat.postMessage"}
    assert sample(samples, "inflow_slack_rate_limit_waits_total", **method) == 1
    assert 0 < sample(samples, "inflow_slack_rate_limit_wait_seconds_total", **method) < 2
    assert sample(samples, "inflow_slack_api_errors_total", error="ratelimited", **method) == 1


def test_a_client_made_for_the_metrics_reports_error_answers_and_network_failures(emulator):
    metrics = Metrics()
    client = make_client(BOT_TOKEN, emulator.api_url, retries=0, observer=metrics)
    emulator.fail("conversations.open", 200, error="user_not_found")
    with pytest.raises(SlackApiError):
        client.conversations_open(users="U0GONE")
    client.chat_postMessage(channel="C0PROJECT", text="hello")  # ok: not counted

    nowhere = make_client(BOT_TOKEN, "http://127.0.0.1:1/api/", retries=0, observer=metrics)
    with pytest.raises(OSError):
        nowhere.auth_test()

    errors = {
        labels: child._value.get()
        for labels, child in metrics.api_errors._metrics.items()
        if child._value.get()
    }
    assert errors == {("conversations.open", "user_not_found"): 1, ("auth.test", "network"): 1}


def test_metrics_never_show_tokens_secrets_people_or_their_words(served):
    served.slack.command(Command.LEARN, "Zanzibar merger plans", user_id="U0PRIVATE9")
    served.slack.post("command=%2Flearn&text=Zanzibar", "text/plain", secret="someone-elses")
    served.emulator.fail("chat.postMessage", 200, error="Zanzibar <@U0PRIVATE9>")
    served.slack.event(_mention("Zanzibar"))
    served.settle()

    with urllib.request.urlopen(f"{served.url}/metrics", timeout=5) as response:
        exposition = response.read().decode()
    for private in (BOT_TOKEN, SIGNING_SECRET, "someone-elses", "U0PRIVATE9", "U0POSTER1"):
        assert private not in exposition
    assert "Zanzibar" not in exposition and "T0INFLOW1" not in exposition
    assert 'error="http_200"' in exposition  # an error code that is not a code is not shown


@pytest.mark.parametrize(
    ("request_kind", "kind"),
    [
        ("command:/learn", "command"),
        ("event:app_mention", "event"),
        ("block_actions", "action"),
        ("block_suggestion", "action"),
        ("view_submission", "view"),
        ("view_closed", "view"),
        ("shortcut", "shortcut"),
        ("message_action", "shortcut"),
        ("url_verification", "other"),
        ("-", "other"),
    ],
)
def test_each_slack_request_has_one_of_six_kinds(request_kind, kind):
    assert kind_of(request_kind) == kind


@pytest.mark.slow
def test_under_gunicorn_every_scrape_adds_up_all_the_workers(emulator, tmp_path):
    metrics_dir = tmp_path / "metrics"
    _left_by_an_earlier_run(metrics_dir, commands=1000)
    env = serve_env(
        emulator,
        f"sqlite:///{tmp_path / 'served.db'}",
        INFLOW_WORKERS="2",
        INFLOW_THREADS="2",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    server = ServeProcess(env)
    try:
        server.wait_for("worker ready", count=2)
        sender = SlackSender(f"{server.url}/slack/events", SIGNING_SECRET)

        def ask(n: int) -> int:
            return sender.command(Command.LEARN, "help", user_id=f"U{n:08d}").status

        sent = 0
        # Eight at a time, until both workers have answered some (the first 100 always did so
        # far; the bound keeps a lopsided kernel from making this loop for ever).
        while sent < 1000:
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(ask, range(sent, sent + 100))) == {200}
            sent += 100
            per_worker = _per_worker_counts(metrics_dir)
            if len(per_worker) == 2 and min(per_worker.values()) > 0:
                break
        assert len(per_worker) == 2 and min(per_worker.values()) > 0
        assert sum(per_worker.values()) == sent
        for _ in range(6):  # whichever worker answers the scrape, it shows them all
            assert _requests(server.metrics(), "command", "ok") == sent
    finally:
        assert server.stop() == 0
    assert "Traceback" not in "".join(server.lines)


def _left_by_an_earlier_run(metrics_dir, commands: int) -> None:
    """A dead worker's counter file from a previous start: `inflow serve` must not add it in."""
    from prometheus_client.mmap_dict import MmapedDict, mmap_key

    metrics_dir.mkdir()
    stale = MmapedDict(str(metrics_dir / "counter_99999.db"))
    key = mmap_key(
        "inflow_slack_requests",
        REQUESTS,
        ["kind", "outcome"],
        ["command", "ok"],
        "Requests from Slack on /slack/events, by kind and outcome.",
    )
    stale.write_value(key, float(commands), 0.0)
    stale.close()


def _per_worker_counts(metrics_dir) -> dict[str, float]:
    """Each worker's own count of answered commands, from its file in the shared directory."""
    from prometheus_client.multiprocess import MultiProcessCollector

    counts = {}
    for path in sorted(metrics_dir.glob("counter_*.db")):
        for family in MultiProcessCollector.merge([str(path)]):
            for s in family.samples:
                if s.name == REQUESTS and s.labels == {"kind": "command", "outcome": "ok"}:
                    counts[path.stem] = s.value
    return counts


def test_a_shared_directory_is_refused_once_prometheus_client_counts_in_memory(tmp_path):
    # This test process imported prometheus_client without PROMETHEUS_MULTIPROC_DIR, as a
    # worker would if something imported it before `inflow serve` set the variable.
    with pytest.raises(RuntimeError, match="imported before"):
        Metrics(multiprocess_dir=str(tmp_path))
