"""Block Kit for a workspace's settings: the modal its inflow admins change them in."""

from __future__ import annotations

from bot.services.preferences import DAYS
from bot.services.workspaces import MAX_ADMINS, MAX_BUDGET, WorkspaceSettings, emoji_names
from bot.slack.home import TIMES
from bot.slack.ids import Field, SettingsField, View
from bot.slack.kit import context, plain

MAX_EMOJI_INPUT = 500  # what an admin may type: names, commas, spaces and colons
SUGGESTIONS = {
    "on": ("On", "inflow may quietly offer a guide to someone asking in a channel"),
    "off": ("Off", "no offers in channels; mentions and DMs are still answered"),
}


def _option(text: str, value: str, description: str | None = None) -> dict:
    option = {"text": plain(text, 75), "value": value}
    if description:
        option["description"] = plain(description, 75)
    return option


def _input(
    block_id: SettingsField, label: str, element: dict, *, hint: str, optional: bool = False
) -> dict:
    block: dict[str, object] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "hint": plain(hint, 2000),
        "element": {"action_id": Field.VALUE, **element},
    }
    if optional:
        block["optional"] = True
    return block


def _admins(current: WorkspaceSettings) -> dict:
    # More admins than inflow keeps (from INFLOW_ADMINS) are all shown, never silently cut:
    # saving them is refused until some are taken out.
    most = max(MAX_ADMINS, len(current.admins))
    element = {"type": "multi_users_select", "max_selected_items": most}
    if current.admins:
        element["initial_users"] = sorted(current.admins)
    return element


def _learning_channel(current: WorkspaceSettings) -> dict:
    # A multi-select of one, because Slack's single selects cannot be emptied again.
    element = {
        "type": "multi_conversations_select",
        "max_selected_items": 1,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": plain("No learning channel"),
    }
    if current.learning_channel:
        element["initial_conversations"] = [current.learning_channel]
    return element


def _emoji(names: tuple[str, ...]) -> dict:
    element = {"type": "plain_text_input", "max_length": MAX_EMOJI_INPUT}
    typed = ", ".join(names)
    if typed and len(typed) <= MAX_EMOJI_INPUT:
        element["initial_value"] = typed
    return element


def _days(current: WorkspaceSettings) -> dict:
    options = [_option(d.capitalize(), d) for d in DAYS]
    element = {"type": "checkboxes", "options": options}
    chosen = [o for o in options if o["value"] in current.nudge_days]
    if chosen:
        element["initial_options"] = chosen
    return element


def _static(options: list[dict], chosen: str, placeholder: str) -> dict:
    element = {"type": "static_select", "options": options, "placeholder": plain(placeholder)}
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def _time(current: WorkspaceSettings) -> dict:
    times = sorted({*TIMES, current.nudge_time})  # a time set outside this list stays shown
    return _static([_option(t, t) for t in times], current.nudge_time, "Time")


def _budget(current: WorkspaceSettings) -> dict:
    counts = [_option(str(n), str(n)) for n in range(1, MAX_BUDGET + 1)]
    return _static(counts, str(current.nudge_budget), "Nudges a week")


def _suggestions(current: WorkspaceSettings) -> dict:
    options = [_option(text, value, more) for value, (text, more) in SUGGESTIONS.items()]
    chosen = "on" if current.channel_suggestions else "off"
    return {
        "type": "radio_buttons",
        "options": options,
        "initial_option": next(o for o in options if o["value"] == chosen),
    }


def settings_modal(current: WorkspaceSettings) -> dict:
    """The workspace's settings, filled in with what applies now, for one of its admins."""
    blocks = [
        context(
            "These apply to everyone in this workspace. Each person can still choose their own "
            "nudge days and time on their inflow Home tab."
        ),
        _input(
            SettingsField.ADMINS,
            "inflow admins",
            _admins(current),
            hint="They change these settings and get the library report (/learn report).",
        ),
        _input(
            SettingsField.LEARNING_CHANNEL,
            "Learning channel",
            _learning_channel(current),
            hint="Where people may share the lesson of a mistake moment, without their name. "
            "Invite inflow there first. Leave it empty for none.",
            optional=True,
        ),
        _input(
            SettingsField.HELPFUL_EMOJI,
            "Emoji that rate a shared guide helpful",
            _emoji(current.helpful_emoji),
            hint="Emoji names, separated by commas, like +1, heart. A shared guide asks for "
            "the first one.",
        ),
        _input(
            SettingsField.UNHELPFUL_EMOJI,
            "Emoji that rate it not helpful",
            _emoji(current.unhelpful_emoji),
            hint="Emoji names, separated by commas, like -1, thumbsdown.",
        ),
        _input(
            SettingsField.NUDGE_DAYS,
            "Nudge days",
            _days(current),
            hint="For people who haven't chosen their own days.",
        ),
        _input(
            SettingsField.NUDGE_TIME,
            "Nudge time",
            _time(current),
            hint="In each person's own time zone, for people who haven't chosen their own time.",
        ),
        _input(
            SettingsField.NUDGE_BUDGET,
            "Nudges a week, at most, per person",
            _budget(current),
            hint="The most useful win. A new budget applies from the next planning pass.",
        ),
        _input(
            SettingsField.CHANNEL_SUGGESTIONS,
            "Channel suggestions",
            _suggestions(current),
            hint="Each person, and each channel's managers, can still turn them off for "
            "themselves.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": View.WORKSPACE_SETTINGS,
        "title": plain("Workspace settings"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def _selected(state: dict) -> str | None:
    return (state.get("selected_option") or {}).get("value")


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else 0  # 0: refused as out of range, not ignored


_READERS = {
    SettingsField.ADMINS: lambda state: list(state.get("selected_users") or []),
    SettingsField.LEARNING_CHANNEL: lambda state: next(
        iter(state.get("selected_conversations") or []), None
    ),
    SettingsField.HELPFUL_EMOJI: lambda state: emoji_names(state.get("value") or ""),
    SettingsField.UNHELPFUL_EMOJI: lambda state: emoji_names(state.get("value") or ""),
    SettingsField.NUDGE_DAYS: lambda state: [
        option["value"] for option in state.get("selected_options") or []
    ],
    SettingsField.NUDGE_TIME: _selected,
    SettingsField.NUDGE_BUDGET: lambda state: _number(_selected(state)),
    SettingsField.CHANNEL_SUGGESTIONS: lambda state: {"on": True, "off": False}.get(
        _selected(state) or ""
    ),
}


def read_settings(values: dict) -> dict:
    """The submitted form (`view.state.values`) as change_settings' keywords; an input the
    submission lacks, or a choice it left empty, is not given."""
    given = {}
    for field, read in _READERS.items():
        if field in values:
            given[str(field)] = read(values[field].get(Field.VALUE) or {})
    return given
