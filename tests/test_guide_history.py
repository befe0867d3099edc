"""A guide's history for the library's owners: *History* beside *Edit*, its versions newest first
with who, when and what changed, and *Restore*: once, never over a newer change, owners only,
and a hidden guide served again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import threading
import time

import pytest
from sqlalchemy import select

from bot.config import DEFAULT_CONTENT_DIR
from bot.emulator import TEAM_ID
from bot.library.changes import what_changed
from bot.library.fields import fields_of, guide_source
from bot.library.loader import load_guides, parse_guide_text
from bot.models import WorkspaceGuide
from bot.services import workspace_guides
from bot.services.guide_history import History, Version
from bot.services.workspace_guides import GuideState
from bot.slack.guide_history import NEVER_CHANGED, history_modal, read_restore
from bot.slack.ids import Action, HistoryAction, View
from bot.slack.text import MAX_VIEW_BLOCKS
from tests.test_authoring import _button, _buttons, _click, _found, _learn

ADMIN, OTHER_ADMIN, PERSON = "U0ADMIN01", "U0ADMIN02", "U0PERSON1"
GUIDE_ID = "active-listening"
FIRST_TITLE = "Active listening on the line"
SECOND_TITLE = "Active listening, the plant floor way"
_presses = itertools.count(1)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"admin_user_ids": [ADMIN, OTHER_ADMIN]})


def _shipped():
    return {g.id: g for g in load_guides(DEFAULT_CONTENT_DIR)}[GUIDE_ID]


def _source(**changes) -> str:
    """The shipped guide's file with `changes` to its form's fields."""
    shipped = _shipped()
    fields = dataclasses.replace(fields_of(shipped), **changes)
    meta = shipped.meta
    return guide_source(
        fields,
        guide_id=GUIDE_ID,
        minutes=meta.minutes,
        triggers=meta.triggers,
        related=meta.related,
    )


def _save(served, clock, source: str, state: GuideState, by: str) -> None:
    clock.advance(minutes=5)
    with served.session() as session:
        workspace_guides.save_version(
            session,
            team_id=TEAM_ID,
            guide_id=GUIDE_ID,
            source=source,
            state=state,
            by=by,
            now=clock(),
        )
        session.commit()


@pytest.fixture
def two_versions(served, clock) -> None:
    """The shipped guide edited twice: its summary by OTHER_ADMIN (v1), then its title and
    steps by ADMIN (v2, served now)."""
    summary = "Listen so the other person feels heard, on the plant floor and everywhere."
    _save(
        served,
        clock,
        _source(title=FIRST_TITLE, summary=summary),
        GuideState.PUBLISHED,
        OTHER_ADMIN,
    )
    body = fields_of(_shipped()).body or ""
    _save(
        served,
        clock,
        _source(
            title=SECOND_TITLE,
            summary=summary,
            body=body.replace("## Steps\n", "## Steps\n1. Stop the machine.\n", 1),
        ),
        GuideState.PUBLISHED,
        ADMIN,
    )


def _versions(served) -> list[tuple[int, str, str]]:
    with served.session() as session:
        rows = session.scalars(
            select(WorkspaceGuide)
            .where(WorkspaceGuide.team_id == TEAM_ID, WorkspaceGuide.guide_id == GUIDE_ID)
            .order_by(WorkspaceGuide.version)
        )
        return [(r.version, r.state, r.created_by) for r in rows]


def _open_history(served, user_id: str = ADMIN) -> dict:
    """*History* on the guide as `user_id` sees it; the modal it opened."""
    _click(served, Action.GUIDE_HISTORY, GUIDE_ID, user_id)
    [opened] = served.emulator.calls_to("views.open")
    return opened.json_arg("view")


def _lines(view: dict) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]


def _restore_button(view: dict, version: int) -> dict:
    for block in view["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == f"{HistoryAction.RESTORE}:{version}":
            return accessory
    raise AssertionError(f"no Restore for version {version} in {json.dumps(view)[:400]}")


def _press(served, button: dict, user_id: str = ADMIN) -> dict:
    """Press a button in the history modal; the view inflow updated it to."""
    served.emulator.reset_calls()
    assert served.slack.interaction(_press_payload(button, user_id)).status == 200
    [updated] = served.emulator.calls_to("views.update")
    assert updated.args["view_id"] == "V0HISTORY1"
    return updated.json_arg("view")


def _press_payload(button: dict, user_id: str = ADMIN) -> dict:
    view_id = "V0HISTORY1"
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": f"{next(_presses)}.5678.history",
        "view": {
            "id": view_id,
            "type": "modal",
            "team_id": TEAM_ID,
            "callback_id": View.GUIDE_HISTORY,
            "private_metadata": json.dumps({"g": GUIDE_ID}),
            "state": {"values": {}},
            "hash": "1.2",
        },
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "b",
                "type": "button",
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def _served_title(served, clock, title: str) -> bool:
    """Whether /learn answers `title` once the replica noticed the change (2 s) and rebuilt."""
    clock.advance(seconds=2)
    _learn(served, "active listening")  # notices the change; the rebuild runs after it
    return _found(served, "active listening", title)


# -- History beside Edit -----------------------------------------------------------------------


def test_owners_see_history_beside_edit_and_others_see_neither(served):
    mine = _learn(served, "active listening", user_id=ADMIN)
    theirs = _learn(served, "active listening", user_id=PERSON)

    assert _button(mine, Action.GUIDE_HISTORY)["value"] == GUIDE_ID
    assert {Action.GUIDE_EDIT, Action.GUIDE_HISTORY} <= _buttons(mine)
    assert not {Action.GUIDE_EDIT, Action.GUIDE_HISTORY} & _buttons(theirs)


def test_a_shipped_guide_never_changed_here_says_so(served):
    view = _open_history(served)

    assert view["callback_id"] == View.GUIDE_HISTORY
    assert NEVER_CHANGED in _lines(view)[0]
    assert HistoryAction.RESTORE not in json.dumps(view)


def test_history_lists_each_version_newest_first_with_who_when_and_what_changed(
    served, two_versions
):
    lines = _lines(_open_history(served))

    assert "2 versions saved in this workspace" in lines[0]
    assert lines[1].startswith(
        f"*Version 2* · Published · *served now* · <@{ADMIN}> · 23 Nov 2026, 09:40 UTC\n"
    )
    assert lines[1].endswith("\ntitle, section “Steps”")
    assert lines[2].startswith(f"*Version 1* · Published · <@{OTHER_ADMIN}> · 23 Nov 2026, 09:35")
    assert lines[2].endswith("\ntitle, summary")  # against the shipped version


def test_a_published_draft_shows_what_it_changed_for_readers_not_no_change(
    served, clock, two_versions
):
    drafted = _source(title="Listening, drafted")
    _save(served, clock, drafted, GuideState.DRAFT, ADMIN)
    _save(served, clock, drafted, GuideState.PUBLISHED, ADMIN)

    lines = _lines(_open_history(served))

    assert lines[1].startswith("*Version 4* · Published · *served now*")
    assert lines[1].endswith("\ntitle, summary, section “Steps”")  # against version 2
    assert lines[2].startswith("*Version 3* · Draft ·")
    assert lines[2].endswith("\ntitle, summary, section “Steps”")


def test_only_older_published_versions_can_be_restored(served, two_versions):
    view = _open_history(served)

    assert _restore_button(view, 1)["confirm"]["confirm"]["text"] == "Restore"
    with pytest.raises(AssertionError):
        _restore_button(view, 2)  # served now


def test_someone_who_does_not_own_the_library_gets_no_history(served, two_versions):
    [said] = _click(served, Action.GUIDE_HISTORY, GUIDE_ID, PERSON)

    assert "library's owners" in said["text"]
    assert served.emulator.calls_to("views.open") == []


# -- Restore -----------------------------------------------------------------------------------


def test_restore_serves_the_old_text_again_as_a_new_version(served, clock, two_versions):
    assert _served_title(served, clock, SECOND_TITLE)
    button = _restore_button(_open_history(served), 1)

    view = _press(served, button)

    assert _lines(view)[0].startswith(":white_check_mark: Restored version 1 as version 3")
    assert _versions(served) == [
        (1, "published", OTHER_ADMIN),
        (2, "published", ADMIN),
        (3, "published", ADMIN),
    ]
    with served.session() as session:
        first, _, third = session.scalars(
            select(WorkspaceGuide.source).order_by(WorkspaceGuide.version)
        ).all()
    assert third == first
    assert _served_title(served, clock, FIRST_TITLE)
    assert "*Version 3* · Published · *served now*" in _lines(view)[2]
    assert _lines(view)[2].endswith("\nthe text of version 1 again, title, section “Steps”")


def test_restore_the_shipped_version_serves_the_shipped_guide_and_keeps_no_copy(
    served, clock, two_versions
):
    assert _served_title(served, clock, SECOND_TITLE)
    button = _restore_button(_open_history(served), 0)  # "The version inflow ships"
    assert button["confirm"]["title"]["text"] == "Restore the shipped version?"

    view = _press(served, button)

    assert _lines(view)[0].startswith(
        ":white_check_mark: Restored the version inflow ships as version 3"
    )
    assert _versions(served)[-1] == (3, "shipped", ADMIN)
    with served.session() as session:
        newest = session.scalars(
            select(WorkspaceGuide.source).order_by(WorkspaceGuide.version.desc())
        ).first()
    assert newest == ""  # no copy: the shipped file's own updates reach the workspace again
    assert _served_title(served, clock, _shipped().title)
    assert "*Version 3* · Shipped version · *served now*" in _lines(view)[2]
    with pytest.raises(AssertionError):  # served as shipped now: nothing to restore to
        _restore_button(view, 0)

    again = _press(served, button)
    assert "The shipped version was restored already, as version 3" in _lines(again)[0]
    assert len(_versions(served)) == 3


def test_restoring_the_shipped_version_is_refused_when_the_guide_changed_since(
    served, clock, two_versions
):
    button = _restore_button(_open_history(served), 0)
    _save(served, clock, _source(title="Active listening, third"), GuideState.PUBLISHED, PERSON)

    view = _press(served, button)

    assert "This guide changed since you opened it (version 3" in _lines(view)[0]
    assert len(_versions(served)) == 3


def test_two_clicks_on_restore_restore_once(served, two_versions):
    button = _restore_button(_open_history(served), 1)

    _press(served, button)
    again = _press(served, button)

    assert "Version 1 was restored already, as version 3" in _lines(again)[0]
    assert [v for v, *_ in _versions(served)] == [1, 2, 3]


def test_ten_clicks_on_restore_at_once_restore_once_and_fail_none(served, two_versions):
    button = _restore_button(_open_history(served), 1)
    served.emulator.reset_calls()
    barrier = threading.Barrier(10)

    def press() -> None:
        payload = _press_payload(button)
        barrier.wait()
        served.slack.interaction(payload)

    threads = [threading.Thread(target=press) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served.settle()

    assert [v for v, *_ in _versions(served)] == [1, 2, 3]
    said = [_lines(c.json_arg("view"))[0] for c in served.emulator.calls_to("views.update")]
    assert len(said) == 10 and sum("Restored version 1 as version 3" in s for s in said) == 1
    assert all(
        "Restored version 1" in s or "restored already" in s or "same moment" in s for s in said
    ), said


def test_restore_is_refused_when_the_guide_changed_since_the_history_opened(
    served, clock, two_versions
):
    button = _restore_button(_open_history(served), 1)
    _save(served, clock, _source(title="Listening, a third way"), GuideState.PUBLISHED, OTHER_ADMIN)

    view = _press(served, button)

    assert "This guide changed since you opened it (version 3, published by" in _lines(view)[0]
    assert [v for v, *_ in _versions(served)] == [1, 2, 3]
    assert _served_title(served, clock, "Listening, a third way")


def test_a_restore_by_someone_who_does_not_own_the_library_changes_nothing(served, two_versions):
    button = _restore_button(_open_history(served), 1)

    view = _press(served, button, user_id=PERSON)

    assert "library's owners" in json.dumps(view) and "Version 1" not in json.dumps(view)
    assert [v for v, *_ in _versions(served)] == [1, 2]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"g": GUIDE_ID, "v": 9, "b": 2}, "no longer in this workspace's library"),
        ({"g": GUIDE_ID, "v": 2, "b": 2}, "the one served now"),
        ({"g": "another-workspaces-guide", "v": 1, "b": 0}, "no longer in this workspace"),
    ],
)
def test_a_forged_restore_changes_nothing(served, two_versions, value, said):
    button = {"action_id": f"{HistoryAction.RESTORE}:{value['v']}", "value": json.dumps(value)}

    view = _press(served, button)

    assert said in json.dumps(view)
    assert [v for v, *_ in _versions(served)] == [1, 2]


def test_a_draft_cannot_be_restored(served, clock, two_versions):
    _save(served, clock, _source(title="A draft nobody published"), GuideState.DRAFT, ADMIN)
    button = {
        "action_id": f"{HistoryAction.RESTORE}:3",
        "value": json.dumps({"g": GUIDE_ID, "v": 3, "b": 2}),
    }

    view = _press(served, button)

    assert "Only a version that was published can be restored" in _lines(view)[0]
    assert [v for v, *_ in _versions(served)] == [1, 2, 3]


def test_a_version_that_no_longer_reads_as_a_guide_is_not_restored(served, clock, two_versions):
    _save(
        served,
        clock,
        "---\nid: active-listening\n---\nNo front matter left.\n",
        GuideState.PUBLISHED,
        ADMIN,
    )
    _save(served, clock, _source(title="Listening, fixed"), GuideState.PUBLISHED, ADMIN)
    button = {
        "action_id": f"{HistoryAction.RESTORE}:3",
        "value": json.dumps({"g": GUIDE_ID, "v": 3, "b": 4}),
    }

    listed = _open_history(served)
    assert _lines(listed)[2].startswith("*Version 3* · Published")
    assert _lines(listed)[2].endswith("\ncannot be read")
    assert _lines(listed)[1].endswith("\ntitle, summary, section “Steps”")  # against version 2
    with pytest.raises(AssertionError):
        _restore_button(listed, 3)

    view = _press(served, button)  # forged: the history offers no Restore for it

    assert "can no longer be read as a guide" in _lines(view)[0]
    assert [v for v, *_ in _versions(served)] == [1, 2, 3, 4]


def test_restoring_a_hidden_guides_version_serves_it_again_and_says_so(served, clock, two_versions):
    _save(served, clock, "", GuideState.HIDDEN, OTHER_ADMIN)
    assert not _served_title(served, clock, SECOND_TITLE)
    view = _open_history(served)  # from an answer shown before it was hidden
    assert "Hidden in this workspace now" in json.dumps(view)
    button = _restore_button(view, 2)
    assert "hidden now: restoring serves it again" in button["confirm"]["text"]["text"]

    updated = _press(served, button)

    assert "The guide was hidden here: it is served again." in _lines(updated)[0]
    assert _versions(served)[-1] == (4, "published", ADMIN)
    assert _served_title(served, clock, SECOND_TITLE)


# -- what changed, and the modal's limits (no Slack) --------------------------------------------


def _guide(**changes):
    guide, problems = parse_guide_text("t", _source(**changes), GUIDE_ID)
    assert guide is not None, problems
    return guide


def test_what_changed_names_the_fields_and_sections_that_differ():
    before = _guide()
    body = fields_of(before).body or ""

    assert what_changed(before, before) == []
    assert what_changed(None, before) == ["first version"]
    assert what_changed(before, _guide(title="Listening", tags=("a",))) == ["title", "tags"]
    assert what_changed(before, _guide(when="Only on Mondays.")) == ["section “When to use it”"]
    added = _guide(body=body + "\n\n## Words for the line\nTell me more.")
    assert what_changed(before, added) == ["added “Words for the line”"]
    assert what_changed(added, before) == ["removed “Words for the line”"]


def test_what_changed_notices_sections_in_a_new_order():
    before = _guide(body="## Steps\n1. One.\n\n## Example\nA team.")
    after = _guide(body="## Example\nA team.\n\n## Steps\n1. One.")

    assert what_changed(before, after) == ["order of sections"]


def test_a_long_history_stays_within_a_modals_blocks():
    at = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    versions = tuple(
        Version(n, GuideState.PUBLISHED, ADMIN, at, ("title",), n == 150, n != 150)
        for n in range(150, 0, -1)
    )
    found = History(
        GUIDE_ID, "Listening", 150, versions, 150, shipped=True, hidden=False, as_shipped=False
    )

    view = history_modal(found, note="Restored.")

    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert "of 150 versions" in json.dumps(view)
    assert len(view["title"]["text"]) <= 24


def test_a_forged_restore_value_reads_as_nothing():
    assert read_restore("not json") is None
    assert read_restore('{"g": "x", "v": "one", "b": 0}') is None
    assert read_restore('{"g": "x", "v": 1, "b": 0}') is not None
