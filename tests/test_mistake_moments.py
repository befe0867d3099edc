"""Mistake moments end to end: the shortcuts, the form, the ask, the answers, the lesson, and
what must stay between the author and the colleague they chose."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.models import MistakeMoment
from bot.slack.ids import Field, MomentAction, Shortcut, View
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

AUTHOR, COLLEAGUE, OTHER = "U0AUTHOR1", "U0COLLEAG1", "U0OTHER01"
LEARNING = "C0LEARNING"
ASK = f"<@{AUTHOR}> has had a mistake moment. Do you have five minutes to talk about it?"
PRIVATE = "I pushed the wrong price file & customers saw it"


@pytest.fixture
def settings(database_url, emulator):
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        learning_channel=LEARNING,
    )


def _form(colleague: str | None = COLLEAGUE, what: str | None = PRIVATE, when: str = "now") -> dict:
    return {
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": what},
        Field.COLLEAGUE: {"type": "users_select", "selected_user": colleague},
        Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": when}},
    }


def _moments(served) -> list[MistakeMoment]:
    with served.session() as session:
        return list(session.scalars(select(MistakeMoment)))


def _shown(call) -> str:
    """Everything a message shows: its text and its blocks."""
    return call.args.get("text", "") + json.dumps(call.json_arg("blocks") or [], ensure_ascii=False)


def test_global_shortcut_opens_the_form(served):
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=AUTHOR, trigger_id="111.trigger")

    [opened] = served.emulator.calls_to("views.open")
    assert opened.args["trigger_id"] == "111.trigger"
    view = opened.json_arg("view")
    assert view["callback_id"] == View.MISTAKE_MOMENT
    assert {b.get("block_id") for b in view["blocks"]} >= {
        Field.WHAT_HAPPENED,
        Field.COLLEAGUE,
        Field.WHEN,
    }
    assert _moments(served) == []  # closing the form half-way leaves nothing behind


def test_message_shortcut_quotes_the_message_escaped(served):
    message = {
        "type": "message",
        "ts": "1700000001.000100",
        "user": AUTHOR,
        "text": "<!channel> I broke the deploy & more",
    }
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT_MESSAGE, user_id=AUTHOR, message=message)

    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    shown = json.dumps(view["blocks"])
    assert "&lt;!channel&gt; I broke the deploy &amp; more" in shown
    assert json.loads(view["private_metadata"]) == {
        "channel": "C0GENERAL",
        "ts": "1700000001.000100",
    }


def test_an_expired_trigger_is_explained_in_a_dm(served):
    served.emulator.fail("views.open", 200, error="expired_trigger_id")
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=AUTHOR)

    [dm] = served.emulator.calls_to("chat.postMessage")
    assert "took a moment too long" in dm.args["text"]


def test_asking_sends_the_colleague_the_seeds_words(served):
    reply = served.slack.submit(View.MISTAKE_MOMENT, _form(when="later_today"), user_id=AUTHOR)

    assert reply.status == 200 and reply.text == ""  # the modal closes
    [moment] = _moments(served)
    assert (moment.author_id, moment.colleague_id, moment.status, moment.when) == (
        AUTHOR,
        COLLEAGUE,
        "asked",
        "later_today",
    )
    assert moment.what_happened == PRIVATE
    opened = [c.args["users"] for c in served.emulator.calls_to("conversations.open")]
    assert opened == [COLLEAGUE, AUTHOR]
    ask, told = served.emulator.calls_to("chat.postMessage")
    assert ask.args["text"] == ASK
    buttons = [
        e["action_id"]
        for b in ask.json_arg("blocks")
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == [MomentAction.YES, MomentAction.LATER, MomentAction.NO]
    assert "later today" in json.dumps(ask.json_arg("blocks"))
    assert f"I've asked <@{COLLEAGUE}>" in told.args["text"]


def test_what_happened_reaches_only_the_colleague(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)

    ask, told = served.emulator.calls_to("chat.postMessage")
    assert "I pushed the wrong price file &amp; customers saw it" in _shown(ask)
    assert "price file" not in _shown(told)
    assert ask.args["channel"] != told.args["channel"]


@pytest.mark.parametrize(
    ("user", "profile", "message"),
    [
        (AUTHOR, {}, "someone other than you"),
        ("U0BOT0001", {"is_bot": True}, "That's a bot"),
        ("U0GONE001", {"deleted": True}, "deactivated"),
        ("U0ELSEWHR", {"team_id": "T0SOMEWHERE"}, "from this workspace"),
    ],
)
def test_who_cannot_be_asked_is_refused_in_the_form(served, user, profile, message):
    if profile:
        served.emulator.users[user] = {
            **served.emulator._users_info({"user": user})["user"],
            **profile,
        }
    reply = served.slack.submit(View.MISTAKE_MOMENT, _form(colleague=user), user_id=AUTHOR)

    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][Field.COLLEAGUE]
    assert _moments(served) == []
    assert served.emulator.calls_to("chat.postMessage") == []


def test_nobody_chosen_sets_the_author_up_to_reflect_alone(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(colleague=None, what=None), user_id=AUTHOR)

    [moment] = _moments(served)
    assert (moment.status, moment.colleague_id, moment.what_happened) == ("alone", None, None)
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert MomentAction.WRITE_LESSON in _shown(dm)


def _answer(served, action: str, user: str = COLLEAGUE):
    moment = _moments(served)[0]
    return served.slack.click(
        action,
        str(moment.id),
        user_id=user,
        channel_id=moment.colleague_dm_channel_id,
        message_ts=moment.colleague_message_ts,
        response_url=served.emulator.response_url(),
    )


def test_yes_opens_a_group_dm_with_the_three_questions(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    served.emulator.reset()

    _answer(served, MomentAction.YES)

    [group] = [c for c in served.emulator.calls_to("conversations.open") if "," in c.args["users"]]
    assert sorted(group.args["users"].split(",")) == sorted([AUTHOR, COLLEAGUE])
    chat, told = served.emulator.calls_to("chat.postMessage")
    shown = json.dumps(chat.json_arg("blocks"))
    for question in ("What happened?", "What do we learn from it?", "What will we do differently?"):
        assert question in shown
    assert "mistake-moments" in shown
    assert "price file" not in shown
    assert f"<@{COLLEAGUE}> said yes" in told.args["text"]
    [update] = served.emulator.calls_to("chat.update")
    assert "You said yes" in update.args["text"]
    [moment] = _moments(served)
    assert (moment.status, moment.chat_channel_id) == ("accepted", chat.args["channel"])


def test_pressing_yes_twice_opens_one_conversation(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    _answer(served, MomentAction.YES)
    served.emulator.reset()

    _answer(served, MomentAction.YES)

    assert served.emulator.calls_to("conversations.open") == []
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert "already answered" in said["text"]


def test_only_the_colleague_can_answer(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    served.emulator.reset()

    _answer(served, MomentAction.YES, user=OTHER)

    assert served.emulator.calls_to("conversations.open") == []
    assert _moments(served)[0].status == "asked"
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert "Only the person who was asked" in said["text"]


def test_cant_this_time_tells_the_author_and_offers_someone_else(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    served.emulator.reset()

    _answer(served, MomentAction.NO)

    [told] = served.emulator.calls_to("chat.postMessage")
    assert f"<@{COLLEAGUE}> can't this time" in told.args["text"]
    assert MomentAction.ASK_AGAIN in _shown(told)
    assert _moments(served)[0].status == "declined"


def _write_lesson(served, lesson: str, share: bool, user: str = AUTHOR):
    moment = _moments(served)[0]
    values = {Field.LESSON: {"type": "plain_text_input", "value": lesson}}
    if share:
        values[Field.SHARE_LESSON] = {
            "type": "checkboxes",
            "selected_options": [{"value": "share"}],
        }
    return served.slack.submit(
        View.LESSON, values, user_id=user, private_metadata=json.dumps({"moment": moment.id})
    )


def test_the_lesson_is_kept_private_unless_shared(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    served.emulator.reset()

    assert _write_lesson(served, "Check the file name before pushing.", share=False).text == ""

    assert _moments(served)[0].lesson == "Check the file name before pushing."
    assert served.emulator.calls_to("chat.postMessage") == []


def test_a_shared_lesson_goes_to_the_learning_channel_without_a_name(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    served.emulator.reset()

    _write_lesson(served, "Two eyes on <!channel> price files", share=True)

    [post] = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == LEARNING
    assert AUTHOR not in _shown(post)
    assert "&lt;!channel&gt;" in _shown(post)
    assert _moments(served)[0].lesson_shared is True


def test_only_the_author_writes_the_lesson(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    reply = _write_lesson(served, "Not mine to write", share=True, user=COLLEAGUE)

    assert reply.json()["response_action"] == "errors"
    assert _moments(served)[0].lesson is None


def test_an_empty_lesson_is_refused_in_the_form(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(), user_id=AUTHOR)
    assert (
        "Write the lesson"
        in _write_lesson(served, "   ", share=False).json()["errors"][Field.LESSON]
    )


def test_the_lesson_button_opens_the_form_for_the_author(served):
    served.slack.submit(View.MISTAKE_MOMENT, _form(colleague=None), user_id=AUTHOR)
    moment = _moments(served)[0]
    served.slack.click(
        MomentAction.WRITE_LESSON,
        str(moment.id),
        user_id=AUTHOR,
        response_url=served.emulator.response_url(),
    )

    [opened] = served.emulator.calls_to("views.open")
    view = opened.json_arg("view")
    assert view["callback_id"] == View.LESSON
    assert f"<#{LEARNING}>" in json.dumps(view["blocks"])
