"""The rules behind workspace settings, without Slack: the modal within Block Kit's limits and
read back, and `change_settings` (what it refuses, what it keeps, what it unplans)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.models import OutboxMessage, WorkspaceRecord
from bot.services import outbox, preferences
from bot.services import workspaces as workspace_service
from bot.services.outbox import OutboxKind
from bot.services.workspaces import SettingsError, WorkspaceSettings, emoji_names, only_changed
from bot.slack.ids import Field, SettingsField, View
from bot.slack.workspace_settings import read_settings, settings_modal

TEAM, ADMIN = "T0INFLOW1", "U0ADMIN01"
NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
USUAL = WorkspaceSettings(
    admins=frozenset({ADMIN}),
    learning_channel=None,
    helpful_emoji=("+1", "heart"),
    unhelpful_emoji=("-1",),
    nudge_days=("mon", "tue", "wed", "thu", "fri"),
    nudge_time="09:30",
    nudge_budget=3,
    channel_suggestions=True,
)
UNUSUAL = WorkspaceSettings(
    admins=frozenset(f"U0ADMIN{n:03d}" for n in range(80)),  # more than inflow keeps
    learning_channel="C0LEARNING",
    helpful_emoji=tuple(f"custom_emoji_with_a_long_name_{n}" for n in range(40)),
    unhelpful_emoji=("-1",),
    nudge_days=("sat", "sun"),
    nudge_time="06:15",  # not one of the times offered
    nudge_budget=20,
    channel_suggestions=False,
)


# -- the modal -----------------------------------------------------------------------------------


def _kit_problems(view: dict) -> list[str]:
    """What Slack would refuse in a modal (https://docs.slack.dev/reference/block-kit)."""
    problems = []
    for part in ("title", "submit", "close"):
        if len(view[part]["text"]) > 24:
            problems.append(f"{part} over 24 characters")
    if len(view["blocks"]) > 100:
        problems.append("over 100 blocks")
    block_ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        problems.append("a block_id twice")
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        name, element = block["block_id"], block["element"]
        if len(block["label"]["text"]) > 2000 or len(block.get("hint", {}).get("text", "")) > 2000:
            problems.append(f"{name}: label or hint too long")
        if len(element.get("placeholder", {}).get("text", "")) > 150:
            problems.append(f"{name}: placeholder too long")
        options = element.get("options", [])
        most = 10 if element["type"] in ("checkboxes", "radio_buttons") else 100
        if len(options) > most:
            problems.append(f"{name}: over {most} options")
        for option in options:
            if len(option["text"]["text"]) > 75 or len(option["value"]) > 150:
                problems.append(f"{name}: an option too long")
            if len(option.get("description", {}).get("text", "")) > 75:
                problems.append(f"{name}: a description too long")
        initial = element.get("initial_options", [])
        initial += [element["initial_option"]] if "initial_option" in element else []
        if any(o not in options for o in initial):
            problems.append(f"{name}: an initial option that is not an option")
        if element["type"] == "plain_text_input":
            if not 0 < element.get("max_length", 3000) <= 3000:
                problems.append(f"{name}: max_length out of range")
            if len(element.get("initial_value", "")) > element.get("max_length", 3000):
                problems.append(f"{name}: initial value longer than max_length")
        chosen = element.get("initial_users") or element.get("initial_conversations") or []
        if len(chosen) > element.get("max_selected_items", 100):
            problems.append(f"{name}: more chosen than max_selected_items")
    return problems


@pytest.mark.parametrize("current", [USUAL, UNUSUAL], ids=["usual", "unusual"])
def test_the_settings_modal_stays_within_block_kits_limits(current):
    view = settings_modal(current)

    assert _kit_problems(view) == []
    assert view["callback_id"] == View.WORKSPACE_SETTINGS
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(inputs) == set(SettingsField)
    assert {b["element"]["action_id"] for b in inputs.values()} == {Field.VALUE}
    assert [k for k, b in inputs.items() if b.get("optional")] == [SettingsField.LEARNING_CHANNEL]


def test_the_settings_modal_is_filled_in_with_the_current_settings():
    inputs = {b["block_id"]: b["element"] for b in settings_modal(UNUSUAL)["blocks"][1:]}

    assert inputs[SettingsField.ADMINS]["initial_users"] == sorted(UNUSUAL.admins)  # none cut
    assert inputs[SettingsField.LEARNING_CHANNEL]["initial_conversations"] == ["C0LEARNING"]
    assert "initial_value" not in inputs[SettingsField.HELPFUL_EMOJI]  # too long to show whole
    assert inputs[SettingsField.UNHELPFUL_EMOJI]["initial_value"] == "-1"
    days = [o["value"] for o in inputs[SettingsField.NUDGE_DAYS]["initial_options"]]
    assert days == ["sat", "sun"]
    assert inputs[SettingsField.NUDGE_TIME]["initial_option"]["value"] == "06:15"
    assert inputs[SettingsField.NUDGE_BUDGET]["initial_option"]["value"] == "20"
    assert inputs[SettingsField.CHANNEL_SUGGESTIONS]["initial_option"]["value"] == "off"


def test_emoji_names_are_read_without_colons_spaces_or_capitals():
    assert emoji_names(" :+1:, :Heart: ,tada,,:tada:") == ["+1", "heart", "tada"]
    assert emoji_names("thumbs up") == ["thumbs up"]  # one name, refused: not two emoji
    assert emoji_names("") == []


def _state(**elements: dict) -> dict:
    return {block: {Field.VALUE: element} for block, element in elements.items()}


def test_the_submitted_form_is_read_as_change_settings_keywords():
    values = _state(
        admins={"selected_users": ["U0ANA", "U0BEN"]},
        learning_channel={"selected_conversations": []},
        helpful_emoji={"value": ":tada:, :+1:"},
        unhelpful_emoji={"value": None},
        nudge_days={"selected_options": [{"value": "mon"}, {"value": "fri"}]},
        nudge_time={"selected_option": {"value": "08:00"}},
        nudge_budget={"selected_option": {"value": "lots"}},
        channel_suggestions={"selected_option": {"value": "off"}},
    )

    assert read_settings(values) == {
        "admins": ["U0ANA", "U0BEN"],
        "learning_channel": None,  # emptied: no channel
        "helpful_emoji": ["tada", "+1"],
        "unhelpful_emoji": [],  # refused by change_settings, not ignored
        "nudge_days": ["mon", "fri"],
        "nudge_time": "08:00",
        "nudge_budget": 0,  # not a number: refused as out of range
        "channel_suggestions": False,
    }
    assert read_settings(_state(nudge_time={"selected_option": None})) == {"nudge_time": None}
    assert read_settings({}) == {}


# -- what changes --------------------------------------------------------------------------------


def test_only_what_differs_is_changed_so_the_rest_keeps_following_the_environment():
    given = {
        "admins": [ADMIN],
        "learning_channel": None,
        "helpful_emoji": ["+1", "heart"],
        "unhelpful_emoji": ["-1"],
        "nudge_days": ["fri", "thu", "wed", "tue", "mon"],
        "nudge_time": "09:30",
        "nudge_budget": 3,
        "channel_suggestions": True,
    }
    assert only_changed(USUAL, **given) == {}
    assert only_changed(USUAL, **{**given, "nudge_time": "10:00", "learning_channel": "C0X"}) == {
        "nudge_time": "10:00",
        "learning_channel": "C0X",
    }
    # the emoji lists go together, so an emoji is never both
    assert only_changed(USUAL, unhelpful_emoji=["heart"]) == {
        "helpful_emoji": ["+1", "heart"],
        "unhelpful_emoji": ["heart"],
    }


@pytest.fixture
def env(database_url):
    """The deployment's defaults: an admin and a learning channel from the environment."""
    return load_settings(
        database_url=database_url, admin_user_ids=[ADMIN], learning_channel="C0ENVCHAN"
    )


def test_change_settings_keeps_what_was_given_and_who_changed_it(db, env):
    workspace_service.change_settings(
        db,
        team_id=TEAM,
        by=ADMIN,
        now=NOW,
        admins=["U0ANA", ADMIN, "U0ANA"],
        helpful_emoji=["tada"],
        unhelpful_emoji=["-1"],
        nudge_days=["fri", "mon"],
        nudge_time="08:00",
        nudge_budget=5,
        channel_suggestions=False,
    )

    row = db.get(WorkspaceRecord, TEAM)
    assert (row.admins, row.helpful_emoji, row.nudge_days, row.nudge_time) == (
        f"U0ANA,{ADMIN}",
        "tada",
        "mon,fri",
        "08:00",
    )
    assert (row.settings_changed_by, row.settings_changed_at) == (ADMIN, NOW)
    settings = workspace_service.settings_of(db, TEAM, env)
    assert settings.admins == {"U0ANA", ADMIN}
    assert (settings.helpful, settings.nudge_budget, settings.channel_suggestions) == (
        "tada",
        5,
        False,
    )
    assert settings.learning_channel == "C0ENVCHAN"  # not given: the environment's


def test_no_learning_channel_overrides_the_environments(db, env):
    workspace_service.change_settings(db, team_id=TEAM, by=ADMIN, now=NOW, learning_channel=None)
    assert workspace_service.settings_of(db, TEAM, env).learning_channel is None

    workspace_service.change_settings(
        db, team_id=TEAM, by=ADMIN, now=NOW, learning_channel="C0MINE"
    )
    assert workspace_service.settings_of(db, TEAM, env).learning_channel == "C0MINE"


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"admins": []}, "admins", "at least one admin"),
        ({"admins": ["not-a-person"]}, "admins", "people from this workspace"),
        ({"admins": [f"U0PERSON{n:03d}" for n in range(51)]}, "admins", "up to 50"),
        ({"learning_channel": "D0DM00001"}, "learning_channel", "Pick a channel"),
        ({"helpful_emoji": []}, "helpful_emoji", "names like"),
        ({"helpful_emoji": ["thumbs up"]}, "helpful_emoji", "names like"),
        ({"helpful_emoji": [f"e{n:03d}" for n in range(130)]}, "helpful_emoji", "too many"),
        (
            {"helpful_emoji": ["+1"], "unhelpful_emoji": ["+1", "-1"]},
            "unhelpful_emoji",
            "both helpful and not helpful (:+1:)",
        ),
        ({"nudge_days": []}, "nudge_days", "at least one day"),
        ({"nudge_days": ["someday"]}, "nudge_days", "at least one day"),
        ({"nudge_time": "9.30"}, "nudge_time", "like 09:30"),
        ({"nudge_budget": 0}, "nudge_budget", "between 1 and 20"),
        ({"nudge_budget": 21}, "nudge_budget", "between 1 and 20"),
    ],
)
def test_change_settings_refuses_what_it_cannot_use_and_changes_nothing(db, given, field, words):
    with pytest.raises(SettingsError) as refused:
        workspace_service.change_settings(
            db, team_id=TEAM, by=ADMIN, now=NOW, **{"nudge_budget": 4, **given}
        )

    assert list(refused.value.problems) == [field]
    assert words in refused.value.problems[field]
    assert words in refused.value.user_message
    assert db.get(WorkspaceRecord, TEAM) is None


# -- what a new default unplans ------------------------------------------------------------------

LATER = NOW + dt.timedelta(days=2)


def _plan(db, user: str, *, kind: str = "coaching", occurrence: str = "2026-W48", team=TEAM):
    outbox.enqueue(
        db,
        team_id=team,
        recipient=user,
        kind=kind,
        subject="spot-weekly",
        occurrence=occurrence,
        due_at=LATER,
        message={"text": "a nudge"},
    )


def _still_planned(db) -> set[str]:
    rows = db.execute(select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.occurrence))
    return {"/".join(row) for row in rows}


def test_a_new_default_time_unplans_the_nudges_of_those_who_follow_it_only(db):
    preferences.update(db, team_id=TEAM, user_id="U0OWNTIME", now=NOW, time="11:00")
    preferences.update(db, team_id=TEAM, user_id="U0OWNDAYS", now=NOW, days=["mon"])
    for person in ("U0DEFAULT", "U0OWNTIME", "U0OWNDAYS"):
        _plan(db, person)
    _plan(db, "U0DEFAULT", occurrence="2026-W48~2026-11-25")  # snoozed: the person's own ask
    _plan(db, "C0PROJECT", kind="debrief")  # a channel's routine, not a nudge
    _plan(db, "U0DEFAULT", kind=OutboxKind.REVIEW)  # an owner's review list, not a nudge
    _plan(db, "U0DEFAULT", team="T0ANOTHER")

    workspace_service.change_settings(db, team_id=TEAM, by=ADMIN, now=NOW, nudge_time="08:00")

    assert _still_planned(db) == {
        "U0OWNTIME/coaching/2026-W48",
        "U0DEFAULT/coaching/2026-W48~2026-11-25",
        "C0PROJECT/debrief/2026-W48",
        f"U0DEFAULT/{OutboxKind.REVIEW}/2026-W48",
        "U0DEFAULT/coaching/2026-W48",  # in the other workspace
    }
    assert (
        db.scalar(
            select(OutboxMessage.team_id)
            .where(OutboxMessage.recipient == "U0DEFAULT", OutboxMessage.kind == "coaching")
            .where(OutboxMessage.occurrence == "2026-W48")
        )
        == "T0ANOTHER"
    )


def test_a_default_given_again_unplans_nothing(db):
    _plan(db, "U0DEFAULT")

    workspace_service.change_settings(
        db,
        team_id=TEAM,
        by=ADMIN,
        now=NOW,
        nudge_time=preferences.DEFAULT_TIME,
        nudge_days=list(preferences.WORKING_DAYS),
        nudge_budget=2,
    )

    assert _still_planned(db) == {"U0DEFAULT/coaching/2026-W48"}
