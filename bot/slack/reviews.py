"""Block Kit for the monthly DM to a guide's owner: which of their guides are due for review."""

from __future__ import annotations

from bot.library.schema import Guide
from bot.slack.kit import context, section
from bot.slack.text import clip, escape

LISTED = 20


def review_list(guides: list[Guide]) -> dict:
    """The guides one owner should review, the longest overdue first.

    It goes through the outbox without a nudge's *Not useful* / *Snooze* / *Stop these*: it is
    part of owning a guide, and it stops when the guides' `review_by` dates move on.
    """
    guides = sorted(guides, key=lambda g: (g.meta.review_by, g.id))
    count = len(guides)
    text = f"{count} of your guides {'is' if count == 1 else 'are'} due for review"
    lines = "\n".join(
        f"• *{escape(clip(g.title, 80))}* (`{g.id}`): review by {g.meta.review_by:%-d %B %Y}"
        for g in guides[:LISTED]
    )
    if count > LISTED:
        lines += f"\n…and {count - LISTED} more: `inflow content lint` lists them all."
    return {
        "text": text,
        "blocks": [
            section(f"*{text}*\nYou're the owner of these guides in inflow's library."),
            section(lines),
            context(
                "Check each is still right, then move its `review_by` date on in the guide's "
                "front matter. This list comes once a month while any of your guides is due."
            ),
        ],
        "_no_controls": True,
    }
