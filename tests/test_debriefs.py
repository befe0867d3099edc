"""Debriefs end to end: started in a channel, answered by several people, summarised in a thread."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.models import Debrief, DebriefAnswer, DebriefSchedule
from bot.slack.ids import Command, DebriefAction, View

CHANNEL = "C0GENERAL"


def _one(served, model):
    with served.session() as session:
        return list(session.scalars(select(model)))


def _answer(served, user: str, **answers):
    debrief = _one(served, Debrief)[0]
    values = {
        column: {"type": "plain_text_input", "value": text} for column, text in answers.items()
    }
    return served.slack.submit(
        View.DEBRIEF, values, user_id=user, private_metadata=json.dumps({"d": debrief.id})
    )


def _summary(served, user: str = "U0ASKER01"):
    debrief = _one(served, Debrief)[0]
    return served.slack.click(
        DebriefAction.SUMMARY,
        str(debrief.id),
        user_id=user,
        channel_id=CHANNEL,
        response_url=served.emulator.response_url(),
    )


def test_debrief_posts_an_invitation_in_the_channel(served):
    reply = served.slack.command(Command.DEBRIEF, "the spring trade show <!channel>")

    assert reply.status == 200
    [post] = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    shown = json.dumps(post.json_arg("blocks"))
    assert "the spring trade show &lt;!channel&gt;" in shown
    assert "What worked?" in shown and "What would we do differently?" in shown
    [debrief] = _one(served, Debrief)
    assert debrief.message_ts is not None and debrief.topic.startswith("the spring trade show")


def test_several_peoples_answers_become_one_summary_in_the_thread(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    _answer(
        served, "U0ONE0001", happened="we shipped two days late", worked="pairing on the release"
    )
    _answer(
        served,
        "U0TWO0002",
        did_not="the checklist was out of date",
        differently="review the checklist first",
    )
    [update, *_] = served.emulator.calls_to("chat.update")[-1:]
    assert "2 people have answered" in json.dumps(update.json_arg("blocks"))

    _summary(served)

    post = served.emulator.calls_to("chat.postMessage")[-1]
    assert post.args["thread_ts"] == _one(served, Debrief)[0].message_ts
    shown = json.dumps(post.json_arg("blocks"))
    for point in (
        "we shipped two days late",
        "pairing on the release",
        "the checklist was out of date",
        "review the checklist first",
    ):
        assert point in shown
    assert "U0ONE0001" not in shown and "U0TWO0002" not in shown


def test_answering_again_replaces_your_earlier_answers(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    _answer(served, "U0ONE0001", worked="first thought")
    _answer(served, "U0ONE0001", worked="second thought")
    [answer] = _one(served, DebriefAnswer)
    assert answer.worked == "second thought"


def test_an_empty_answer_is_refused_in_the_form(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    reply = _answer(served, "U0ONE0001", worked="  ")
    assert "at least one" in json.dumps(reply.json()["errors"])
    assert _one(served, DebriefAnswer) == []


def test_the_summary_is_posted_once(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    _answer(served, "U0ONE0001", worked="pairing")
    _summary(served)
    _summary(served)

    threaded = [c for c in served.emulator.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(threaded) == 1
    assert "already posted" in served.emulator.wait_for_responses(1)[-1][1]["text"]


def test_no_answers_no_summary(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    _summary(served)
    assert "Nobody has answered yet" in served.emulator.wait_for_responses(1)[-1][1]["text"]
    assert _one(served, Debrief)[0].closed_at is None


@pytest.mark.parametrize(
    ("text", "days", "monthly", "said"),
    [
        ("every 2 weeks", 14, False, "every 2 weeks"),
        ("monthly", None, True, "every month"),
        ("weekly", 7, False, "every week"),
        ("daily", 1, False, "every day"),
        ("every day", 1, False, "every day"),
        ("Every week.", 7, False, "every week"),
        ("every other week", 14, False, "every 2 weeks"),
        ("every three weeks", 21, False, "every 3 weeks"),
        ("every month", None, True, "every month"),
    ],
)
def test_a_channel_can_debrief_on_a_rhythm(served, text, days, monthly, said):
    answer = served.slack.command(Command.DEBRIEF, text).json()
    assert said in answer["text"]
    [schedule] = _one(served, DebriefSchedule)
    assert (schedule.channel_id, schedule.every_days, schedule.monthly) == (CHANNEL, days, monthly)
    assert served.emulator.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "text", ["every Monday", "every 3 months", "biweekly", "twice a week", "every sprint"]
)
def test_a_rhythm_inflow_cannot_keep_is_answered_privately_not_announced(served, text):
    answer = served.slack.command(Command.DEBRIEF, text).json()

    assert answer["response_type"] == "ephemeral"
    assert "`every 2 weeks`" in answer["text"] and "posted nothing" in answer["text"]
    assert served.emulator.calls_to("chat.postMessage") == []
    assert _one(served, Debrief) == [] and _one(served, DebriefSchedule) == []


def test_debrief_help_explains_privately_who_sees_what(served):
    served.slack.command(Command.DEBRIEF, "every 2 weeks")

    answer = served.slack.command(Command.DEBRIEF, "help").json()

    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"])
    assert "in this channel, for everyone here" in shown and "private form" in shown
    assert "This channel debriefs every 2 weeks." in shown
    assert served.emulator.calls_to("chat.postMessage") == []
    assert _one(served, Debrief) == []


def test_a_topic_that_mentions_a_rhythm_word_is_still_a_topic(served):
    served.slack.command(Command.DEBRIEF, "the weekly sync")
    [debrief] = _one(served, Debrief)
    assert debrief.topic == "the weekly sync"


def test_off_stops_the_rhythm(served):
    served.slack.command(Command.DEBRIEF, "every 2 weeks")
    assert "off" in served.slack.command(Command.DEBRIEF, "off").json()["text"]
    assert _one(served, DebriefSchedule) == []


def test_debrief_in_a_dm_points_to_a_channel(served):
    answer = served.slack.command(Command.DEBRIEF, "my week", channel_id="D0DIRECT1").json()
    assert "in the channel" in answer["text"]
    assert _one(served, Debrief) == []


def test_a_channel_without_the_bot_is_told_to_invite_it(served):
    served.emulator.fail("chat.postMessage", 200, error="not_in_channel")
    served.slack.command(Command.DEBRIEF, "launch week")  # answered at once; Slack refuses later
    told = served.emulator.calls_to("chat.postMessage")[-1]
    assert told.args["channel"].startswith("D")  # the starter's DM
    assert "/invite @inflow" in told.args["text"]
    assert _one(served, Debrief) == []


PRIVATE = "G0PRIVATE1"


def test_a_debriefs_buttons_act_only_in_its_own_channel(served):
    served.slack.command(Command.DEBRIEF, "the merger", channel_id=PRIVATE)
    _answer(served, "U0ONE0001", worked="the quiet planning")
    [debrief] = _one(served, Debrief)
    served.emulator.reset_calls()

    for action in (DebriefAction.ANSWER, DebriefAction.SUMMARY):
        served.slack.click(
            action,
            str(debrief.id),
            user_id="U0STRANGER",
            channel_id=CHANNEL,  # a button carrying the private channel's debrief, pressed here
            response_url=served.emulator.response_url(),
        )

    told = [body["text"] for _, body in served.emulator.wait_for_responses(2)]
    assert told == ["That debrief belongs to another channel: answer it where it was posted."] * 2
    assert served.emulator.calls_to("views.open") == []
    assert served.emulator.calls_to("chat.postMessage") == []
    assert _one(served, Debrief)[0].closed_at is None


def test_a_form_opened_for_one_channels_debrief_answers_only_that_one(served):
    served.slack.command(Command.DEBRIEF, "the merger", channel_id=PRIVATE)
    [debrief] = _one(served, Debrief)
    values = {"worked": {"type": "plain_text_input", "value": "nothing"}}

    reply = served.slack.submit(
        View.DEBRIEF,
        values,
        user_id="U0STRANGER",
        private_metadata=json.dumps({"d": debrief.id, "c": CHANNEL}),
    )

    assert "belongs to another channel" in json.dumps(reply.json())
    assert _one(served, DebriefAnswer) == []


def test_the_answer_form_carries_its_channel(served):
    served.slack.command(Command.DEBRIEF, "launch week")
    [debrief] = _one(served, Debrief)
    served.slack.click(
        DebriefAction.ANSWER,
        str(debrief.id),
        channel_id=CHANNEL,
        response_url=served.emulator.response_url(),
    )
    [opened] = served.emulator.calls_to("views.open")
    meta = json.loads(opened.json_arg("view")["private_metadata"])
    assert meta == {"d": debrief.id, "c": CHANNEL}
