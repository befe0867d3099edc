"""Block Kit for `/learn my-data` and `/learn forget-me`."""

from __future__ import annotations

import datetime as dt
import json

from bot.services.privacy import Forgotten
from bot.slack.ids import Command, PrivacyAction
from bot.slack.kit import button, context, plain, section

ON_ITS_WAY = "Your data is on its way in a DM."

# What stays, without a name, per table (see bot/services/privacy.py HOLDINGS).
KEPT = {
    "ratings": "votes on guides",
    "guide_outcomes": "answers to “did the guide help?”",
    "ideas": "ideas you sponsor",
    "practice_enrolments": "practice paths you invited others to",
    "debriefs": "debriefs you started",
    "guide_messages": "guides you shared in channels",
    "mistake_moments": "mistake moments you were asked about",
    "outbox": "records of nudges to others that named you",
    "guide_aliases": "names you added to guides",
    "workspace_guides": "guide versions you saved in the workspace's library",
    "library_authors": "the library's authors you named",
    "guide_verifications": "guides you verified as still accurate",
    "suggestion_opt_outs": "channels' “stop suggesting” you set",
    "workspaces": "the workspace's record of who installed inflow or changed its settings",
    "slack_installations": "Slack's record of the install",
}
OTHER_RECORDS = "other records that belong to someone else too"


def data_on_its_way() -> dict:
    """The ack of `/learn my-data`."""
    return {"response_type": "ephemeral", "text": ON_ITS_WAY}


def data_file(data: dict, *, today: dt.date) -> dict:
    """The JSON file of everything inflow holds about a person, as `files_upload_v2` takes it."""
    return {
        "filename": f"inflow-my-data-{today.isoformat()}.json",
        "title": "Everything inflow holds about you",
        "content": json.dumps(data, indent=2, ensure_ascii=False),
        "initial_comment": (
            "Here is everything inflow holds about you in this workspace, grouped by area. "
            f"To have it all deleted: `{Command.LEARN} forget-me`."
        ),
    }


def forget_confirmation() -> dict:
    """What `/learn forget-me` will delete and keep, and the button that does it."""
    deleted = (
        "*Forget me* deletes everything inflow holds about you in this workspace: your mistake "
        "moments and lessons, strengths you gave and received, your ideas and your answers on "
        "others' ideas, your debrief answers and the debrief rhythms you set, the guides you "
        "looked at and the searches nothing answered, your nudge settings, nudges and "
        "feedback, who you manage or report to, and what inflow read from your profile."
    )
    kept = (
        "*Kept, without your name:* your votes on guides and what you said they did (they "
        "only count towards totals), ideas you sponsor and mistake moments others asked you "
        "about (they stay with their authors), debriefs you started and guides you shared "
        "(they stay with their channels). Messages already posted in Slack stay in Slack."
    )
    forget = button("Forget me", PrivacyAction.FORGET_ME, "forget", "danger")
    forget["confirm"] = {
        "title": plain("Delete everything about you?"),
        "text": plain("This can't be undone."),
        "confirm": plain("Delete it all"),
        "deny": plain("Keep it"),
        "style": "danger",
    }
    return {
        "response_type": "ephemeral",
        "text": "Forget me: delete everything inflow holds about you in this workspace?",
        "blocks": [
            section(deleted),
            section(kept),
            context(f"This can't be undone. Want a copy first? `{Command.LEARN} my-data`"),
            {
                "type": "actions",
                "elements": [forget, button("Keep my data", PrivacyAction.KEEP_MY_DATA, "keep")],
            },
        ],
    }


def forgotten(done: Forgotten) -> dict:
    """`Done: …`, with what was deleted and what was kept without a name."""
    deleted = sum(done.deleted.values())
    text = f"Done: inflow deleted {deleted} {_records(deleted)} about you in this workspace."
    if done.anonymised:
        kept = ", ".join(
            f"{KEPT.get(table, OTHER_RECORDS)} ({count})"
            for table, count in done.anonymised.items()
        )
        text += f" Kept without your name: {kept}."
    return {"text": text, "replace_original": True}


def kept_data() -> dict:
    """The answer to *Keep my data*."""
    return {"text": "Nothing was deleted.", "replace_original": True}


def _records(count: int) -> str:
    return "record" if count == 1 else "records"
