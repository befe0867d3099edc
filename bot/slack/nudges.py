"""Block Kit for nudges: each carries its guide and a one-tap "Not useful"."""

from __future__ import annotations

from bot.slack.ids import Action, NudgeAction
from bot.slack.kit import button, context, section

SPOT_GUIDE = "spotting-strengths"


def weekly_spotting() -> dict:
    text = "Who did you see at their best this week?"
    return {
        "text": text,
        "blocks": [
            section(f"*{text}*\nTell them in a sentence: “I see you at your best when you…”"),
            {
                "type": "actions",
                "elements": [
                    button("Spot a strength", NudgeAction.OPEN_SPOT, "spot", "primary"),
                    button("Open the guide", f"{Action.OPEN_GUIDE}:0", SPOT_GUIDE),
                    button("Not useful", NudgeAction.NOT_USEFUL, "coaching/spot-weekly"),
                ],
            },
            context("Change when and which nudges you get on inflow's Home tab."),
        ],
    }
