"""Events: the Home tab, and each event handled once across retries."""

from sqlalchemy import func, select

from bot.models import ProcessedEvent

HOME_OPENED = {
    "type": "app_home_opened",
    "user": "U0READER1",
    "channel": "D0HOME",
    "tab": "home",
    "event_ts": "1700000000.000100",
}


def test_opening_home_publishes_the_home_tab(served):
    reply = served.slack.event(HOME_OPENED)

    assert reply.status == 200
    [call] = served.emulator.calls_to("views.publish")
    assert call.args["user_id"] == "U0READER1"
    assert call.json_arg("view")["type"] == "home"


def test_retry_of_a_handled_event_is_acknowledged_and_dropped(served):
    served.slack.event(HOME_OPENED, event_id="Ev0000000001")
    retry = served.slack.event(HOME_OPENED, event_id="Ev0000000001", retry_num=1)

    assert retry.status == 200
    assert len(served.emulator.calls_to("views.publish")) == 1
    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_retry_whose_first_delivery_never_arrived_is_handled(served):
    reply = served.slack.event(HOME_OPENED, event_id="Ev0000000002", retry_num=1)

    assert reply.status == 200
    assert len(served.emulator.calls_to("views.publish")) == 1


def test_a_web_api_failure_after_the_answer_is_logged_and_the_event_handled_once(served):
    # Slack has its 200 before inflow calls the Web API, so a failure there cannot make Slack
    # retry; the retry Slack may send anyway is the same event, handled already.
    served.emulator.fail("views.publish", 200, error="invalid_auth")
    first = served.slack.event(HOME_OPENED, event_id="Ev0000000003")
    retry = served.slack.event(HOME_OPENED, event_id="Ev0000000003", retry_num=1)

    assert (first.status, retry.status) == (200, 200)
    assert len(served.emulator.calls_to("views.publish")) == 1
    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_other_tabs_publish_nothing(served):
    served.slack.event({**HOME_OPENED, "tab": "messages"})
    assert served.emulator.calls_to("views.publish") == []


def test_rate_limited_web_api_call_is_retried_after_the_wait(served):
    served.emulator.fail("views.publish", 429, retry_after=0)
    reply = served.slack.event(HOME_OPENED)

    assert reply.status == 200
    assert len(served.emulator.calls_to("views.publish")) == 2


def test_database_down_later_makes_slack_retry_the_event(served, monkeypatch):
    from bot.db import make_engine, make_sessionmaker

    unreachable = make_sessionmaker(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    monkeypatch.setattr(served.wsgi.app, "_sessions", unreachable)

    reply = served.slack.event(HOME_OPENED)

    assert reply.status == 500
    assert served.emulator.calls_to("views.publish") == []
