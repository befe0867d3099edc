"""Sending: a direct message to a person, and reading who someone is."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import people


def send_dm(client: WebClient, user_id: str, message: dict) -> tuple[str, str]:
    """Open (or reuse) the app's DM with a person and post `message`; returns (channel, ts)."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, **message)
    return posted["channel"], posted["ts"]


def send_file_dm(client: WebClient, user_id: str, upload: dict) -> None:
    """Upload a file into the app's DM with a person (`upload`: files_upload_v2's arguments)."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=channel, **upload)


def open_group_dm(client: WebClient, user_ids: list[str], message: dict) -> str:
    """Open the group DM of these people with the app and post `message`; returns the channel."""
    channel = client.conversations_open(users=",".join(user_ids))["channel"]["id"]
    client.chat_postMessage(channel=channel, **message)
    return channel


def why_not_pickable(client: WebClient, user_id: str, team_id: str) -> str | None:
    """Why a person cannot be picked (a bot, deactivated, another workspace), or None; None too
    when Slack is too slow to say (see bot.slack.people)."""
    user = people.lookup(client, user_id)
    if user is None:
        return None
    if user.get("not_found"):
        return "I can't find that person in this workspace. Pick someone from the list."
    if user.get("is_bot") or user.get("is_app_user") or user_id == "USLACKBOT":
        return "That's a bot. Pick a person."
    if user.get("deleted"):
        return "That account is deactivated. Pick someone who is still here."
    if team_id and user.get("team_id") and user["team_id"] != team_id:
        return "Pick someone from this workspace."
    return None


def why_cannot_post(client: WebClient, channel_id: str) -> str | None:
    """Why inflow could not post in a channel (archived, or not invited), or None. A channel
    Slack will not describe for another reason (a private one, say), or not within
    `people.WAIT`, is given the benefit of the doubt."""
    try:
        answer = people.within(lambda: client.conversations_info(channel=channel_id))
    except SlackApiError as error:
        if error.response.get("error") != "channel_not_found":
            return None
        answer = {"channel": {"is_member": False}}
    if answer is None:  # Slack too slow to say: a refused post later tells whoever caused it
        return None
    channel = answer["channel"]
    if channel.get("is_archived"):
        return "That channel is archived. Pick another, or none."
    if not channel.get("is_member", True):
        return "inflow isn't in that channel yet: invite it with /invite @inflow, then save."
    return None


NOT_REACHED = (
    "I couldn't reach <@{who}>: Slack says that's a bot or an account that's no longer active. "
    "Nothing was sent; pick someone else if you like."
)

TOO_SLOW = "That took a moment too long and Slack closed the window. Please try again."


def open_modal(client: WebClient, trigger_id: str, user_id: str, view: dict) -> None:
    """Open a modal; if the trigger expired (3 s), tell the person instead of failing."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        if error.response.get("error") not in ("expired_trigger_id", "invalid_trigger_id"):
            raise
        send_dm(client, user_id, {"text": TOO_SLOW})
