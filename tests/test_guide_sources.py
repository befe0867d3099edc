"""Work becoming content: *Save as a guide draft* on a message, *Turn into a guide* on a
debrief's summary and on a shared lesson, *Write a guide* in the report. Each opens the guide
form filled from what was written, for the library's owners only, and never carries what its
readers could not see."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import select

from bot.emulator import TEAM_ID
from bot.library import prefill
from bot.library.fields import GuideFields, guide_source, problems_by_field
from bot.models import Debrief, MistakeMoment, WorkspaceGuide
from bot.services import library as library_service
from bot.services.library import GuideEventKind
from bot.services.report import ChosenPair, GapGroup, LibraryReport, Period
from bot.slack import authoring as blocks
from bot.slack.guide_sources import read_question_value
from bot.slack.ids import (
    Command,
    DebriefAction,
    Field,
    GuideSourceAction,
    Shortcut,
    View,
)
from bot.slack.report import report_message

ADMIN, AUTHOR, PERSON = "U0ADMIN01", "U0AUTHOR1", "U0PERSON1"
ANA, BEN = "U0ANA0001", "U0BEN0001"
CHANNEL, LEARNING = "C0GENERAL", "C0LEARNING"
TODAY = dt.date(2026, 11, 23)  # the clock fixture's day
_clicks = itertools.count(1)

MESSAGE = (
    "Handing over the night shift: *walk the line together* first. <@U0BEN0001> showed me how, "
    "<!here> please try it.\n"
    "• name what is running &amp; what is due\n"
    "• write it on the board in <#C0OPS|ops>\n"
    "More in <https://wiki.example.com/handover|the wiki>."
)


@pytest.fixture
def settings(settings):
    """One workspace with an inflow admin and a learning channel."""
    return settings.model_copy(update={"admin_user_ids": [ADMIN], "learning_channel": LEARNING})


# -- helpers ----------------------------------------------------------------------------------


def _opened(served) -> list[dict]:
    return [call.json_arg("view") for call in served.emulator.calls_to("views.open")]


def _initial(view: dict) -> dict[str, object]:
    """The form's initial values by field name (the text inputs, selects and date)."""
    found: dict[str, object] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, name = block["element"], block["block_id"].removeprefix("guide_")
        found[name] = (
            element.get("initial_value")
            or (element.get("initial_option") or {}).get("value")
            or element.get("initial_date")
        )
    return found


def _as_submitted(view: dict, **changes: str) -> dict[str, dict]:
    """What Slack submits for the form with its initial values, `changes` typed on top."""
    values: dict[str, dict] = {}
    initial = {**_initial(view), **changes}
    for name, value in initial.items():
        block = blocks.block_of(name)
        if name in ("kind", "category"):
            option = {"value": value} if value else None
            values[block] = {"type": "static_select", "selected_option": option}
        elif name == "review_by":
            values[block] = {"type": "datepicker", "selected_date": value}
        else:
            values[block] = {"type": "plain_text_input", "value": value}
    return values


def _shortcut(served, user_id: str, text: str = MESSAGE, **message: str) -> list[dict]:
    served.emulator.reset_calls()
    reply = served.slack.shortcut(
        Shortcut.SAVE_AS_GUIDE,
        user_id=user_id,
        message={
            "type": "message",
            "user": ANA,
            "ts": "1795000000.123456",
            "text": text,
            **message,
        },
    )
    assert reply.status == 200 and reply.text == ""
    return _opened(served)


def _click(
    served, action_id: str, value: str, *, user_id: str, channel_id: str = CHANNEL
) -> list[dict]:
    """Press a button on a message in `channel_id`; what inflow answered through the
    response_url."""
    served.emulator.reset_calls()
    name = f"click-{next(_clicks)}"
    served.slack.click(
        action_id,
        value,
        response_url=served.emulator.response_url(name),
        user_id=user_id,
        channel_id=channel_id,
        message_ts="1795000001.000100",
    )
    return [body for where, body in served.emulator.responses if where == f"/response/{name}"]


def _button(blocks_: list[dict], action_id: str) -> dict:
    for block in blocks_:
        for element in block.get("elements", []):
            if str(element.get("action_id", "")).startswith(action_id):
                return element
    raise AssertionError(f"no {action_id} in {json.dumps(blocks_)[:300]}")


def _saved(served) -> list[WorkspaceGuide]:
    with served.session() as session:
        return list(session.scalars(select(WorkspaceGuide)))


# -- the message shortcut -----------------------------------------------------------------------


def test_the_shortcut_opens_the_form_filled_from_the_message_without_a_ping(served):
    [view] = _shortcut(served, ADMIN)

    assert view["callback_id"] == View.GUIDE_FORM
    filled = _initial(view)
    assert filled["title"] == "Handing over the night shift"
    assert filled["summary"] == ("Handing over the night shift: walk the line together first.")
    body = str(filled["body"])
    assert body.startswith("Handing over the night shift: **walk the line together** first.")
    assert f"Person {BEN} showed me how, everyone here please try it." in body
    assert "- name what is running & what is due\n- write it on the board in #ops" in body
    assert "the wiki (https://wiki.example.com/handover)" in body
    assert "<@" not in body and "<!" not in body and "@here" not in body
    assert body.endswith(
        f"## Where it comes from\nFrom a message by Person {ANA} on 18 Nov 2026: "
        f"https://inflow-test.slack.com/archives/{CHANNEL}/p1795000000123456"
    )
    assert filled["owner"] == "u0admin01@example.com"
    assert "Filled from a message" in json.dumps(view["blocks"])
    assert _saved(served) == []  # a form, nothing saved yet


def test_a_form_filled_from_a_message_saves_a_draft_once_its_owner_adds_what_a_guide_needs(served):
    [view] = _shortcut(served, ADMIN)
    values = _as_submitted(
        view,
        category="meetings-and-collaboration",
        when="When one shift hands a running line over to the next.",
        tags="handover, shifts",
    )

    reply = served.slack.submit(View.GUIDE_FORM, values, user_id=ADMIN)

    assert reply.status == 200 and reply.text == ""
    [draft] = _saved(served)
    assert draft.state == "draft" and draft.guide_id == "handing-over-the-night-shift"
    assert "Person U0ANA0001 on 18 Nov 2026" in draft.source


def test_someone_who_does_not_own_the_library_is_told_why_in_a_small_modal_and_gets_no_form(
    served,
):
    [view] = _shortcut(served, PERSON)

    assert view.get("callback_id") != View.GUIDE_FORM
    shown = json.dumps(view["blocks"])
    assert "library's owners" in shown and "/learn authors add" in shown
    assert MESSAGE[:20] not in shown


def test_an_author_named_by_an_admin_can_save_a_message_as_a_guide(served):
    served.slack.command(Command.LEARN, f"authors add <@{AUTHOR}|ana>", user_id=ADMIN)

    [view] = _shortcut(served, AUTHOR)

    assert view["callback_id"] == View.GUIDE_FORM
    assert _initial(view)["owner"] == "u0author1@example.com"


# -- a debrief's summary -------------------------------------------------------------------------


def _debrief_summary(served) -> list[dict]:
    """A debrief in CHANNEL with two views, summarised; the summary's blocks."""
    served.slack.command(Command.DEBRIEF, "the spring launch", channel_id=CHANNEL, user_id=ANA)
    with served.session() as session:
        debrief = session.scalars(select(Debrief)).one()
    for user, worked, differently in (
        (ANA, "pairing on the release", "freeze the price list a week before"),
        (BEN, "the <!channel> checklist", "book the room early"),
    ):
        values = {
            "worked": {"type": "plain_text_input", "value": worked},
            "differently": {"type": "plain_text_input", "value": differently},
            "did_not": {"type": "plain_text_input", "value": None},
            "happened": {"type": "plain_text_input", "value": None},
        }
        served.slack.submit(
            View.DEBRIEF, values, user_id=user, private_metadata=json.dumps({"d": debrief.id})
        )
    served.emulator.reset_calls()
    served.slack.click(
        DebriefAction.SUMMARY,
        str(debrief.id),
        user_id=ANA,
        channel_id=CHANNEL,
        response_url=served.emulator.response_url(),
    )
    [summary] = served.emulator.calls_to("chat.postMessage")
    return summary.json_arg("blocks")


def test_turn_into_a_guide_opens_the_form_filled_from_the_debriefs_summary(served):
    button = _button(_debrief_summary(served), GuideSourceAction.FROM_DEBRIEF)

    assert _click(served, button["action_id"], button["value"], user_id=ADMIN) == []

    [view] = _opened(served)
    filled = _initial(view)
    assert filled["title"] == "What we learned: the spring launch"
    assert "the spring launch" in str(filled["when"])
    assert str(filled["body"]).startswith(
        "## Steps\n1. freeze the price list a week before\n2. book the room early\n\n"
        "## What worked\n- pairing on the release\n- the the whole channel checklist"
    )
    assert ANA not in json.dumps(view) and BEN not in json.dumps(view)  # points, not names


def test_a_debriefs_summary_gives_nothing_to_someone_who_does_not_own_the_library(served):
    button = _button(_debrief_summary(served), GuideSourceAction.FROM_DEBRIEF)

    [said] = _click(served, button["action_id"], button["value"], user_id=PERSON)

    assert "library's owners" in said["text"] and "freeze" not in json.dumps(said)
    assert _opened(served) == []


def test_a_debrief_is_turned_into_a_guide_only_from_its_own_channel(served):
    button = _button(_debrief_summary(served), GuideSourceAction.FROM_DEBRIEF)

    [said] = _click(
        served, button["action_id"], button["value"], user_id=ADMIN, channel_id="C0ELSEWHERE"
    )

    assert "not here" in said["text"] and "freeze" not in json.dumps(said)
    assert _opened(served) == []


# -- a shared lesson -----------------------------------------------------------------------------

LESSON = "Read the file name aloud before pushing a price file. It takes two seconds."
PRIVATE = "I pushed the wrong price file and customers saw it"


def _lesson(served, *, share: bool) -> int:
    """A mistake moment of ANA's with a lesson, shared to LEARNING or not; the moment's id."""
    form = {
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": PRIVATE},
        Field.COLLEAGUE: {"type": "users_select", "selected_user": None},
        Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": "now"}},
    }
    served.slack.submit(View.MISTAKE_MOMENT, form, user_id=ANA)
    with served.session() as session:
        moment_id = session.scalars(select(MistakeMoment.id)).one()
    values = {Field.LESSON: {"type": "plain_text_input", "value": LESSON}}
    if share:
        values[Field.SHARE_LESSON] = {
            "type": "checkboxes",
            "selected_options": [{"value": "share"}],
        }
    served.emulator.reset_calls()
    served.slack.submit(
        View.LESSON, values, user_id=ANA, private_metadata=json.dumps({"moment": moment_id})
    )
    return moment_id


def test_turn_into_a_guide_opens_the_form_filled_from_a_shared_lesson_without_its_author(served):
    _lesson(served, share=True)
    [post] = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == LEARNING
    button = _button(post.json_arg("blocks"), GuideSourceAction.FROM_LESSON)

    _click(served, button["action_id"], button["value"], user_id=ADMIN, channel_id=LEARNING)

    [view] = _opened(served)
    filled = _initial(view)
    assert filled["title"] == "Read the file name aloud before pushing a price file"
    assert filled["summary"] == "Read the file name aloud before pushing a price file."
    assert str(filled["body"]).startswith(f"## The lesson\n{LESSON}")
    shown = json.dumps(view)
    assert ANA not in shown and "Person" not in shown and PRIVATE not in shown


def test_a_lesson_its_author_did_not_share_cannot_be_turned_into_a_guide(served):
    moment_id = _lesson(served, share=False)

    [said] = _click(
        served, GuideSourceAction.FROM_LESSON, str(moment_id), user_id=ADMIN, channel_id=LEARNING
    )

    assert "no longer shared" in said["text"] and "file name" not in json.dumps(said)
    assert _opened(served) == []


def test_a_shared_lesson_is_turned_into_a_guide_only_where_it_was_shared(served):
    moment_id = _lesson(served, share=True)

    [said] = _click(
        served, GuideSourceAction.FROM_LESSON, str(moment_id), user_id=ADMIN, channel_id=CHANNEL
    )

    assert "no longer shared" in said["text"]
    assert _opened(served) == []


# -- the report ---------------------------------------------------------------------------------

GAP = "badge printer keeps jamming"


def test_write_a_guide_on_a_search_that_found_nothing_opens_the_form_with_the_question(served):
    for n in range(5):  # five people: the report shows what they typed
        served.slack.command(Command.LEARN, GAP, user_id=f"U0GAP000{n}")
    report = served.slack.command(Command.LEARN, "report", user_id=ADMIN).json()
    button = _button(report["blocks"], GuideSourceAction.FROM_GAP)
    assert button["text"]["text"] == f"Write a guide: “{GAP}”"

    _click(served, button["action_id"], button["value"], user_id=ADMIN)

    [view] = _opened(served)
    filled = _initial(view)
    assert filled["title"] == "Badge printer keeps jamming"
    assert filled["when"] == f"When someone asks “{GAP}”."


def test_write_a_guide_on_asked_then_chose_opens_the_form_naming_the_guide_they_chose(
    served, clock
):
    with served.session() as session:
        for user in ("U0CHOSE01", "U0CHOSE02"):  # two people: the report shows the pair
            library_service.record_event(
                session,
                team_id=TEAM_ID,
                guide_id="active-listening",
                user_id=user,
                kind=GuideEventKind.CHOSEN,
                now=clock() - dt.timedelta(days=1),
                query="hearing people out",
            )
        session.commit()
    report = served.slack.command(Command.LEARN, "report", user_id=ADMIN).json()
    button = _button(report["blocks"], GuideSourceAction.FROM_CHOSEN)

    _click(served, button["action_id"], button["value"], user_id=ADMIN)

    [view] = _opened(served)
    filled = _initial(view)
    assert filled["title"] == "Hearing people out"
    assert filled["when"] == (
        "When someone asks “hearing people out” (people asking this picked “Active listening: "
        "so the other person feels heard” for now)."
    )


def test_write_a_guide_from_the_report_is_refused_to_someone_who_does_not_own_the_library(
    served,
):
    value = json.dumps({"q": GAP, "o": []})

    [said] = _click(served, f"{GuideSourceAction.FROM_GAP}:0", value, user_id=PERSON)

    assert "library's owners" in said["text"]
    assert _opened(served) == []


def test_the_report_offers_write_a_guide_for_gaps_in_peoples_words_and_for_asked_then_chose():
    period = Period.last(30, now=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    report = LibraryReport(
        team_id="T0INFLOW1",
        period=period,
        gaps=[
            GapGroup("badge printer", ("printer badge",), people=6, searches=9),
            GapGroup("printing", (), people=5, searches=5, as_asked=False),  # topic words
        ],
        chosen=[
            ChosenPair("hard talk with my lead", "difficult-conversations", "Hard talks", 3, 4)
        ],
    )

    message = report_message(report)

    gap = _button(message["blocks"], GuideSourceAction.FROM_GAP)
    assert read_question_value(gap["value"]) == ("badge printer", ["printer badge"], None)
    chose = _button(message["blocks"], GuideSourceAction.FROM_CHOSEN)
    assert read_question_value(chose["value"]) == ("hard talk with my lead", [], "Hard talks")
    gap_buttons = [
        e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if str(e.get("action_id", "")).startswith(GuideSourceAction.FROM_GAP)
    ]
    assert len(gap_buttons) == 1  # topic words are not a question anyone asked
    assert len(message["blocks"]) <= 50


# -- guessing a guide from what was written (no Slack) -------------------------------------------


def test_slack_markup_becomes_plain_markdown_with_names_and_no_pings():
    text = (
        "<@U1> and <@U2|bo> ask <!channel>, <!subteam^S1|@ops> and <!everyone>: "
        "see <mailto:a@b.co|a@b.co>, <https://x.io> &lt;now&gt; @here"
    )

    made = prefill.markdown_from_slack(text, {"U1": "Ana López"})

    assert made == (
        "Ana López and bo ask the whole channel, ops and everyone: see a@b.co, https://x.io "
        "<now> everyone here"
    )
    assert prefill.mentioned_people(text) == ["U1", "U2"]


def test_a_line_that_starts_with_a_channel_or_a_hash_is_not_read_as_a_heading():
    made = prefill.markdown_from_slack("<#C1|ops> is where we hand over\n#1 rule: walk it")

    assert made == "- #ops is where we hand over\n- #1 rule: walk it"


def test_slack_bold_becomes_markdown_bold_and_italic_and_code_stay():
    made = prefill.markdown_from_slack("*Do this* _gently_ with `git push` and 2*3*4")

    assert made == "**Do this** _gently_ with `git push` and 2*3*4"


def test_a_title_is_the_first_line_or_sentence_within_the_schemas_length():
    assert prefill.title_guess("**Walk the line.** Then talk.\nMore") == "Walk the line"
    long = "word " * 40
    title = prefill.title_guess(long)
    assert title is not None and len(title) <= 75 and not title.endswith(" ")
    assert prefill.title_guess("  \n ") is None


def test_a_summary_is_one_sentence_of_ten_to_two_hundred_characters():
    assert prefill.summary_guess("Hi. Hand the shift over on the line. Then rest.") == (
        "Hand the shift over on the line."
    )
    summary = prefill.summary_guess("word " * 100)
    assert summary is not None and 10 <= len(summary) <= 200 and summary.endswith(".")
    assert prefill.summary_guess("ok.") is None


def test_a_long_message_keeps_its_credit_within_the_forms_body():
    fields = prefill.from_message("line of words\n" * 400, author="Ana", link="https://x.io/p1")

    assert fields.body is not None and len(fields.body) <= 3000
    assert fields.body.endswith("## Where it comes from\nFrom a message by Ana: https://x.io/p1")
    assert "…" in fields.body


def test_a_debrief_becomes_steps_what_worked_common_mistakes_and_an_example():
    fields = prefill.from_debrief(
        "launch",
        {
            "What would we do differently?": ["book early"],
            "What worked?": ["pairing"],
            "What did not?": ["late  freeze\nof prices"],
            "What happened?": ["we shipped late"],
        },
        views=3,
        closed=TODAY,
    )

    assert fields.body == (
        "## Steps\n1. book early\n\n## What worked\n- pairing\n\n"
        "## Common mistake\n- late freeze of prices\n\n## Example\n- we shipped late\n\n"
        "## Where it comes from\nThe team's debrief of “launch” on 23 Nov 2026 (3 views)."
    )


def test_what_is_prefilled_from_a_debrief_passes_lint_once_the_owner_adds_area_and_tags():
    fields = prefill.from_debrief(
        "the spring launch",
        {"What would we do differently?": ["freeze prices a week before"]},
        views=2,
    )
    complete = GuideFields(
        **{
            **vars(fields),
            "kind": "guide",
            "category": "learning-from-the-work",
            "tags": ("launch",),
            "owner": "a@example.com",
            "review_by": dt.date(2027, 5, 1),
        }
    )
    source = guide_source(complete, guide_id="what-we-learned")

    assert problems_by_field(complete, source, guide_id="what-we-learned", today=TODAY) == {}


def test_a_question_becomes_the_title_its_other_wordings_names_and_when_to_use_it():
    fields = prefill.from_question("badge printer", ["printer badge", "Badge printer"])

    assert fields.title == "Badge printer"
    assert fields.aliases == ("printer badge",)
    assert fields.when == "When someone asks “badge printer”."
    chose = prefill.from_question("hard talk", chose="Hard talks")
    assert (
        chose.when
        == "When someone asks “hard talk” (people asking this picked “Hard talks” for now)."
    )
