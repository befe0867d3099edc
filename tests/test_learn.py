"""`/learn` end to end: signed requests into the served app, the Web API answered by the
emulator, assertions on what the app sent to Slack and on what it stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.models import ContentGap, GuideEvent, GuideMessage, Rating
from bot.slack.guides import state
from bot.slack.ids import Action, Command

ASKER, CHANNEL = "U0ASKER01", "C0GENERAL"


def _texts(blocks: list[dict]) -> str:
    """Every piece of text in some blocks, for asserting on what a person sees."""
    return json.dumps(blocks, ensure_ascii=False)


def _buttons(answer: dict) -> dict[str, dict]:
    elements = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return {e["action_id"]: e for e in elements}


def _rows(served, model):
    with served.session() as session:
        return list(session.scalars(select(model)))


def test_learn_answers_with_the_guide_inside_the_ack(served):
    answer = served.slack.command(Command.LEARN, "sbi").json()

    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"].startswith("Giving feedback with Situation")
    assert "Framework · 3 min" in _texts(answer["blocks"])
    assert set(_buttons(answer)) == {
        Action.SHARE_GUIDE,
        Action.WHOLE_GUIDE,
        Action.OTHER_MATCHES,
        Action.HELPFUL,
        Action.NOT_HELPFUL,
    }
    [view] = _rows(served, GuideEvent)
    assert (view.guide_id, view.kind, view.user_id, view.query) == (
        "sbi-feedback",
        "view",
        ASKER,
        "sbi",
    )
    assert served.emulator.calls_to("chat.postMessage") == []


def test_learn_understands_a_typo(served):
    answer = served.slack.command(Command.LEARN, "blamless post mortem").json()
    assert answer["blocks"][0]["text"]["text"] == "Running a blameless postmortem after an incident"


def test_nothing_good_enough_says_so_and_records_the_gap(served):
    answer = served.slack.command(Command.LEARN, "wifi password").json()

    shown = _texts(answer["blocks"])
    assert "I don't have a guide for “wifi password”." in shown
    assert "browse" in shown
    [gap] = _rows(served, ContentGap)
    assert (gap.query, gap.user_id) == ("wifi password", ASKER)
    assert _rows(served, GuideEvent) == []


@pytest.mark.parametrize(
    "query",
    [
        "x" * 4000,
        ":tada: :tada: :sparkles:",
        "?!... ---",
        "<@U0OTHER1> <!channel> <!subteam^S123> <https://evil.example|click me> & more",
        "如何给同事反馈",
        "كيف أعطي ملاحظات لزميلي",
        "ﾌｨｰﾄﾞﾊﾞｯｸ",
    ],
)
def test_odd_queries_get_a_sensible_answer_and_nothing_unescaped(served, query):
    reply = served.slack.command(Command.LEARN, query)

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    shown = _texts(answer["blocks"])
    for markup in ("<!channel>", "<@U0OTHER1>", "<!subteam", "<https://evil"):
        assert markup not in shown
    assert len(shown) < 20000


def test_a_mention_injection_is_echoed_escaped(served):
    answer = served.slack.command(Command.LEARN, "zzqx <!here> &lt;tricks&gt;").json()
    assert "&lt;!here&gt;" in _texts(answer["blocks"])


def test_share_posts_the_guide_publicly_credited_and_remembers_the_message(served):
    url = served.emulator.response_url("share")
    reply = served.slack.click(
        Action.SHARE_GUIDE, state("sbi-feedback", ["feedforward"]), response_url=url
    )

    assert reply.status == 200
    [post] = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    assert f"Shared by <@{ASKER}>" in _texts(post.json_arg("blocks"))
    [message] = _rows(served, GuideMessage)
    assert (message.guide_id, message.channel_id, message.shared_by) == (
        "sbi-feedback",
        CHANNEL,
        ASKER,
    )
    assert [e.kind for e in _rows(served, GuideEvent)] == ["share"]
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert said["text"].startswith("Shared *Giving feedback")


def test_share_where_the_bot_is_not_a_member_explains_what_to_do(served):
    served.emulator.fail("chat.postMessage", 200, error="not_in_channel")
    served.slack.click(
        Action.SHARE_GUIDE, state("sbi-feedback"), response_url=served.emulator.response_url()
    )

    [(_, said)] = served.emulator.wait_for_responses(1)
    assert "/invite @inflow" in said["text"]
    assert _rows(served, GuideMessage) == []


def test_other_matches_lists_the_runners_up(served):
    served.slack.click(
        Action.OTHER_MATCHES,
        state("sbi-feedback", ["feedforward", "asking-for-feedback"]),
        response_url=served.emulator.response_url(),
    )
    [(_, said)] = served.emulator.wait_for_responses(1)
    shown = _texts(said["blocks"])
    assert "Feedforward" in shown and "Asking for feedback" in shown


def test_rating_buttons_keep_one_vote_per_person(served):
    value = state("five-whys")
    served.slack.click(Action.HELPFUL, value, response_url=served.emulator.response_url())
    served.slack.click(Action.NOT_HELPFUL, value, response_url=served.emulator.response_url())

    [vote] = _rows(served, Rating)
    assert (vote.guide_id, vote.user_id, vote.value) == ("five-whys", ASKER, -1)
    responses = served.emulator.wait_for_responses(2)
    assert responses[-1][1]["replace_original"] is True
    assert "didn't help" in _texts(responses[-1][1]["blocks"])


def test_a_button_for_a_guide_no_longer_served_answers_kindly(served):
    served.slack.click(
        Action.HELPFUL, state("no-such-guide"), response_url=served.emulator.response_url()
    )
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert "no longer in the library" in said["text"]
    assert _rows(served, Rating) == []


def test_browse_offers_categories_then_lists_one(served):
    menu = served.slack.command(Command.LEARN, "browse").json()
    options = menu["blocks"][0]["accessory"]["options"]
    assert {o["value"] for o in options} >= {"decisions", "coaching-and-managing"}

    served.slack.click(
        Action.BROWSE_CATEGORY,
        "",
        selected="decisions",
        response_url=served.emulator.response_url(),
    )
    [(_, said)] = served.emulator.wait_for_responses(1)
    shown = _texts(said["blocks"])
    assert "DACI" in shown and "RACI" in shown
    assert f"{Action.OPEN_GUIDE}:0" in shown


def test_opening_a_guide_from_a_list_records_a_view(served):
    served.slack.click(
        f"{Action.OPEN_GUIDE}:1", "premortem", response_url=served.emulator.response_url()
    )
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert said["blocks"][0]["text"]["text"].lower().startswith("premortem")
    assert [(e.guide_id, e.kind) for e in _rows(served, GuideEvent)] == [("premortem", "view")]


def test_database_down_tells_the_person_to_try_again(served, monkeypatch):
    from bot.db import make_engine, make_sessionmaker

    unreachable = make_sessionmaker(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    monkeypatch.setattr(served.wsgi.app, "_sessions", unreachable)

    reply = served.slack.command(Command.LEARN, "how do I run a retro")

    assert reply.status == 200
    assert "try again in a minute" in reply.json()["text"]
