"""Spotting strengths end to end: /spot, the gentle nudge toward specifics, the form, posting."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.models import Strength
from bot.slack.ids import Command, Field, SpotAction, View

GIVER, RECEIVER = "U0ASKER01", "U0RECEIVE1"
SPECIFIC = "I see you at your best when you calmed the upset client down and found a fix together"


def _strengths(served) -> list[Strength]:
    with served.session() as session:
        return list(session.scalars(select(Strength)))


def _shown(call) -> str:
    return call.args.get("text", "") + json.dumps(call.json_arg("blocks") or [], ensure_ascii=False)


def test_spot_sends_the_person_what_you_saw(served):
    reply = served.slack.command(Command.SPOT, f"<@{RECEIVER}|sam> {SPECIFIC}")

    assert reply.json()["text"].startswith(f"Sent to <@{RECEIVER}>")
    [opened] = served.emulator.calls_to("conversations.open")
    assert opened.args["users"] == RECEIVER
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert dm.args["text"] == f"<@{GIVER}> spotted you at your best: “{SPECIFIC}”"
    assert "Calm under pressure" in _shown(dm)
    [kept] = _strengths(served)
    assert (kept.giver_id, kept.receiver_id, kept.theme, kept.note) == (
        GIVER,
        RECEIVER,
        "calm",
        SPECIFIC,
    )


@pytest.mark.parametrize("error", ["user_not_found", "user_not_visible"])
def test_spot_for_someone_slack_cannot_find_says_so(served, error):
    served.emulator.fail("users.info", 200, error=error)

    reply = served.slack.command(Command.SPOT, f"<@U0NOBODY1> {SPECIFIC}")

    assert reply.json()["text"] == (
        "I can't find that person in this workspace. Pick someone from the list."
    )
    assert _strengths(served) == []


def test_spot_goes_ahead_when_slack_will_not_say_who_someone_is(served):
    served.emulator.fail("users.info", 200, error="request_timeout")

    reply = served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")

    assert reply.json()["text"].startswith(f"Sent to <@{RECEIVER}>")  # the benefit of the doubt
    assert len(_strengths(served)) == 1


def test_what_the_giver_typed_is_escaped(served):
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC} &lt;!channel&gt; too")
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert "&lt;!channel&gt; too" in dm.args["text"]
    assert "<!channel>" not in _shown(dm)


def test_a_vague_note_gets_a_gentle_suggestion_before_sending(served):
    answer = served.slack.command(Command.SPOT, f"<@{RECEIVER}> great job!").json()

    assert "say a little more" in answer["text"]
    assert SpotAction.SEND_ANYWAY in json.dumps(answer["blocks"])
    assert _strengths(served) == []
    assert served.emulator.calls_to("chat.postMessage") == []


def test_the_giver_may_send_a_vague_note_anyway(served):
    answer = served.slack.command(Command.SPOT, f"<@{RECEIVER}> great job!").json()
    value = next(
        e["value"]
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SpotAction.SEND_ANYWAY
    )
    served.slack.click(SpotAction.SEND_ANYWAY, value, response_url=served.emulator.response_url())

    [dm] = served.emulator.calls_to("chat.postMessage")
    assert dm.args["text"] == f"<@{GIVER}> spotted you at your best: “great job!”"
    assert len(_strengths(served)) == 1


@pytest.mark.parametrize(
    ("who", "profile", "said"),
    [(GIVER, {}, "can't spot yourself"), ("U0BOT0001", {"is_bot": True}, "That's a bot")],
)
def test_yourself_or_a_bot_is_refused_kindly(served, who, profile, said):
    if profile:
        served.emulator.users[who] = {
            **served.emulator._users_info({"user": who})["user"],
            **profile,
        }
    answer = served.slack.command(Command.SPOT, f"<@{who}> {SPECIFIC}").json()
    assert said in answer["text"]
    assert _strengths(served) == []


def test_spot_alone_opens_the_form(served):
    served.slack.command(Command.SPOT, "")
    [opened] = served.emulator.calls_to("views.open")
    assert opened.json_arg("view")["callback_id"] == View.SPOT


def _form(note: str, channel: str | None = None) -> dict:
    values = {
        Field.PERSON: {"type": "users_select", "selected_user": RECEIVER},
        Field.NOTE: {"type": "plain_text_input", "value": note},
        Field.THEME: {"type": "static_select", "selected_option": None},
    }
    if channel:
        values[Field.CHANNEL] = {"type": "conversations_select", "selected_conversation": channel}
    return values


def test_the_form_suggests_specifics_once_then_sends(served):
    first = served.slack.submit(
        View.SPOT, _form("thanks!"), private_metadata='{"warned": false}'
    ).json()
    assert first["response_action"] == "update"
    assert "say a little more" in json.dumps(first["view"]["blocks"])
    assert _strengths(served) == []

    second = served.slack.submit(
        View.SPOT, _form("thanks!"), private_metadata=first["view"]["private_metadata"]
    )
    assert second.text == ""
    assert len(_strengths(served)) == 1


def test_the_form_without_a_person_says_so_beside_the_input(served):
    form = _form(SPECIFIC)
    form[Field.PERSON]["selected_user"] = None
    answer = served.slack.submit(View.SPOT, form, private_metadata="{}").json()
    assert answer == {
        "response_action": "errors",
        "errors": {Field.PERSON: "Pick who you saw at their best."},
    }
    assert _strengths(served) == []
    assert served.emulator.calls_to("users.info") == []


def test_the_form_can_also_post_in_a_channel(served):
    served.slack.submit(View.SPOT, _form(SPECIFIC, channel="C0TEAM"), private_metadata="{}")

    _dm, post = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0TEAM"
    assert post.args["text"].startswith(f"<@{GIVER}> spotted <@{RECEIVER}> at their best")
    assert _strengths(served)[0].posted_channel_id == "C0TEAM"


def test_post_here_posts_once(served):
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> {SPECIFIC}")
    strength_id = str(_strengths(served)[0].id)
    served.slack.click(
        SpotAction.POST_HERE, strength_id, response_url=served.emulator.response_url()
    )
    served.slack.click(
        SpotAction.POST_HERE, strength_id, response_url=served.emulator.response_url()
    )

    posts = [
        c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == "C0GENERAL"
    ]
    assert len(posts) == 1
    assert "already posted" in served.emulator.wait_for_responses(2)[-1][1]["text"]
