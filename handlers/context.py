"""Reading who and where from any Slack payload."""

from __future__ import annotations

import re

# A user mention as Slack sends it when a command escapes: <@U123> or <@U123|name>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
NOT_IN_CHANNEL = "I can't post in this channel yet. Add me with `/invite @inflow`, then try again."


def team_of(body: dict) -> str:
    """The workspace a request comes from, whatever its shape."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team or (body.get("user") or {}).get("team_id") or "")


def channel_of(body: dict) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel or body.get("channel_id")


def input_value(view: dict, block_id: str) -> dict:
    """The state of a modal input's element (each inflow input's action_id is `value`)."""
    return view["state"]["values"].get(block_id, {}).get("value", {})
