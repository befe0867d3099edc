"""Messages about who manages whom: the report's question, its answers, the manager's list."""

from __future__ import annotations

from bot.services.teams import LinkStatus
from bot.slack.ids import Command, TeamAction
from bot.slack.kit import button, context, section


def link_request(manager_id: str, link_id: int) -> dict:
    """The DM asking a report to confirm the person who named them as their manager."""
    text = (
        f"<@{manager_id}> says they manage you. If that's right, inflow will send them coaching "
        "prompts about working with you, remind them of your ideas that are stuck, and suggest "
        "them when you pick someone to talk a mistake moment over with."
    )
    return {
        "text": f"<@{manager_id}> says they manage you. Is that right?",
        "blocks": [
            section(text),
            context("Nothing about you is shared with them until you confirm."),
            {
                "type": "actions",
                "elements": [
                    button("Yes, they manage me", TeamAction.CONFIRM, str(link_id), "primary"),
                    button("Not my manager", TeamAction.DECLINE, str(link_id)),
                ],
            },
        ],
    }


def link_answered(manager_id: str, *, confirmed: bool) -> dict:
    """The report's DM once they answered (replacing the question)."""
    if confirmed:
        text = f"Thanks: <@{manager_id}> is now listed as your manager in inflow."
    else:
        text = (
            f"Got it: <@{manager_id}> isn't listed as your manager, and can't ask again. "
            "Nothing about you was shared with them."
        )
    return {"text": text, "blocks": [section(text)], "replace_original": True}


def manager_told(report_id: str, *, confirmed: bool) -> dict:
    """The manager's DM once the report answered."""
    if confirmed:
        text = f"<@{report_id}> confirmed you manage them: coaching prompts about them start soon."
    else:
        text = f"<@{report_id}> said you don't manage them, so they're not on your list."
    return {"text": text}


def team_list(named: dict[str, LinkStatus]) -> dict:
    """`/learn team`: the people a manager named, and where each stands."""
    if not named:
        text = (
            f"You haven't named your reports yet. Try `{Command.LEARN} team @ana @ben`: inflow "
            "asks each of them to confirm, then sends you coaching prompts about them."
        )
        return {"response_type": "ephemeral", "text": text}

    def listed(status: LinkStatus) -> str:
        return ", ".join(f"<@{user}>" for user, s in named.items() if s == status)

    lines = []
    if confirmed := listed(LinkStatus.CONFIRMED):
        lines.append(f"Your reports: {confirmed}.")
    if waiting := listed(LinkStatus.WAITING):
        lines.append(f"Waiting for them to confirm: {waiting}. I've asked them in a DM.")
    if declined := listed(LinkStatus.DECLINED):
        lines.append(f"Said you don't manage them: {declined}.")
    lines.append("Edit the list on inflow's Home tab.")
    return {"response_type": "ephemeral", "text": "\n".join(lines)}
