"""Block Kit for the monthly DM to a guide's owner: which of their guides are due for review,
each with *Still accurate*, *Edit* and *Retire*; and the list again once one is pressed."""

from __future__ import annotations

import datetime as dt

from bot.services.verifications import VERIFIED_FOR_MONTHS, Retired, Reviewable, Verified
from bot.slack.ids import Action, Block, ReviewAction
from bot.slack.kit import button, context, plain, section
from bot.slack.text import clip, escape

LISTED = 20  # two blocks a guide: 40 of a message's 50


def guide_block_id(guide_id: str) -> str:
    return f"{Block.REVIEW_GUIDE}:{guide_id}"


def actions_block_id(guide_id: str) -> str:
    return f"{Block.REVIEW_ACTIONS}:{guide_id}"


def _name(title: str, guide_id: str) -> str:
    return f"*{escape(clip(title, 80))}* (`{guide_id}`)"


def _buttons(guide: Reviewable) -> dict:
    retire = button("Retire", ReviewAction.RETIRE, guide.id, style="danger")
    retire["confirm"] = {
        "title": plain("Retire this guide?"),
        "text": {
            "type": "mrkdwn",
            "text": f"{_name(guide.title, guide.id)} will no longer be served in this workspace.",
        },
        "confirm": plain("Retire it"),
        "deny": plain("Keep it"),
        "style": "danger",
    }
    return {
        "type": "actions",
        "block_id": actions_block_id(guide.id),
        "elements": [
            button("Still accurate", ReviewAction.STILL_ACCURATE, guide.id, style="primary"),
            button("Edit", Action.GUIDE_EDIT, guide.id),
            retire,
        ],
    }


def review_list(guides: list[Reviewable]) -> dict:
    """The guides one owner should review, the longest overdue first, each with its buttons.

    It goes through the outbox without a nudge's *Not useful* / *Snooze* / *Stop these*: it is
    part of owning a guide, and it stops when the guides' review dates move on.
    """
    guides = sorted(guides, key=lambda g: (g.review_by, g.id))
    count = len(guides)
    text = f"{count} of your guides {'is' if count == 1 else 'are'} due for review"
    blocks = [section(f"*{text}*\nYou're the owner of these guides in inflow's library.")]
    for guide in guides[:LISTED]:
        blocks.append(
            section(
                f"{_name(guide.title, guide.id)}: review by {guide.review_by:%-d %B %Y}",
                block_id=guide_block_id(guide.id),
            )
        )
        blocks.append(_buttons(guide))
    more = f" …and {count - LISTED} more: they come once these are done." if count > LISTED else ""
    blocks.append(
        context(
            f"*Still accurate* moves a guide's review on {VERIFIED_FOR_MONTHS} months; *Edit* "
            "changes it; *Retire* stops serving it in this workspace. This list comes once a "
            f"month while any of your guides is due.{more}"
        )
    )
    return {"text": text, "blocks": blocks, "_no_controls": True}


def _day(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def verified_line(guide_id: str, verified: Verified) -> str:
    """What replaces a guide's line once it is verified ("verified by … on … — next review …")."""
    return (
        f"{_name(verified.title, guide_id)}: verified by <@{verified.by}> on {_day(verified.on)} "
        f"— next review {_day(verified.next_review)}"
    )


def retired_line(guide_id: str, retired: Retired) -> str:
    """What replaces a guide's line once it is retired."""
    return (
        f"{_name(retired.title, guide_id)}: retired by <@{retired.by}> on {_day(retired.on)} "
        "— no longer served in this workspace"
    )


def after_press(message: dict | None, guide_id: str, line: str) -> dict:
    """The review list as it was clicked, with that guide's line saying what happened and its
    buttons gone; just the line (a message of its own) when the clicked message is not known."""
    blocks = (message or {}).get("blocks") or []
    if not any(b.get("block_id") == guide_block_id(guide_id) for b in blocks):
        return {"text": line, "replace_original": False, "response_type": "ephemeral"}
    kept = []
    for block in blocks:
        if block.get("block_id") == actions_block_id(guide_id):
            continue
        if block.get("block_id") == guide_block_id(guide_id):
            block = section(line, block_id=guide_block_id(guide_id))
        kept.append(block)
    return {"text": (message or {}).get("text") or line, "blocks": kept, "replace_original": True}
