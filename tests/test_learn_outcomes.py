"""What `/learn` answers at first contact, end to end: one guide, "is it one of these?", help
for small talk, nothing; subcommands that never swallow a question; the shorter first view; and
the library's owners learning from what people chose."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.models import ContentGap, GuideAlias, GuideEvent, ManagerReport
from bot.slack.guides import state
from bot.slack.ids import Action, Command
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

ADMIN, ASKER, OTHER = "U0ADMIN01", "U0ASKER01", "U0OTHER01"


@pytest.fixture
def settings(database_url, emulator) -> Settings:
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        admin_user_ids=[ADMIN],
    )


def _shown(answer: dict) -> str:
    return json.dumps(answer.get("blocks", []), ensure_ascii=False) + answer.get("text", "")


def _buttons(answer: dict) -> dict[str, dict]:
    elements = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    elements += [b["accessory"] for b in answer["blocks"] if "accessory" in b]
    return {e["action_id"]: e for e in elements}


def _rows(served, model):
    with served.session() as session:
        return list(session.scalars(select(model)))


def _learn(served, text: str, user_id: str = ASKER) -> dict:
    return served.slack.command(Command.LEARN, text, user_id=user_id).json()


def _title(answer: dict) -> str:
    return answer["blocks"][0]["text"]["text"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("how to say no", "Saying no"),
        ("say no", "Saying no"),
        ("Hey, how do I run a retro?", "Running a team retrospective"),
    ],
)
def test_a_guide_named_in_other_words_is_the_answer(served, query, title):
    answer = _learn(served, query)

    assert _title(answer).startswith(title)
    [view] = _rows(served, GuideEvent)
    assert (view.kind, view.query) == ("view", query)


@pytest.mark.parametrize("query", ["hi", "thanks!", "what can you do", "test", "👋"])
def test_small_talk_gets_help_and_is_no_content_gap(served, query):
    answer = _learn(served, query)

    shown = _shown(answer)
    assert "/learn how to say no" in shown
    assert "I don't have a guide" not in shown
    assert _rows(served, ContentGap) == []
    assert _rows(served, GuideEvent) == []


def test_a_greeting_in_a_dm_gets_help_too(served):
    served.slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ASKER01",
            "user": ASKER,
            "text": "hello!",
            "ts": "1700000000.000100",
        }
    )
    served.settle()
    [post] = served.emulator.calls_to("chat.postMessage")
    assert "/learn how to say no" in json.dumps(post.json_arg("blocks"))
    assert _rows(served, ContentGap) == []


def test_something_clearly_outside_the_library_says_so_with_help(served):
    answer = _learn(served, "reset my vpn password")

    shown = _shown(answer)
    assert "I don't have a guide for “reset my vpn password”." in shown
    assert "IT, HR policy, payroll, facilities or code" in shown
    [gap] = _rows(served, ContentGap)
    assert gap.query == "reset my vpn password"


@pytest.mark.parametrize(
    "query", ["team building", "report writing", "suggestions for my retro", "my-data export"]
)
def test_a_subcommand_word_at_the_start_of_a_question_does_not_swallow_it(served, query):
    answer = _learn(served, query)

    assert "library report is for the library's owners" not in _shown(answer)
    assert "/learn suggestions off" not in _shown(answer)
    assert "You haven't named your reports" not in _shown(answer)
    assert _rows(served, ManagerReport) == []


def test_subcommands_still_run_on_their_exact_form(served):
    assert "You haven't named your reports" in _shown(_learn(served, "team"))
    assert "library report is for the library's owners" in _shown(_learn(served, "report"))
    assert "Library report" in _shown(_learn(served, "report 90", user_id=ADMIN))
    assert "/learn suggestions off" in _shown(_learn(served, "suggestions"))
    named = _learn(served, "team <@U0REPORT1|ana> <@U0REPORT2|ben>")
    assert "<@U0REPORT1>" in named["text"]
    assert len(_rows(served, ManagerReport)) == 2


def _visible(answer: dict) -> str:
    """The text a person reads in a message's blocks."""
    texts = []
    for block in answer["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [
            e.get("text", "") for e in block.get("elements", []) if block["type"] == "context"
        ]
    return "\n".join(texts)


def _whole(served, answer: dict) -> dict:
    whole = _buttons(answer)[Action.WHOLE_GUIDE]
    served.slack.click(
        Action.WHOLE_GUIDE, whole["value"], response_url=served.emulator.response_url()
    )
    return served.emulator.wait_for_responses(1)[-1][1]


def test_the_first_view_is_short_and_the_whole_guide_is_one_click_away(served):
    answer = _learn(served, "sbi")

    first = _shown(answer)
    assert "*Steps*" in first and "*When to use it*" in first
    assert "*Common mistake*" not in first and "*Example*" not in first
    assert len(_visible(answer)) < len(_visible(_whole(served, answer))) * 0.7
    said = _whole(served, answer)
    assert said["replace_original"] is True
    assert "*Common mistake*" in _shown(said) and "*Example*" in _shown(said)
    assert Action.WHOLE_GUIDE not in _buttons(said)
    assert Action.SHARE_GUIDE in _buttons(said)


def test_picking_from_other_matches_records_asked_then_chosen(served):
    answer = _learn(served, "prioritise the backlog")
    others = _buttons(answer)[Action.OTHER_MATCHES]["value"]

    served.slack.click(Action.OTHER_MATCHES, others, response_url=served.emulator.response_url())
    [(_, listed)] = served.emulator.wait_for_responses(1)
    first = next(b["accessory"] for b in listed["blocks"] if "accessory" in b)
    served.slack.click(
        first["action_id"], first["value"], response_url=served.emulator.response_url()
    )

    served.emulator.wait_for_responses(2)
    chosen = [e for e in _rows(served, GuideEvent) if e.kind == "chosen"]
    assert [(e.query, e.user_id) for e in chosen] == [("prioritise the backlog", ASKER)]
    assert chosen[0].guide_id == json.loads(first["value"])["g"]


def _choose(served, user_id: str, query: str, guide_id: str) -> None:
    served.slack.click(
        f"{Action.OPEN_GUIDE}:1",
        state(guide_id, query=query),
        user_id=user_id,
        response_url=served.emulator.response_url(),
    )


def test_owners_see_asked_then_chose_and_add_it_as_an_alias_in_one_click(served):
    query = "my teammate hogs every meeting"
    for person in (ASKER, OTHER):
        _choose(served, person, query, "effective-meetings")
    served.emulator.wait_for_responses(2)

    report = _learn(served, "report", user_id=ADMIN)
    [row] = [
        b for b in report["blocks"] if "hogs every meeting" in b.get("text", {}).get("text", "")
    ]
    assert "Meetings worth having" in row["text"]["text"]
    add = row["accessory"]
    assert add["text"]["text"] == "Add as alias"

    served.slack.click(
        add["action_id"], add["value"], user_id=ASKER, response_url=served.emulator.response_url()
    )
    served.slack.click(
        add["action_id"], add["value"], user_id=ADMIN, response_url=served.emulator.response_url()
    )
    refused, done = (said for _, said in served.emulator.wait_for_responses(4)[2:])
    assert "Only the library's owners" in refused["text"]
    assert done["text"].startswith("Done: “my teammate hogs every meeting” is now a name")
    [alias] = _rows(served, GuideAlias)
    assert (alias.guide_id, alias.added_by) == ("effective-meetings", ADMIN)

    assert _title(_learn(served, "My teammate hogs every meeting!")).startswith(
        "Meetings worth having"
    )
    after = _learn(served, "report", user_id=ADMIN)
    assert "hogs every meeting" not in _shown(after)


def test_one_persons_pick_is_not_listed(served):
    _choose(served, ASKER, "my teammate hogs every meeting", "effective-meetings")
    served.emulator.wait_for_responses(1)

    report = _learn(served, "report", user_id=ADMIN)
    assert "hogs every meeting" not in _shown(report)
