"""The Home tab end to end: a person's own page, kept private and short, and their settings."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.models import NudgePreference
from bot.slack.ids import Command, HomeAction, View

ME, FRIEND = "U0ASKER01", "U0FRIEND1"


def _open_home(served, user: str = ME) -> dict:
    served.emulator.reset()
    served.slack.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1.2",
        }
    )
    [call] = served.emulator.calls_to("views.publish")
    assert call.args["user_id"] == user
    return call.json_arg("view")


def _shown(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def _now() -> str:
    """An action's timestamp: no two clicks are the same request (the same one twice is a
    replay, acted on once)."""
    return f"{time.time():.6f}"


def _home_click(served, action_id: str, **action) -> None:
    served.slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": ME, "team_id": "T0INFLOW1"},
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "team_id": "T0INFLOW1"},
            "trigger_id": "1.2.3",
            "actions": [{"action_id": action_id, "block_id": "b", "action_ts": _now(), **action}],
        }
    )


def test_a_new_person_sees_where_to_start_and_default_nudges(served):
    view = _open_home(served)
    shown = _shown(view)
    assert "Seen at your best" in shown and "/spot @someone" in shown
    assert "Nudges are on" in shown
    days = next(
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == HomeAction.DAYS
    )
    assert [o["value"] for o in days["initial_options"]] == ["mon", "tue", "wed", "thu", "fri"]
    kinds = next(
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == HomeAction.KINDS
    )
    assert "reflection" not in [o["value"] for o in kinds["initial_options"]]


def test_home_gathers_strengths_ideas_lessons_and_guides(served):
    note = "I see you at your best when you calmed the upset client down and found a fix together"
    served.slack.command(Command.SPOT, f"<@{ME}> {note}", user_id=FRIEND)
    served.slack.command(Command.PITCH, f"Text reminders for no-shows <@{FRIEND}>")
    served.slack.command(Command.LEARN, "sbi")
    served.slack.submit(
        View.MISTAKE_MOMENT,
        {
            "colleague": {"type": "users_select", "selected_user": None},
            "when": {"type": "radio_buttons", "selected_option": {"value": "now"}},
        },
    )
    from bot.models import MistakeMoment

    with served.session() as session:
        moment_id = session.scalar(select(MistakeMoment.id))
    served.slack.submit(
        View.LESSON,
        {"lesson": {"type": "plain_text_input", "value": "Ask before assuming & check"}},
        private_metadata=json.dumps({"moment": moment_id}),
    )

    shown = _shown(_open_home(served))
    assert "Calm under pressure (1)" in shown
    assert note in shown
    assert "Text reminders for no-shows" in shown and "*Pitch*" in shown
    assert "Ask before assuming &amp; check" in shown
    assert "Giving feedback with Situation" in shown


def test_a_persons_lessons_are_not_on_anyone_elses_home(served):
    served.slack.submit(
        View.MISTAKE_MOMENT,
        {
            "colleague": {"type": "users_select", "selected_user": FRIEND},
            "when": {"type": "radio_buttons", "selected_option": {"value": "now"}},
        },
    )
    from bot.models import MistakeMoment

    with served.session() as session:
        moment_id = session.scalar(select(MistakeMoment.id))
    served.slack.submit(
        View.LESSON,
        {"lesson": {"type": "plain_text_input", "value": "my private lesson"}},
        private_metadata=json.dumps({"moment": moment_id}),
    )

    assert "my private lesson" in _shown(_open_home(served, ME))
    assert "my private lesson" not in _shown(_open_home(served, FRIEND))


def test_home_stays_within_block_kits_limits_with_long_history(served):
    for n in range(30):
        served.slack.command(
            Command.SPOT,
            f"<@{ME}> I see you at your best when you fixed thing number {n} for the whole team",
            user_id=FRIEND,
        )
    view = _open_home(served)
    assert len(view["blocks"]) <= 100
    assert "…and 15 more." in _shown(view)


def _prefs(served) -> NudgePreference | None:
    with served.session() as session:
        return session.scalar(select(NudgePreference))


def test_settings_are_saved_and_shown(served):
    _home_click(served, HomeAction.TIME, selected_option={"value": "08:00"})
    _home_click(served, HomeAction.DAYS, selected_options=[{"value": "tue"}, {"value": "thu"}])
    _home_click(served, HomeAction.KINDS, selected_options=[{"value": "reflection"}])

    prefs = _prefs(served)
    assert (prefs.time, prefs.days) == ("08:00", "tue,thu")
    assert set(prefs.kinds_off.split(",")) == {"coaching", "follow_ups", "ideas", "practice"}
    view = served.emulator.calls_to("views.publish")[-1].json_arg("view")
    time = next(
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == HomeAction.TIME
    )
    assert time["initial_option"]["value"] == "08:00"


def test_pause_and_resume(served, clock):
    _home_click(served, HomeAction.PAUSE, selected_date="2026-12-04")
    assert _prefs(served).paused_until.isoformat() == "2026-12-04"
    assert "Paused until Friday 4 December" in _shown(
        served.emulator.calls_to("views.publish")[-1].json_arg("view")
    )

    _home_click(served, HomeAction.RESUME, value="resume")
    assert _prefs(served).paused_until is None


def test_a_pause_date_in_the_past_is_explained(served):
    _home_click(served, HomeAction.PAUSE, selected_date="2026-01-01")
    assert _prefs(served) is None
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert "from today on" in dm.args["text"]


def test_the_home_tab_lists_the_commands_as_a_page_not_a_reply(served):
    shown = _shown(_open_home(served))

    assert "`/learn help`: what inflow does and all its commands" in shown
    assert "show this message" not in shown
    assert "`/debrief` posts in the channel for everyone there" in shown
