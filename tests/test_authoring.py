"""Writing the library in Slack: owners and authors, `/learn new` and its form, lint beside each
field, drafts never served, *Publish* / *Edit* / *Discard* once each, *Edit* on a guide, two
owners at once, forged requests, and no @channel from a guide."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading

import pytest
from sqlalchemy import select

from bot.config import DEFAULT_CONTENT_DIR
from bot.emulator import TEAM_ID
from bot.library.fields import (
    FORM_FIELDS,
    GuideFields,
    fields_of,
    guide_source,
    problems_by_field,
    slug,
    split_body,
    tidy_markdown,
)
from bot.library.loader import load_guides, parse_guide_text
from bot.models import LibraryAuthor, WorkspaceGuide
from bot.services.workspace_guides import GuideState
from bot.slack import authoring as blocks
from bot.slack.ids import Action, Command, DraftAction, GuideField, View
from bot.slack.text import WORD_JOINER, escape

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


def test_the_form_starts_with_the_writer_as_owner_and_a_review_date_six_months_on(served):
    view = _open_new(served)

    [owner] = [b for b in view["blocks"] if b.get("block_id") == GuideField.OWNER]
    assert owner["element"]["initial_value"] == "u0admin01@example.com"  # from users.info
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


def test_publish_serves_the_draft_in_the_workspace(served, clock):
    preview = _draft(served)
    value = _button(preview, DraftAction.PUBLISH)["value"]

    [said] = _click(served, DraftAction.PUBLISH, value)

    assert said["replace_original"] is True and "Published *Night shift handover*" in said["text"]
    assert _versions(served) == [(1, "draft", ADMIN), (2, "published", ADMIN)]
    assert _served_within_the_window(served, clock, "night shift handover", TITLE)


def test_two_clicks_on_publish_publish_once(served):
    value = _button(_draft(served), DraftAction.PUBLISH)["value"]

    _click(served, DraftAction.PUBLISH, value)
    [said] = _click(served, DraftAction.PUBLISH, value)

    assert "was published already" in said["text"]
    assert _versions(served) == [(1, "draft", ADMIN), (2, "published", ADMIN)]


def test_discard_keeps_the_draft_out_of_the_library_for_good(served, clock):
    preview = _draft(served)

    [said] = _click(served, DraftAction.DISCARD, _button(preview, DraftAction.DISCARD)["value"])
    [again] = _click(served, DraftAction.PUBLISH, _button(preview, DraftAction.PUBLISH)["value"])

    assert "Discarded the draft" in said["text"] and "discarded already" in again["text"]
    assert _versions(served) == [(1, "draft", ADMIN), (2, "discarded", ADMIN)]
    assert not _served_within_the_window(served, clock, "night shift handover", TITLE)


def test_edit_on_a_draft_reopens_the_form_filled_from_it(served):
    preview = _draft(served)

    _click(served, DraftAction.EDIT, _button(preview, DraftAction.EDIT)["value"])

    [opened] = served.emulator.calls_to("views.open")
    view = opened.json_arg("view")
    submitted = _as_submitted(view)
    assert submitted[GuideField.TITLE]["value"] == TITLE
    assert submitted[GuideField.WHEN]["value"] == WHEN
    assert submitted[GuideField.BODY]["value"] == BODY
    assert json.loads(view["private_metadata"]) == {"g": GUIDE_ID, "b": 0}


def test_a_new_guide_never_takes_another_guides_id(served):
    _draft(served)  # night-shift-handover, a draft
    _open_new(served)
    _submit(served, _values(aliases="", summary="Another guide with the very same title here."))

    assert _versions(served, "night-shift-handover-2") == [(1, "draft", ADMIN)]
    _open_new(served)
    answer = _submit(served, _values(title="Reflective listening", aliases=""))
    assert "already a name of the guide" in answer["errors"][GuideField.TITLE]


# -- Edit on any guide an owner is shown -----------------------------------------------------------


def test_owners_see_edit_on_a_guide_and_others_do_not(served):
    mine = _learn(served, "active listening", user_id=ADMIN)
    theirs = _learn(served, "active listening", user_id=PERSON)

    assert _button(mine, Action.GUIDE_EDIT)["value"] == "active-listening"
    assert Action.GUIDE_EDIT not in _buttons(theirs)


def test_an_edited_shipped_guide_is_served_in_place_of_the_shipped_one(served, clock):
    mine = _learn(served, "active listening", user_id=ADMIN)
    _click(served, Action.GUIDE_EDIT, _button(mine, Action.GUIDE_EDIT)["value"])
    [opened] = served.emulator.calls_to("views.open")
    view = opened.json_arg("view")
    assert json.loads(view["private_metadata"]) == {"g": "active-listening", "b": 0}
    values = _as_submitted(view)
    values[GuideField.TITLE] = _text("Active listening, the plant floor way")

    assert _submit(served, values, metadata=view["private_metadata"]) == {}
    preview = _preview(served)
    _click(served, DraftAction.PUBLISH, _button(preview, DraftAction.PUBLISH)["value"])

    assert _versions(served, "active-listening") == [(1, "draft", ADMIN), (2, "published", ADMIN)]
    title = "Active listening, the plant floor way"
    assert _served_within_the_window(served, clock, "active listening", title)


def test_a_second_owner_saving_a_guide_changed_since_they_opened_it_is_told_and_saves_nothing(
    served,
):
    forms = {}
    for owner in (ADMIN, OTHER_ADMIN):
        shown = _learn(served, "active listening", user_id=owner)
        _click(served, Action.GUIDE_EDIT, _button(shown, Action.GUIDE_EDIT)["value"], owner)
        [opened] = served.emulator.calls_to("views.open")
        forms[owner] = opened.json_arg("view")
    assert (
        _submit(served, _as_submitted(forms[ADMIN]), metadata=forms[ADMIN]["private_metadata"])
        == {}
    )
    _click(served, DraftAction.PUBLISH, _button(_preview(served), DraftAction.PUBLISH)["value"])

    answer = _submit(
        served,
        _as_submitted(forms[OTHER_ADMIN]),
        user_id=OTHER_ADMIN,
        metadata=forms[OTHER_ADMIN]["private_metadata"],
    )

    said = answer["errors"][GuideField.TITLE]
    assert said.startswith("This guide changed since you opened it (version 2, published by")
    assert f"by Person {ADMIN} ({ADMIN}) at 09:30 UTC on 2026-11-23" in said
    assert _versions(served, "active-listening") == [(1, "draft", ADMIN), (2, "published", ADMIN)]


def test_a_draft_written_before_another_owner_published_cannot_overwrite_it(served):
    first = _draft(served)
    _click(served, DraftAction.PUBLISH, _button(first, DraftAction.PUBLISH)["value"])
    metadata = blocks.FormState(GUIDE_ID, 2).metadata()
    stale = {}
    for owner in (ADMIN, OTHER_ADMIN):  # both open the published guide; each saves a draft
        summary = f"Hand a running shift over the way {owner} would hand it over."
        assert _submit(served, _values(summary=summary), user_id=owner, metadata=metadata) == {}
        stale[owner] = _button(_preview(served, owner), DraftAction.PUBLISH)["value"]

    _click(served, DraftAction.PUBLISH, stale[ADMIN])
    [said] = _click(served, DraftAction.PUBLISH, stale[OTHER_ADMIN], OTHER_ADMIN)

    assert "changed since you opened it (version 5, published by" in said["text"]
    assert [v for v in _versions(served) if v[1] == "published"] == [
        (2, "published", ADMIN),
        (5, "published", ADMIN),
    ]


# -- forged requests and bad input ----------------------------------------------------------------


def test_a_forged_submission_from_someone_who_does_not_own_the_library_changes_nothing(served):
    reply = served.slack.submit(View.GUIDE_FORM, _values(), user_id=PERSON).json()

    assert reply["response_action"] == "update"
    assert "library's owners" in json.dumps(reply["view"])
    assert _versions(served) == []


def test_a_forged_submission_for_a_guide_the_workspace_never_had_changes_nothing(served):
    metadata = blocks.FormState("another-workspaces-guide", 0).metadata()
    reply = served.slack.submit(
        View.GUIDE_FORM, _values(), user_id=ADMIN, private_metadata=metadata
    )

    assert "no longer in this workspace's library" in json.dumps(reply.json())
    assert _versions(served, "another-workspaces-guide") == []


def test_buttons_pressed_by_someone_who_does_not_own_the_library_change_nothing(served):
    preview = _draft(served)

    [said] = _click(
        served, DraftAction.PUBLISH, _button(preview, DraftAction.PUBLISH)["value"], PERSON
    )
    _click(served, Action.GUIDE_EDIT, "active-listening", PERSON)

    assert "library's owners" in said["text"]
    assert served.emulator.calls_to("views.open") == []
    assert _versions(served) == [(1, "draft", ADMIN)]


def test_a_guide_cannot_ping_the_channel(served):
    _open_new(served)
    answer = _submit(
        served,
        _values(
            summary="Hand over a shift and tell <!here> about it right away.",
            body=BODY + "\n\n## Words to say\n- @channel the line is yours",
        ),
    )

    assert "Must not mention @channel" in answer["errors"][GuideField.SUMMARY]
    assert "Must not mention @channel" in answer["errors"][GuideField.BODY]
    assert _versions(served) == []


def test_a_typed_channel_mention_is_defused_wherever_inflow_escapes_text():
    assert escape("ping @here and @channel, not me@here.com") == (
        f"ping @{WORD_JOINER}here and @{WORD_JOINER}channel, not me@here.com"
    )
    assert escape("<!channel>") == "&lt;!channel&gt;"


# -- builders and rules, without Slack -------------------------------------------------------------


def _fields(**changes) -> GuideFields:
    given = {
        "title": TITLE,
        "kind": "guide",
        "category": "meetings-and-collaboration",
        "summary": "Hand a running shift over so nothing is lost between the two teams.",
        "when": WHEN,
        "body": BODY,
        "aliases": ("shift handover",),
        "tags": ("handover", "shifts"),
        "owner": "ops@example.com",
        "review_by": dt.date(2027, 5, 31),
    }
    return GuideFields(**{**given, **changes})


def test_the_source_built_from_the_fields_parses_back_to_them():
    source = guide_source(_fields(title="Handover: the 'night' shift"), guide_id=GUIDE_ID)

    guide, problems = parse_guide_text("form", source, GUIDE_ID)
    assert problems == [] and guide is not None
    assert guide.meta.title == "Handover: the 'night' shift"
    assert guide.meta.minutes == 1 and guide.meta.review_by == dt.date(2027, 5, 31)
    assert fields_of(guide) == _fields(title="Handover: the 'night' shift")


def test_every_shipped_guide_survives_the_form_unchanged():
    for guide in load_guides(DEFAULT_CONTENT_DIR):
        meta = guide.meta
        source = guide_source(
            fields_of(guide),
            guide_id=guide.id,
            minutes=meta.minutes,
            triggers=meta.triggers,
            related=meta.related,
        )
        again, problems = parse_guide_text("form", source, guide.id)
        assert problems == [] and again is not None, guide.id
        assert (again.meta, again.body) == (meta, guide.body), guide.id


def test_the_body_is_laid_out_as_every_guide_is():
    typed = "## Steps\r\n\r\n1. One.\r\n## Example   \nA team did it.\n\n\n"
    assert tidy_markdown(typed) == "## Steps\n1. One.\n\n## Example\nA team did it."
    assert split_body("## When to use it\nNow.\n\n## Steps\n1. One.") == (
        "Now.",
        "## Steps\n1. One.",
    )


def test_a_guide_id_is_made_from_its_title():
    assert slug("Night shift: the hand-over (v2)") == "night-shift-the-hand-over-v2"
    assert slug("Ça va? Éléphant") == "ca-va-elephant"
    assert slug("!!!") == "guide"
    assert len(slug("word " * 40)) <= 60


def test_problems_are_given_by_field():
    fields = _fields(summary="Short", kind="framework", review_by=dt.date(2026, 1, 1))
    source = guide_source(fields, guide_id=GUIDE_ID)

    problems = problems_by_field(fields, source, guide_id=GUIDE_ID, today=TODAY)

    assert set(problems) == {"summary", "body", "review_by"}
    assert "when not to use it" in problems["body"]  # a framework's required section


def test_the_form_is_filled_from_the_fields_and_reads_back_to_them():
    state = blocks.FormState(GUIDE_ID, 3)
    view = blocks.guide_form(_fields(), state=state, today=TODAY)

    assert view["callback_id"] == View.GUIDE_FORM and len(view["title"]["text"]) <= 24
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [blocks.block_of(name) for name in FORM_FIELDS]
    view["state"] = {"values": {b: {"value": e} for b, e in _as_submitted(view).items()}}
    assert blocks.read_guide_form(view) == (_fields(), state)


def test_a_forged_private_metadata_reads_as_a_new_guide():
    assert blocks.read_form_state("not json") == blocks.FormState()
    assert blocks.read_form_state('{"g": 5, "b": "x"}') == blocks.FormState()
    assert blocks.read_draft_value('{"g": "x"}') is None


def test_help_tells_owners_how_to_write_and_name_authors(served):
    answer = served.slack.command(Command.LEARN, "help").json()
    shown = json.dumps(answer["blocks"])

    assert "/learn new" in shown and "library's owners" in shown
    assert "/learn authors" in shown


def test_submitting_the_same_form_twice_saves_one_draft_and_sends_one_preview(served):
    _open_new(served)
    _submit(served, _values())
    served.slack.submit(View.GUIDE_FORM, _values(), user_id=ADMIN)  # a second click on Save

    assert _versions(served) == [(1, "draft", ADMIN)]
    assert _versions(served, "night-shift-handover-2") == []
    dm = served.emulator.dm_of(ADMIN)
    assert (
        len([c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == dm])
        == 1
    )


def test_twenty_clicks_on_publish_at_once_publish_once_and_fail_none(served):
    value = _button(_draft(served), DraftAction.PUBLISH)["value"]
    served.emulator.reset_calls()
    barrier = threading.Barrier(20)
    url = served.emulator.response_url("publish-at-once")

    def click() -> None:
        barrier.wait()
        served.slack.click(DraftAction.PUBLISH, value, response_url=url, user_id=ADMIN)

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served.settle()

    assert _versions(served) == [(1, "draft", ADMIN), (2, "published", ADMIN)]
    said = [body["text"] for _, body in served.emulator.wait_for_responses(20)]
    assert len(said) == 20 and sum("Published *" in s for s in said) == 1
    assert all("Published *" in s or "already" in s or "same moment" in s for s in said), said


def test_a_guide_an_owner_opens_from_a_list_has_edit_too(served):
    [said] = _click(served, f"{Action.OPEN_GUIDE}:0", "active-listening")
    [theirs] = _click(served, f"{Action.OPEN_GUIDE}:0", "active-listening", PERSON)

    assert _button(said, Action.GUIDE_EDIT)["value"] == "active-listening"
    assert Action.GUIDE_EDIT not in _buttons(theirs)
