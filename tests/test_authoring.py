"""Writing the library in Slack: owners and authors, `/learn new` and its form, lint beside each
field, drafts never served, *Publish* / *Edit* / *Discard* once each, *Edit* on a guide, two
owners at once, forged requests, and no @channel from a guide."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import select

from bot.emulator import TEAM_ID
from bot.models import LibraryAuthor, WorkspaceGuide
from bot.services.workspace_guides import GuideState
from bot.slack import authoring as blocks
from bot.slack.ids import Command, DraftAction, GuideField, View

ADMIN, AUTHOR, PERSON, OTHER_ADMIN = "U0ADMIN01", "U0AUTHOR1", "U0PERSON1", "U0ADMIN02"
TITLE = "Night shift handover"
GUIDE_ID = "night-shift-handover"
TODAY = dt.date(2026, 11, 23)  # the clock fixture's day
_askers = itertools.count(1)

WHEN = "When one shift hands a running line over to the next, and nothing may be lost."
BODY = """## Steps
1. **Walk the line together** for ten minutes.
2. Name what is running, what is due and what is odd.
3. Write the three things down where the next shift looks first.

## Common mistake
Handing over from the break room: the details stay on the line."""


@pytest.fixture
def settings(settings):
    """One workspace whose inflow admins come from INFLOW_ADMINS."""
    return settings.model_copy(update={"admin_user_ids": [ADMIN, OTHER_ADMIN]})


# -- what people send, as Slack sends it ----------------------------------------------------------


def _text(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def _option(value: str | None) -> dict:
    return {"type": "static_select", "selected_option": {"value": value} if value else None}


def _values(**changes: str | None) -> dict[str, dict]:
    """A complete, valid guide form, with `changes` (field name -> text) on top."""
    given: dict[str, str | None] = {
        "title": TITLE,
        "kind": "guide",
        "category": "meetings-and-collaboration",
        "summary": "Hand a running shift over so nothing is lost between the two teams.",
        "when": WHEN,
        "body": BODY,
        "aliases": "shift handover, handing over a shift",
        "tags": "handover, shifts",
        "owner": "ops-learning@example.com",
        "review_by": "2027-05-31",
    }
    given.update(changes)
    values = {}
    for name, value in given.items():
        block = blocks.block_of(name)
        if name in ("kind", "category"):
            values[block] = _option(value)
        elif name == "review_by":
            values[block] = {"type": "datepicker", "selected_date": value}
        else:
            values[block] = _text(value)
    return values


def _as_submitted(view: dict) -> dict[str, dict]:
    """What Slack submits for a form nobody changed: its initial values."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {
                "type": "static_select",
                "selected_option": element.get("initial_option"),
            }
        elif element["type"] == "datepicker":
            values[block["block_id"]] = {
                "type": "datepicker",
                "selected_date": element.get("initial_date"),
            }
        else:
            values[block["block_id"]] = _text(element.get("initial_value"))
    return values


def _learn(served, words: str, user_id: str | None = None) -> dict:
    """/learn, each time from someone else unless named (a second identical request is a replay)."""
    user_id = user_id or f"W0ASKER{next(_askers):03d}"
    return served.slack.command(Command.LEARN, words, user_id=user_id).json()


def _open_new(served, user_id: str = ADMIN) -> dict:
    """`/learn new` as `user_id`; the form it opened."""
    served.emulator.reset_calls()
    reply = served.slack.command(Command.LEARN, "new", user_id=user_id)
    assert reply.status == 200 and reply.text == ""
    [opened] = served.emulator.calls_to("views.open")
    return opened.json_arg("view")


def _submit(served, values: dict, *, user_id: str = ADMIN, metadata: str = "") -> dict:
    served.emulator.reset_calls()
    reply = served.slack.submit(View.GUIDE_FORM, values, user_id=user_id, private_metadata=metadata)
    assert reply.status == 200
    return reply.json() if reply.text else {}


def _preview(served, user_id: str = ADMIN) -> dict:
    """The draft's preview, sent to its author as a DM."""
    dm = served.emulator.dm_of(user_id)
    [sent] = [c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == dm]
    return {"text": sent.args.get("text", ""), "blocks": sent.json_arg("blocks")}


def _button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {json.dumps(message)[:300]}")


def _buttons(message: dict) -> set[str]:
    return {
        e.get("action_id")
        for b in message["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button"
    }


def _click(served, action_id: str, value: str, user_id: str = ADMIN) -> list[dict]:
    """Press a button in inflow's DM; what inflow answered through the response_url."""
    served.emulator.reset_calls()
    name = f"{action_id}-{next(_askers)}"
    served.slack.click(
        action_id,
        value,
        response_url=served.emulator.response_url(name),
        user_id=user_id,
        channel_id=served.emulator.dm_of(user_id),
    )
    return [body for where, body in served.emulator.responses if where == f"/response/{name}"]


def _versions(served, guide_id: str = GUIDE_ID) -> list[tuple[int, str, str]]:
    with served.session() as session:
        rows = session.scalars(
            select(WorkspaceGuide)
            .where(WorkspaceGuide.team_id == TEAM_ID, WorkspaceGuide.guide_id == guide_id)
            .order_by(WorkspaceGuide.version)
        )
        return [(r.version, r.state, r.created_by) for r in rows]


def _found(served, words: str, title: str) -> bool:
    answer = _learn(served, words)
    blocks_ = answer.get("blocks") or []
    return bool(blocks_) and blocks_[0].get("text", {}).get("text") == title


def _served_within_the_window(served, clock, words: str, title: str) -> bool:
    """Whether /learn answers `title` once the replica noticed the change (2 s) and rebuilt."""
    clock.advance(seconds=2)
    _learn(served, words)  # notices the change; the rebuild runs after this answer
    return _found(served, words, title)


def _draft(served, user_id: str = ADMIN, **changes: str | None) -> dict:
    """Write a guide with the form and save it as a draft; its preview."""
    _open_new(served, user_id)
    assert _submit(served, _values(**changes), user_id=user_id) == {}
    return _preview(served, user_id)


# -- who may write -------------------------------------------------------------------------------


def test_someone_who_does_not_own_the_library_is_refused_kindly_and_gets_no_form(served):
    reply = served.slack.command(Command.LEARN, "new", user_id=PERSON).json()

    assert reply["response_type"] == "ephemeral"
    assert "library's owners" in reply["text"] and "/learn authors add" in reply["text"]
    assert served.emulator.calls_to("views.open") == []


def test_an_admin_names_an_author_who_can_then_open_the_form(served):
    named = served.slack.command(
        Command.LEARN, f"authors add <@{AUTHOR}|ana>", user_id=ADMIN
    ).json()
    assert f"Added <@{AUTHOR}> as authors." in json.dumps(named)

    view = _open_new(served, AUTHOR)
    assert view["callback_id"] == View.GUIDE_FORM
    listed = _learn(served, "authors", user_id=PERSON)
    assert f"Authors: <@{AUTHOR}>" in json.dumps(listed)


def test_someone_who_is_not_an_admin_cannot_name_authors(served):
    reply = served.slack.command(
        Command.LEARN, f"authors add <@{PERSON}|me>", user_id=PERSON
    ).json()

    assert "Only this workspace's inflow admins name the library's authors" in reply["text"]
    with served.session() as session:
        assert session.scalars(select(LibraryAuthor)).all() == []


def test_a_removed_author_can_no_longer_write(served):
    served.slack.command(Command.LEARN, f"authors add <@{AUTHOR}|ana>", user_id=ADMIN)
    served.slack.command(Command.LEARN, f"authors remove <@{AUTHOR}|ana>", user_id=ADMIN)

    reply = served.slack.command(Command.LEARN, "new", user_id=AUTHOR).json()
    assert "library's owners" in reply["text"]


# -- the form, linted --------------------------------------------------------------------------


def test_the_form_starts_with_a_review_date_about_six_months_on(served):
    view = _open_new(served)

    [review] = [b for b in view["blocks"] if b.get("block_id") == GuideField.REVIEW_BY]
    assert review["element"]["initial_date"] == (TODAY + dt.timedelta(days=182)).isoformat()
    assert json.loads(view["private_metadata"]) == {"g": "", "b": 0}


def test_each_problem_is_shown_beside_its_field_and_nothing_is_saved(served):
    _open_new(served)
    answer = _submit(
        served,
        _values(summary="Too short", when="", body="## Steps\n" + "word " * 400),
    )

    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {GuideField.SUMMARY, GuideField.WHEN, GuideField.BODY}
    assert "at least 10 characters" in errors[GuideField.SUMMARY]
    assert "when this guide helps" in errors[GuideField.WHEN]
    assert "keep guides under 350" in errors[GuideField.BODY]
    assert _versions(served) == []
    assert served.emulator.calls_to("chat.postMessage") == []


def test_a_section_over_slacks_limit_is_shown_beside_the_body(served):
    _open_new(served)
    long_section = "## Steps\n" + "x" * 3100
    answer = _submit(served, _values(body=long_section))

    assert "over Slack's 3000 characters" in answer["errors"][GuideField.BODY]
    assert _versions(served) == []


# -- draft, preview, publish ----------------------------------------------------------------------


def test_a_submitted_form_saves_a_draft_that_is_not_served_and_previews_it(served, clock):
    preview = _draft(served)

    assert _versions(served) == [(1, GuideState.DRAFT.value, ADMIN)]
    assert preview["blocks"][1]["text"]["text"] == TITLE  # the header, as /learn shows it
    assert {DraftAction.PUBLISH, DraftAction.EDIT, DraftAction.DISCARD} <= _buttons(preview)
    assert "Walk the line together" in json.dumps(preview)
    assert not _served_within_the_window(served, clock, "night shift handover", TITLE)
