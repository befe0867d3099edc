"""Reading who and where from any Slack payload."""

from __future__ import annotations

import re

from slack_bolt.request.internals import extract_team_id

# A user mention as Slack sends it when a command escapes: <@U123> or <@U123|name>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
NOT_IN_CHANNEL = "I can't post in this channel yet. Add me with `/invite @inflow`, then try again."


def team_of(body: dict) -> str:
    """The workspace a request was authorised for, whatever its shape: its data is the only
    data the request may touch.

    Bolt picks the bot token with this same reading of the body, so the two always agree: an
    event from a channel shared with another workspace (`authorizations` names the installation,
    `team_id` where it happened), or a form opened through another workspace's install
    (`view.app_installed_team_id`), acts on the data of the workspace whose token answers it.
    """
    return str(extract_team_id(body) or "")


def channel_of(body: dict) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel or body.get("channel_id")


def clicked_message(body: dict) -> str | None:
    """The ts of the message whose button was clicked (ephemeral ones have one too)."""
    return (body.get("container") or {}).get("message_ts") or None


def input_value(view: dict, block_id: str) -> dict:
    """The state of a modal input's element (each inflow input's action_id is `value`)."""
    return view["state"]["values"].get(block_id, {}).get("value", {})


def selected_value(view: dict, block_id: str) -> str | None:
    """The value of the option chosen in a modal's select or radio input; None if none was."""
    return (input_value(view, block_id).get("selected_option") or {}).get("value")
