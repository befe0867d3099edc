"""Answer Slack first, then do the work: exactly once, and only after the commit.

Signed requests into the served app, the Web API answered by the emulator; what the app sent to
Slack and what it stored are both checked.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.jobs.deliverer import deliver_due
from bot.models import MistakeMoment, NudgePreference, OutboxMessage, Rating, Strength
from bot.services import outbox
from bot.slack import mistakes as mistake_blocks
from bot.slack.guides import state
from bot.slack.ids import Action, Command, Field, HomeAction, Shortcut, SpotAction, View

GIVER, RECEIVER, COLLEAGUE = "U0ASKER01", "U0RECEIVE1", "U0COLLEAG1"
SPECIFIC = "I see you at your best when you calmed the upset client down and found a fix together"


def _posts_to(served, channel: str) -> list:
    return [c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == channel]


def _dms(served) -> list:
    return [
        c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"].startswith("D")
    ]


def _count(served, model) -> int:
    with served.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _moment_form(colleague: str | None, what: str = "I shipped the wrong price list") -> dict:
    return {
        Field.COLLEAGUE: {"type": "users_select", "selected_user": colleague},
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": what},
        Field.WHEN: {"type": "static_select", "selected_option": {"value": "now"}},
    }


def _deliver(served, clock, worker: str):
    """The deliverer's pass, as the scheduler runs it (in this or another process)."""
    return deliver_due(served.sessions, served.workspaces.for_a_pass(), now=clock(), worker=worker)


def test_a_message_whose_reply_was_lost_is_found_not_sent_again(served, clock):
    # Slack posts the DM, then the reply is lost (a 500): no blind second post.
    served.emulator.fail("chat.postMessage", 500, after_doing_it=True)
    reply = served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")

    assert reply.status == 200 and reply.json()["text"].startswith(f"Sent to <@{RECEIVER}>")
    [posted] = _dms(served)
    with served.session() as session:
        [row] = session.scalars(select(OutboxMessage))
        assert (row.status, row.attempts) == ("pending", 1)

    # The deliverer's next pass looks in the conversation first, by the message's key.
    report = _deliver(served, clock, "next pass")

    assert (report.sent, report.already_sent) == (0, 1)
    assert _dms(served) == [posted]  # still the one message
    assert served.emulator.calls_to("conversations.history")
    with served.session() as session:
        assert session.scalars(select(OutboxMessage.status)).all() == ["sent"]


def test_a_request_that_fails_after_stating_a_message_sends_nothing(served, monkeypatch):
    # The colleague's invitation is stated, then the request fails: the moment and the
    # invitation roll back together, and the colleague never hears of it.
    def broken(*args, **kwargs):
        raise RuntimeError("a bug after the invitation was stated")

    monkeypatch.setattr(mistake_blocks, "author_notice", broken)
    reply = served.slack.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE))

    assert reply.status == 200
    assert "went wrong" in reply.text
    assert served.emulator.calls_to("chat.postMessage") == []
    assert _count(served, MistakeMoment) == 0
    assert _count(served, OutboxMessage) == 0


def test_a_crash_right_after_the_answer_loses_nothing_and_sends_once(served, clock, monkeypatch):
    # The process dies after the commit, before it sent anything: its work never runs.
    lost = []
    monkeypatch.setattr(served.background, "submit", lambda name, work, **_: lost.append(name))
    reply = served.slack.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE))

    assert reply.status == 200 and lost
    assert served.emulator.calls_to("chat.postMessage") == []
    # The restarted process (or another replica) delivers what the request left, once.
    first = _deliver(served, clock, "restarted")
    again = _deliver(served, clock, "restarted")

    assert (first.sent, again.sent) == (2, 0)  # the colleague's invitation and the author's note
    invitation = [c for c in _dms(served) if "five minutes" in c.args["text"]]
    assert len(invitation) == 2
    with served.session() as session:
        moment = session.scalars(select(MistakeMoment)).one()
        assert moment.colleague_message_ts is not None  # recorded when it went


def test_a_colleague_who_is_a_bot_is_refused_in_the_form(served):
    served.emulator.users[COLLEAGUE] = {"id": COLLEAGUE, "is_bot": True}
    reply = served.slack.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE))

    assert reply.json()["response_action"] == "errors"
    assert _count(served, MistakeMoment) == 0


def test_the_shortcut_opens_its_form_after_the_answer(served):
    reply = served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=GIVER)

    assert reply.status == 200
    [opened] = served.emulator.calls_to("views.open")
    assert opened.json_arg("view")["callback_id"] == View.MISTAKE_MOMENT


def _strength_id(served) -> str:
    with served.session() as session:
        return str(session.scalars(select(Strength.id)).one())


def test_twenty_clicks_at_once_post_the_note_once(served):
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")
    strength = _strength_id(served)

    def click(_):
        return served.slack.click(
            SpotAction.POST_HERE, strength, response_url=served.emulator.response_url()
        ).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(click, range(20)))

    assert statuses == [200] * 20
    assert len(_posts_to(served, "C0GENERAL")) == 1
    answers = [body.get("text", "") for _, body in served.emulator.wait_for_responses(20)]
    assert sum(a.startswith("Posted in") for a in answers) == 1
    assert sum("already posted" in a for a in answers) == 19
    assert not any("went wrong" in a for a in answers)


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_a_note_slack_will_not_post_is_not_marked_posted_and_the_giver_is_told(served, error):
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")
    served.emulator.fail("chat.postMessage", 200, error=error)
    served.slack.click(
        SpotAction.POST_HERE, _strength_id(served), response_url=served.emulator.response_url()
    )

    [(_, told)] = served.emulator.wait_for_responses(1)
    assert "/invite @inflow" in told["text"]
    with served.session() as session:
        assert session.scalars(select(Strength.posted_channel_id)).one() is None


def test_a_bot_slack_was_too_slow_to_name_is_caught_at_delivery_and_the_giver_told(
    served, monkeypatch
):
    # Slack did not say in time who RECEIVER is, so /spot went ahead; Slack then refuses the DM.
    monkeypatch.setattr("bot.slack.people.lookup", lambda client, user_id, **kw: None)
    served.emulator.users[RECEIVER] = {"id": RECEIVER, "is_bot": True}
    reply = served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")

    assert reply.status == 200
    [told] = _dms(served)
    assert told.args["text"].startswith(f"I couldn't reach <@{RECEIVER}>")
    with served.session() as session:
        statuses = sorted(session.scalars(select(OutboxMessage.status)))
    assert statuses == ["failed", "sent"]


def _at_once(times: int, act) -> list:
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(act, range(times)))


def test_twenty_helpful_taps_at_once_are_one_vote_and_no_error(served):
    def tap(_):
        return served.slack.click(
            Action.HELPFUL,
            state("premortem"),
            user_id=RECEIVER,
            response_url=served.emulator.response_url(),
        ).status

    assert _at_once(20, tap) == [200] * 20
    with served.session() as session:
        assert session.scalars(select(Rating.value)).all() == [1]
    answers = [body.get("text", "") for _, body in served.emulator.wait_for_responses(20)]
    assert len(answers) == 20 and not any("went wrong" in a for a in answers)


def test_twenty_home_tab_changes_at_once_all_land_without_an_error(served):
    def change(i):
        served.slack.interaction(
            {
                "type": "block_actions",
                "user": {"id": RECEIVER, "team_id": "T0INFLOW1"},
                "container": {"type": "view", "view_id": "V0HOME"},
                "view": {"id": "V0HOME", "type": "home", "team_id": "T0INFLOW1"},
                "trigger_id": "1.2.3",
                "actions": [
                    {
                        "action_id": HomeAction.DAYS,
                        "block_id": "b",
                        "action_ts": f"1.{i}",  # twenty clicks, not one sent twenty times
                        "selected_options": [{"value": "mon"}, {"value": ("tue", "wed")[i % 2]}],
                    }
                ],
            }
        )

    _at_once(20, change)
    with served.session() as session:
        [days] = session.scalars(select(NudgePreference.days)).all()
    assert days in ("mon,tue", "mon,wed")
    assert len(served.emulator.calls_to("views.publish")) == 20
    assert not [c for c in served.emulator.calls_to("chat.postMessage")]  # no error told


def test_a_click_while_the_database_is_down_tells_the_person_so(served, monkeypatch):
    from bot.db import make_engine, make_sessionmaker

    unreachable = make_sessionmaker(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    monkeypatch.setattr(served.wsgi.app, "_sessions", unreachable)
    reply = served.slack.click(
        Action.HELPFUL,
        state("premortem"),
        user_id=RECEIVER,
        response_url=served.emulator.response_url(),
    )

    assert reply.status == 200
    [(_, told)] = served.emulator.wait_for_responses(1)
    assert told["text"].startswith("inflow can't reach its database right now")
    assert told["response_type"] == "ephemeral"


def test_a_row_locked_by_a_stuck_transaction_gives_a_kind_answer_not_a_hung_worker(served):
    if served.engine.dialect.name != "postgresql":
        pytest.skip("statement and lock timeouts are PostgreSQL's; SQLite waits its busy timeout")
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")
    strength = _strength_id(served)
    with served.engine.connect() as stuck:  # holds the note's row lock and never lets go
        stuck.execute(select(Strength).where(Strength.id == int(strength)).with_for_update())
        reply = served.slack.click(
            SpotAction.POST_HERE, strength, response_url=served.emulator.response_url()
        )
        [(_, told)] = served.emulator.wait_for_responses(1)
        stuck.rollback()

    assert reply.status == 200
    assert "try again" in told["text"]
    assert _posts_to(served, "C0GENERAL") == []


def test_a_process_killed_after_claiming_its_messages_leaves_them_sent_once_a_minute_on(
    served, clock, monkeypatch
):
    # The request committed, its process claimed the messages to send them, and died.
    def dies_after_claiming(name, work, **_):
        with served.sessions() as session, session.begin():
            outbox.claim(session, now=clock(), worker="killed")

    monkeypatch.setattr(served.background, "submit", dies_after_claiming)
    served.slack.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE))
    assert served.emulator.calls_to("chat.postMessage") == []

    clock.advance(seconds=30)
    assert _deliver(served, clock, "restarted").sent == 0  # the claim may still be alive
    clock.advance(seconds=31)
    assert _deliver(served, clock, "restarted").sent == 2  # looked for first, then sent
    assert _deliver(served, clock, "restarted").sent == 0
    assert len(_dms(served)) == 2


def test_a_share_slack_refused_can_be_tried_again_once_inflow_is_invited(served):
    def share():
        served.slack.click(
            Action.SHARE_GUIDE,
            state("premortem"),
            response_url=served.emulator.response_url(),
            message_ts="1700000000.000100",
        )

    served.emulator.fail("chat.postMessage", 200, error="not_in_channel")
    share()
    share()  # after /invite @inflow: the same button, from the same message

    told = [body["text"] for _, body in served.emulator.wait_for_responses(2)]
    assert "/invite @inflow" in told[0] and told[1].startswith("Shared *")
    assert len(_posts_to(served, "C0GENERAL")) == 2  # the refused try, then the post
