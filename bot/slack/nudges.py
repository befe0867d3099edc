"""Block Kit for nudges: each carries its guide and a one-tap "Not useful"."""

from __future__ import annotations

from bot.slack.ids import Action, FollowUpAction, NudgeAction
from bot.slack.kit import button, context, section
from bot.slack.text import escape

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


def guide_follow_up(guide_id: str, title: str) -> dict:
    """Three working days after a guide: did it change the work?"""
    text = f"Did you get to use “{escape(title)}”? What happened?"
    return {
        "text": text,
        "blocks": [
            section(text),
            {
                "type": "actions",
                "elements": [
                    button("Used it: it helped", FollowUpAction.HELPED, guide_id, "primary"),
                    button("Used it: it didn't", FollowUpAction.DID_NOT_HELP, guide_id),
                    button("Not yet", FollowUpAction.NOT_YET, guide_id),
                    button("Open the guide", f"{Action.OPEN_GUIDE}:0", guide_id),
                ],
            },
            context("Your answer helps the library learn which guides change the work."),
        ],
    }
