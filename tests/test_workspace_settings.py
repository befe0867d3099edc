"""Workspace settings end to end: the Home tab's button and modal for a workspace's inflow admins,
and each setting taking effect where the environment's value applied before, in that workspace
only."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.db import transaction
from bot.emulator import BOT_USER_ID, SlackSender, _default_user
from bot.jobs.clock import plan
from bot.models import (
    GuideMessage,
    ManagerReport,
    MistakeMoment,
    OutboxMessage,
    Rating,
    SuggestionOptOut,
    WorkspaceRecord,
)
from bot.services import preferences
from bot.services import workspaces as workspace_service
from bot.slack.guides import state
from bot.slack.ids import (
    Action,
    AdminAction,
    Command,
    Field,
    SettingsField,
    SuggestAction,
    View,
)
from bot.slack.suggestions import offer_value
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_A, TEAM_B

TEAM = "T0INFLOW1"
ADMIN, PERSON, MANAGER, OWN_TIME = "U0ADMIN01", "U0PERSON1", "U0MANAGER", "U0OWNTIME"
ADMIN_A, ADMIN_B = f"U{TEAM_A[1:]}ADM", f"U{TEAM_B[1:]}ADM"  # who installed each (conftest)
LEARNING = "C0LESSONS"
RETRO = (
    "ok so I'm running the sprint retro tomorrow for the first time and the last three were "
    "just people venting for an hour. anyone got a format that actually works?"
)
NOT_AN_ADMIN = "Workspace settings are for this workspace's inflow admins"
_ts = itertools.count(1)


@pytest.fixture
def settings(settings):
    """One workspace (SLACK_BOT_TOKEN) whose only inflow admin comes from INFLOW_ADMINS."""
    return settings.model_copy(update={"admin_user_ids": [ADMIN]})


# -- what an admin does, as Slack sends it -------------------------------------------------------


def _open_home(slack: SlackSender, emulator, user: str) -> dict:
    emulator.reset_calls()
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})
    [call] = emulator.calls_to("views.publish")
    return call.json_arg("view")


def _settings_button(home: dict) -> dict | None:
    for block in home["blocks"]:
        if block.get("accessory", {}).get("action_id") == AdminAction.OPEN_SETTINGS:
            return block["accessory"]
    return None


def _press_settings(slack: SlackSender, user: str) -> None:
    slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": user, "team_id": slack.team_id},
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "team_id": slack.team_id},
            "trigger_id": "1.2.3",
            "actions": [
                {
                    "action_id": AdminAction.OPEN_SETTINGS,
                    "block_id": "b",
                    "type": "button",
                    "value": "open",
                    "action_ts": f"{time.time():.6f}",  # each press its own request
                }
            ],
        }
    )


def _open_settings(slack: SlackSender, emulator, user: str = ADMIN) -> dict:
    emulator.reset_calls()
    _press_settings(slack, user)
    [opened] = emulator.calls_to("views.open")
    return opened.json_arg("view")


def _as_submitted(modal: dict) -> dict[str, dict]:
    """What Slack submits for the modal when the admin changes nothing: its initial values."""
    reading = {
        "multi_users_select": ("initial_users", "selected_users", []),
        "multi_conversations_select": ("initial_conversations", "selected_conversations", []),
        "plain_text_input": ("initial_value", "value", None),
        "checkboxes": ("initial_options", "selected_options", []),
        "static_select": ("initial_option", "selected_option", None),
        "radio_buttons": ("initial_option", "selected_option", None),
    }
    values = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        initial, selected, empty = reading[element["type"]]
        values[block["block_id"]] = {"type": element["type"], selected: element.get(initial, empty)}
    return values


def _users(*ids: str) -> dict:
    return {"type": "multi_users_select", "selected_users": list(ids)}


def _channel(channel: str | None) -> dict:
    chosen = [channel] if channel else []
    return {"type": "multi_conversations_select", "selected_conversations": chosen}


def _text(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def _options(*values: str) -> dict:
    return {"type": "checkboxes", "selected_options": [{"value": v} for v in values]}


def _option(value: str, kind: str = "static_select") -> dict:
    return {"type": kind, "selected_option": {"value": value}}


def _save(slack: SlackSender, emulator, user: str = ADMIN, **changes: dict):
    """Open the settings as `user` (an admin), change what is given and submit."""
    values = _as_submitted(_open_settings(slack, emulator, user))
    values.update(changes)
    emulator.reset_calls()
    return slack.submit(View.WORKSPACE_SETTINGS, values, user_id=user)


def _forged(slack: SlackSender, user: str, **changes: dict):
    """A submission of the settings modal that Slack never opened for `user`."""
    return slack.submit(View.WORKSPACE_SETTINGS, dict(changes), user_id=user)


def _row(served, team_id: str = TEAM) -> WorkspaceRecord | None:
    with served.session() as session:
        return session.get(WorkspaceRecord, team_id)


def _shown(view_or_call) -> str:
    if isinstance(view_or_call, dict):
        return json.dumps(view_or_call["blocks"], ensure_ascii=False)
    return view_or_call.args.get("text", "") + json.dumps(view_or_call.json_arg("blocks") or [])


# -- who sees and saves the settings -------------------------------------------------------------


def test_only_an_admin_sees_the_settings_button_and_its_summary(served):
    admin_home = _open_home(served.slack, served.emulator, ADMIN)
    person_home = _open_home(served.slack, served.emulator, PERSON)

    assert _settings_button(admin_home)["text"]["text"] == "Workspace settings"
    assert f"*Admins:* <@{ADMIN}>" in _shown(admin_home)
    assert _settings_button(person_home) is None
    assert "Workspace settings" not in _shown(person_home)


def test_the_modal_opens_with_the_settings_that_apply_now(served):
    modal = _open_settings(served.slack, served.emulator)

    assert modal["callback_id"] == View.WORKSPACE_SETTINGS
    submitted = _as_submitted(modal)
    assert submitted[SettingsField.ADMINS]["selected_users"] == [ADMIN]
    assert submitted[SettingsField.LEARNING_CHANNEL]["selected_conversations"] == []
    assert submitted[SettingsField.HELPFUL_EMOJI]["value"] == "+1, thumbsup, heart, star, " + (
        "raised_hands, 100"
    )
    assert submitted[SettingsField.UNHELPFUL_EMOJI]["value"] == "-1, thumbsdown"
    days = [o["value"] for o in submitted[SettingsField.NUDGE_DAYS]["selected_options"]]
    assert days == ["mon", "tue", "wed", "thu", "fri"]
    assert submitted[SettingsField.NUDGE_TIME]["selected_option"]["value"] == "09:30"
    assert submitted[SettingsField.NUDGE_BUDGET]["selected_option"]["value"] == "3"
    assert submitted[SettingsField.CHANNEL_SUGGESTIONS]["selected_option"]["value"] == "on"


def test_someone_who_is_not_an_admin_cannot_open_the_settings(served):
    served.emulator.reset_calls()
    _press_settings(served.slack, PERSON)

    assert served.emulator.calls_to("views.open") == []
    [told] = served.emulator.calls_to("chat.postMessage")
    assert told.args["text"].startswith(NOT_AN_ADMIN)


def test_a_forged_submission_from_someone_who_is_not_an_admin_changes_nothing(served):
    reply = _forged(
        served.slack,
        PERSON,
        **{SettingsField.ADMINS: _users(PERSON), SettingsField.CHANNEL_SUGGESTIONS: _option("off")},
    )

    answer = reply.json()
    assert answer["response_action"] == "update"
    assert NOT_AN_ADMIN in _shown(answer["view"])
    row = _row(served)
    assert (row.admins, row.channel_suggestions, row.settings_changed_by) == (None, None, None)
    with served.session() as session:
        assert workspace_service.settings_of(session, TEAM, served.settings).admins == {ADMIN}


def test_saving_keeps_the_settings_and_shows_the_home_tab_again(served, clock):
    reply = _save(
        served.slack,
        served.emulator,
        **{
            SettingsField.HELPFUL_EMOJI: _text(":tada:, :+1:"),
            SettingsField.NUDGE_BUDGET: _option("5"),
        },
    )

    assert reply.status == 200 and reply.text == ""  # the modal closes
    row = _row(served)
    assert (row.helpful_emoji, row.unhelpful_emoji, row.nudge_budget) == (
        "tada,+1",
        "-1,thumbsdown",
        5,
    )
    assert (row.settings_changed_by, row.settings_changed_at) == (ADMIN, clock.now)
    # what was left as it was keeps following the environment
    assert (row.admins, row.nudge_time, row.channel_suggestions) == (None, None, None)
    [home] = served.emulator.calls_to("views.publish")
    assert home.args["user_id"] == ADMIN
    assert "helpful :tada: :+1:" in _shown(home.json_arg("view"))
    assert "at most 5 a week" in _shown(home.json_arg("view"))


def test_what_cannot_be_used_is_shown_beside_its_input_and_nothing_is_saved(served):
    reply = _save(
        served.slack,
        served.emulator,
        **{
            SettingsField.ADMINS: _users(),
            SettingsField.HELPFUL_EMOJI: _text("<!channel>, +1"),
            SettingsField.NUDGE_DAYS: _options(),
            SettingsField.NUDGE_TIME: _option("25:99"),
            SettingsField.NUDGE_BUDGET: _option("21"),
            SettingsField.CHANNEL_SUGGESTIONS: _option("off", "radio_buttons"),
        },
    )

    answer = reply.json()
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {
        SettingsField.ADMINS,
        SettingsField.HELPFUL_EMOJI,
        SettingsField.NUDGE_DAYS,
        SettingsField.NUDGE_TIME,
        SettingsField.NUDGE_BUDGET,
    }
    assert "at least one admin" in errors[SettingsField.ADMINS]
    assert "names like" in errors[SettingsField.HELPFUL_EMOJI]
    assert "between 1 and 20" in errors[SettingsField.NUDGE_BUDGET]
    assert "<!channel>" not in reply.text
    row = _row(served)
    assert (row.helpful_emoji, row.channel_suggestions, row.settings_changed_at) == (
        None,
        None,
        None,
    )
    assert served.emulator.calls_to("views.publish") == []


def test_an_emoji_cannot_mean_both_helpful_and_not_helpful(served):
    reply = _save(
        served.slack, served.emulator, **{SettingsField.UNHELPFUL_EMOJI: _text("-1, heart")}
    )

    assert ":heart:" in reply.json()["errors"][SettingsField.UNHELPFUL_EMOJI]
    assert _row(served).unhelpful_emoji is None


# -- each setting takes effect -------------------------------------------------------------------


def _reaction(emoji: str, user: str, channel: str, ts: str) -> dict:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item_user": BOT_USER_ID,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700000500.000100",
    }


def _share(slack: SlackSender, emulator, served) -> tuple[dict, str]:
    """Share a guide in #general; returns the message posted and its ts."""
    emulator.reset_calls()
    slack.click(Action.SHARE_GUIDE, state("premortem"), response_url=emulator.response_url())
    [post] = emulator.calls_to("chat.postMessage")
    with served.session() as session:
        ts = session.scalar(
            select(GuideMessage.message_ts).where(GuideMessage.team_id == slack.team_id)
        )
    return post, ts


def test_a_new_helpful_emoji_rates_shared_guides_and_is_named_on_them(served):
    _save(
        served.slack,
        served.emulator,
        **{
            SettingsField.HELPFUL_EMOJI: _text(":tada:"),
            SettingsField.UNHELPFUL_EMOJI: _text("thinking_face"),
        },
    )
    post, ts = _share(served.slack, served.emulator, served)

    assert "React :tada: or :thinking_face:" in _shown(post)
    for user, emoji in (("U0READER1", "tada"), ("U0READER2", "thinking_face"), ("U0READ3", "+1")):
        served.slack.event(_reaction(emoji, user, post.args["channel"], ts))
    with served.session() as session:
        votes = {r.user_id: r.value for r in session.scalars(select(Rating))}
    assert votes == {"U0READER1": 1, "U0READER2": -1}  # :+1: no longer rates here


def _lesson(served, *, share: bool) -> None:
    """A mistake moment reflected on alone, then its lesson written (and shared if `share`)."""
    served.slack.submit(
        View.MISTAKE_MOMENT,
        {
            Field.COLLEAGUE: {"type": "users_select", "selected_user": None},
            Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": "now"}},
        },
        user_id=PERSON,
    )
    with served.session() as session:
        moment_id = session.scalar(select(MistakeMoment.id).order_by(MistakeMoment.id.desc()))
    values = {Field.LESSON: {"type": "plain_text_input", "value": "Ask first <!here> & then act"}}
    if share:
        values[Field.SHARE_LESSON] = {"type": "checkboxes", "selected_options": [{"value": "x"}]}
    served.emulator.reset_calls()
    served.slack.submit(
        View.LESSON,
        values,
        user_id=PERSON,
        private_metadata=json.dumps({"moment": moment_id}),
    )


def test_a_lesson_is_shared_in_the_learning_channel_the_admins_chose(served):
    _save(served.slack, served.emulator, **{SettingsField.LEARNING_CHANNEL: _channel(LEARNING)})
    assert _row(served).learning_channel == LEARNING

    _lesson(served, share=True)

    [post] = served.emulator.calls_to("chat.postMessage")
    assert post.args["channel"] == LEARNING
    assert "&lt;!here&gt; &amp; then act" in _shown(post) and PERSON not in _shown(post)


def test_with_the_learning_channel_emptied_lessons_stay_private_whatever_the_environment(
    database_url, emulator, engine, clock
):
    from tests.conftest import serving

    settings = load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        admin_user_ids=[ADMIN],
        learning_channel=LEARNING,
    )
    with serving(settings, emulator, clock) as served:
        modal = _open_settings(served.slack, emulator)
        assert _as_submitted(modal)[SettingsField.LEARNING_CHANNEL] == _channel(LEARNING)

        _save(served.slack, emulator, **{SettingsField.LEARNING_CHANNEL: _channel(None)})
        _lesson(served, share=True)

        assert emulator.calls_to("chat.postMessage") == []
        with served.session() as session:
            assert session.scalar(select(MistakeMoment.lesson_shared)) is False
        assert _as_submitted(_open_settings(served.slack, emulator))[
            SettingsField.LEARNING_CHANNEL
        ] == _channel(None)


def test_a_learning_channel_inflow_is_not_in_is_refused_beside_its_input(served, monkeypatch):
    monkeypatch.setitem(
        served.emulator.channels, "C0NOTIN01", {"id": "C0NOTIN01", "is_member": False}
    )
    reply = _save(
        served.slack, served.emulator, **{SettingsField.LEARNING_CHANNEL: _channel("C0NOTIN01")}
    )

    assert "/invite @inflow" in reply.json()["errors"][SettingsField.LEARNING_CHANNEL]
    assert _row(served).learning_channel is None


def _message(text: str, *, team: str = TEAM, channel: str = "C0PROJECT", **extra) -> dict:
    ts = f"1700000000.{next(_ts):06d}"
    return {
        "type": "message",
        "text": text,
        "user": PERSON,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }


def test_with_channel_suggestions_off_no_offer_is_made_but_questions_are_answered(served):
    _save(
        served.slack,
        served.emulator,
        **{SettingsField.CHANNEL_SUGGESTIONS: _option("off", "radio_buttons")},
    )
    served.slack.event(_message(RETRO))
    served.slack.event(_message(f"<@{BOT_USER_ID}> retro formats?", type="app_mention"))
    served.slack.event(_message("how do I run a retro", channel="D0DM00001", channel_type="im"))
    served.settle()

    assert served.emulator.calls_to("chat.postEphemeral") == []
    answered = {c.args["channel"] for c in served.emulator.calls_to("chat.postMessage")}
    assert answered == {"C0PROJECT", "D0DM00001"}  # the mention, in its thread; the DM

    turned_off = served.slack.command(Command.LEARN, "suggestions off", user_id=PERSON)
    assert "no more suggestions" in turned_off.json()["text"]
    back = served.slack.command(Command.LEARN, "suggestions on", user_id=PERSON).json()
    assert "off for this whole workspace" in back["text"]


def test_the_admins_chosen_are_who_gets_the_report_and_stops_offers_in_a_channel(
    served, monkeypatch
):
    monkeypatch.setitem(
        served.emulator.channels, "C0PROJECT", {"id": "C0PROJECT", "creator": "U0SOMEONE"}
    )
    _save(served.slack, served.emulator, **{SettingsField.ADMINS: _users(PERSON)})
    assert _row(served).admins == PERSON

    report = served.slack.command(Command.LEARN, "report", user_id=PERSON).json()
    refused = served.slack.command(Command.LEARN, "report", user_id=ADMIN).json()
    assert report["text"].startswith("Library report")
    assert refused["text"].startswith("The library report is for the library's owners")

    served.slack.click(
        SuggestAction.STOP_CHANNEL,
        offer_value(1, "running-a-retrospective"),
        response_url=served.emulator.response_url(),
        user_id=PERSON,
        channel_id="C0PROJECT",
    )
    with served.session() as session:
        [opt_out] = session.scalars(select(SuggestionOptOut))
    assert (opt_out.scope, opt_out.set_by) == ("channel", PERSON)

    # the admin who handed over is an admin no more, in the Home tab and in the modal
    assert _settings_button(_open_home(served.slack, served.emulator, ADMIN)) is None
    assert (
        _forged(served.slack, ADMIN, **{SettingsField.ADMINS: _users(ADMIN)}).json()[
            "response_action"
        ]
        == "update"
    )
    assert _row(served).admins == PERSON


# -- nudges: the default days and time, and the budget ---------------------------------------------

BERLIN_THURSDAY = dt.date(2026, 11, 26)


def _manager(served, *managers: str, team: str = TEAM) -> None:
    """Managers (in Berlin) of one report each: the planner wants two nudges a week for each."""
    with transaction(served.sessions) as session:
        for manager in managers:
            served.emulator.users[manager] = {**_default_user(manager), "tz": "Europe/Berlin"}
            session.add(
                ManagerReport(
                    team_id=team,
                    manager_id=manager,
                    report_id=f"{manager}R",
                    source="slack",
                    created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                    confirmed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                )
            )


def _planned(served, user: str) -> list[OutboxMessage]:
    with served.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == user, OutboxMessage.status == "pending")
                .order_by(OutboxMessage.due_at)
            )
        )


def _spotting(served, user: str) -> OutboxMessage:
    [row] = [r for r in _planned(served, user) if r.subject == "spot-weekly"]
    return row


def test_a_new_default_time_moves_the_nudges_of_people_who_follow_it(served, clock):
    _manager(served, MANAGER, OWN_TIME)
    with transaction(served.sessions) as session:
        preferences.update(session, team_id=TEAM, user_id=OWN_TIME, now=clock.now, time="11:00")
    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)
    kept = _spotting(served, OWN_TIME)
    assert _spotting(served, MANAGER).due_at == dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)

    _save(served.slack, served.emulator, **{SettingsField.NUDGE_TIME: _option("08:00")})
    assert _planned(served, MANAGER) == []  # unplanned at once
    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)

    moved = _spotting(served, MANAGER)
    assert moved.due_at == dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)  # 08:00 in Berlin
    assert (_spotting(served, OWN_TIME).id, kept.due_at.hour) == (kept.id, 10)  # 11:00 Berlin


def test_new_default_days_unplan_what_falls_outside_them(served, clock):
    _manager(served, MANAGER)
    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)
    assert _spotting(served, MANAGER).due_at.date() == BERLIN_THURSDAY

    _save(served.slack, served.emulator, **{SettingsField.NUDGE_DAYS: _options("mon", "tue")})
    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)

    due = [r.due_at.date() for r in _planned(served, MANAGER)]
    assert due and BERLIN_THURSDAY not in due
    assert all(d.weekday() in (0, 1) for d in due)


def test_a_new_budget_applies_from_the_next_pass(served, clock):
    _manager(served, MANAGER)
    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)
    assert len(_planned(served, MANAGER)) == 2  # the spotting nudge and the coaching question

    _save(served.slack, served.emulator, **{SettingsField.NUDGE_BUDGET: _option("1")})
    assert len(_planned(served, MANAGER)) == 2  # what is planned stays
    next_week = clock.now + dt.timedelta(days=7)
    plan(served.sessions, served.workspaces.for_a_pass(), next_week)

    later = [r for r in _planned(served, MANAGER) if r.occurrence == "2026-W49"]
    assert [r.subject for r in later] == ["spot-weekly"]  # the more useful one


# -- one workspace's settings are its own ----------------------------------------------------------


def test_one_workspaces_settings_leave_the_other_alone(two_workspaces):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    a, b = two_workspaces.a, two_workspaces.b
    reply = _save(
        a,
        emulator,
        ADMIN_A,
        **{
            SettingsField.HELPFUL_EMOJI: _text("tada"),
            SettingsField.CHANNEL_SUGGESTIONS: _option("off", "radio_buttons"),
            SettingsField.ADMINS: _users(ADMIN_A, "U0AAAAAAAAAN"),
        },
    )
    assert reply.text == ""

    with served.session() as session:
        in_a = workspace_service.settings_of(session, TEAM_A, served.settings)
        in_b = workspace_service.settings_of(session, TEAM_B, served.settings)
    assert (in_a.helpful, in_a.channel_suggestions) == ("tada", False)
    assert (in_b.helpful, in_b.channel_suggestions, in_b.admins) == ("+1", True, {ADMIN_B})

    shared_in_a, _ = _share(a, emulator, served)
    shared_in_b, _ = _share(b, emulator, served)
    assert "React :tada:" in _shown(shared_in_a) and "React :+1:" in _shown(shared_in_b)

    emulator.reset_calls()
    a.event(_message(RETRO, team=TEAM_A))
    b.event(_message(RETRO, team=TEAM_B))
    served.settle()
    assert [emulator.team_of(c) for c in emulator.calls_to("chat.postEphemeral")] == [TEAM_B]


def test_an_admin_of_one_workspace_is_not_an_admin_of_the_other(two_workspaces):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator

    assert _settings_button(_open_home(two_workspaces.b, emulator, ADMIN_A)) is None
    reply = _forged(two_workspaces.b, ADMIN_A, **{SettingsField.ADMINS: _users(ADMIN_A)})

    assert reply.json()["response_action"] == "update"
    assert _row(served, TEAM_B).admins is None
    assert _settings_button(_open_home(two_workspaces.b, emulator, ADMIN_B)) is not None


def test_a_workspaces_budget_and_default_time_are_its_own(two_workspaces, clock):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    _manager(served, "U0AMANAGER", team=TEAM_A)
    _manager(served, "U0BMANAGER", team=TEAM_B)
    _save(
        two_workspaces.a,
        emulator,
        ADMIN_A,
        **{SettingsField.NUDGE_BUDGET: _option("1"), SettingsField.NUDGE_TIME: _option("08:00")},
    )

    plan(served.sessions, served.workspaces.for_a_pass(), clock.now)

    in_a, in_b = _planned(served, "U0AMANAGER"), _planned(served, "U0BMANAGER")
    assert [r.subject for r in in_a] == ["spot-weekly"]
    assert len(in_b) == 2
    assert in_a[0].due_at.astimezone(dt.UTC).hour == 7  # 08:00 in Berlin
    assert _spotting(served, "U0BMANAGER").due_at.astimezone(dt.UTC).hour == 8  # 09:30
