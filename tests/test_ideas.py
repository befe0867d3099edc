"""Pitch, Prototype, Pilot end to end: the pitch, the sponsor, each stage's question, the list."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import Idea, IdeaStep
from bot.services.ideas import QUESTIONS, Stage
from bot.slack.ideas import move_value
from bot.slack.ids import Command, Field, IdeaAction, View

AUTHOR, SPONSOR, STRANGER = "U0ASKER01", "U0SPONSOR", "U0STRANGE"
IDEA = "Text reminders the day before appointments to cut no-shows"


def _ideas(served) -> list[Idea]:
    with served.session() as session:
        return list(session.scalars(select(Idea)))


def _steps(served) -> list[tuple[str, str | None]]:
    with served.session() as session:
        return [
            (s.stage, s.answer) for s in session.scalars(select(IdeaStep).order_by(IdeaStep.id))
        ]


def _pitch(served):
    return served.slack.command(Command.PITCH, f"{IDEA} <@{SPONSOR}|sam>")


def _move(
    served,
    to: Stage,
    answer: str,
    *,
    user: str = SPONSOR,
    learned: str | None = None,
    seen: Stage | None = None,
):
    idea = _ideas(served)[0]
    values = {Field.ANSWER: {"type": "plain_text_input", "value": answer}}
    if learned is not None:
        values[Field.LEARNED] = {"type": "plain_text_input", "value": learned}
    meta = json.dumps({"i": idea.id, "from": (seen or Stage(idea.stage)).value, "to": to.value})
    return served.slack.submit(View.IDEA_STAGE, values, user_id=user, private_metadata=meta)


def test_pitch_records_the_idea_and_asks_the_sponsor(served, clock):
    answer = _pitch(served).json()

    assert "at *Pitch*" in answer["text"]
    [idea] = _ideas(served)
    assert (idea.author_id, idea.sponsor_id, idea.stage, idea.title) == (
        AUTHOR,
        SPONSOR,
        "pitch",
        IDEA,
    )
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert dm.args["text"] == f"<@{AUTHOR}> pitched an idea and asked you to sponsor it: “{IDEA}”"
    assert IdeaAction.ADVANCE in json.dumps(dm.json_arg("blocks"))
    assert _steps(served) == [("pitch", IDEA)]


def test_pitch_without_a_sponsor_opens_the_form_with_the_idea(served):
    served.slack.command(Command.PITCH, IDEA)
    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    assert view["callback_id"] == View.PITCH
    assert view["blocks"][1]["element"]["initial_value"] == IDEA
    assert _ideas(served) == []


def test_you_cannot_sponsor_your_own_idea(served):
    answer = served.slack.command(Command.PITCH, f"{IDEA} <@{AUTHOR}>").json()
    assert "other than yourself" in answer["text"]
    assert _ideas(served) == []


def test_the_sponsors_button_asks_the_prototype_question(served):
    _pitch(served)
    idea = _ideas(served)[0]
    served.slack.click(
        IdeaAction.ADVANCE,
        move_value(idea, Stage.PROTOTYPE),
        user_id=SPONSOR,
        response_url=served.emulator.response_url(),
    )

    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    assert view["blocks"][1]["label"]["text"] == "What would have to happen for this to work?"


def test_a_stranger_cannot_move_the_idea(served):
    _pitch(served)
    idea = _ideas(served)[0]
    served.slack.click(
        IdeaAction.ADVANCE,
        move_value(idea, Stage.PROTOTYPE),
        user_id=STRANGER,
        response_url=served.emulator.response_url(),
    )

    assert served.emulator.calls_to("views.open") == []
    [(_, said)] = served.emulator.wait_for_responses(1)
    assert "Only the idea's author and sponsor" in said["text"]


def test_each_advance_records_the_answer_and_tells_the_other_person(served):
    _pitch(served)
    served.emulator.reset()

    assert _move(served, Stage.PROTOTYPE, "Clinics share their booking export").text == ""

    assert _ideas(served)[0].stage == "prototype"
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert served.emulator.calls_to("conversations.open")[0].args["users"] == AUTHOR
    shown = json.dumps(dm.json_arg("blocks"))
    assert "moved to *Prototype*" in dm.args["text"]
    assert "Clinics share their booking export" in shown
    assert QUESTIONS[Stage.PILOT] in shown


def test_a_double_submit_moves_the_idea_once(served):
    _pitch(served)
    _move(served, Stage.PROTOTYPE, "first")
    again = _move(served, Stage.PROTOTYPE, "second", seen=Stage.PITCH).json()

    assert "already at Prototype" in again["errors"][Field.ANSWER]
    assert [s for s, _ in _steps(served)] == ["pitch", "prototype"]


def test_skipping_a_stage_is_refused(served):
    _pitch(served)
    answer = _move(served, Stage.PILOT, "straight to a pilot").json()
    assert "next stage is not Pilot" in answer["errors"][Field.ANSWER]


def test_the_whole_way_to_adopted_with_what_was_learned(served):
    _pitch(served)
    _move(served, Stage.PROTOTYPE, "a booking export")
    _move(served, Stage.PILOT, "two clinics, four weeks, no-shows down a fifth", user=AUTHOR)
    _move(served, Stage.ADOPTED, "no-shows fell 23%", learned="patients reply to texts, not emails")

    assert _ideas(served)[0].stage == "adopted"
    assert _steps(served)[-1] == ("adopted", "no-shows fell 23%")


def test_parking_asks_why_and_what_was_learned(served):
    _pitch(served)
    served.slack.click(
        IdeaAction.PARK,
        move_value(_ideas(served)[0], Stage.PARKED),
        user_id=AUTHOR,
        response_url=served.emulator.response_url(),
    )
    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    labels = [b.get("label", {}).get("text") for b in view["blocks"]]
    assert QUESTIONS[Stage.PARKED] in labels and "What did we learn?" in labels

    _move(
        served,
        Stage.PARKED,
        "the SMS vendor costs too much",
        user=AUTHOR,
        learned="check costs first",
    )
    assert _ideas(served)[0].stage == "parked"


def test_pitch_list_shows_stage_and_age(served, clock):
    _pitch(served)

    today = served.slack.command(Command.PITCH, "list").json()
    assert "At Pitch since today" in json.dumps(today["blocks"])
    clock.advance(days=3)

    mine = served.slack.command(Command.PITCH, "list").json()
    assert mine["response_type"] == "ephemeral"
    assert "At Pitch for 3 days" in json.dumps(mine["blocks"])
    sponsored = served.slack.command(Command.PITCH, "list", user_id=SPONSOR).json()
    assert "Ideas you sponsor" in json.dumps(sponsored["blocks"])


def test_pitch_help_answers_privately_and_opens_no_form(served):
    answer = served.slack.command(Command.PITCH, "help").json()

    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"])
    assert "sends your sponsor a DM" in shown and "/pitch list" in shown
    assert served.emulator.calls_to("views.open") == []
    assert _ideas(served) == []
