"""Block Kit for a guide's history: its versions in the workspace, each older published one with
*Restore* (bot.services.guide_history)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.services.guide_history import SHIPPED_VERSION, History, Version
from bot.services.workspace_guides import GuideState
from bot.slack.ids import HistoryAction, View
from bot.slack.kit import context, plain, section
from bot.slack.text import MAX_VIEW_BLOCKS, clip, escape, mention

STATE_WORDS = {
    GuideState.DRAFT: "Draft",
    GuideState.PUBLISHED: "Published",
    GuideState.HIDDEN: "Hidden",
    GuideState.DISCARDED: "Discarded draft",
    GuideState.SHIPPED: "Shipped version",
}
NEVER_CHANGED = "Shipped version, never changed here."


@dataclass(frozen=True)
class RestoreRef:
    """What a *Restore* button carries: the guide, the version to serve again, and the version
    the history was opened on (its base)."""

    guide_id: str
    version: int
    base: int

    def value(self) -> str:
        return json.dumps(
            {"g": self.guide_id, "v": self.version, "b": self.base}, separators=(",", ":")
        )


def read_restore(value: str) -> RestoreRef | None:
    """A *Restore* button's value back; None for anything else."""
    try:
        data = json.loads(value)
        return RestoreRef(str(data["g"]), int(data["v"]), int(data["b"]))
    except (ValueError, KeyError, TypeError):
        return None


def history_metadata(guide_id: str) -> str:
    return json.dumps({"g": guide_id}, separators=(",", ":"))


def _version_line(entry: Version, history: History) -> dict:
    state = STATE_WORDS[entry.state] + (" · *served now*" if entry.served else "")
    text = (
        f"*Version {entry.version}* · {state} · {mention(entry.by)} · "
        f"{entry.at:%-d %b %Y, %H:%M} UTC\n"
        f"{escape(clip(', '.join(entry.changes), 600))}"
    )
    if not entry.restorable:
        return section(text)
    return section(text, accessory=_restore_button(history, entry.version))


def _restore_button(history: History, version: int) -> dict:
    unhides = " The guide is hidden now: restoring serves it again." if history.hidden else ""
    if version == SHIPPED_VERSION:
        title = "Restore the shipped version?"
        what = (
            "The guide goes back to the version inflow ships, with its future updates; "
            "every version saved here stays in the history."
        )
    else:
        title = f"Restore version {version}?"
        what = (
            "Its text becomes the guide's newest version, served in this workspace; every "
            "version stays in the history."
        )
    return {
        "type": "button",
        "text": plain("Restore"),
        "action_id": f"{HistoryAction.RESTORE}:{version}",
        "value": RestoreRef(history.guide_id, version, history.base).value(),
        "confirm": {
            "title": plain(title, 100),
            "text": plain(what + unhides, 300),
            "confirm": plain("Restore"),
            "deny": plain("Cancel"),
        },
    }


def history_modal(history: History, *, note: str | None = None) -> dict:
    """The guide's versions, newest first, and *Restore* on each older published one; `note`
    (already escaped) says what the last click did."""
    title = escape(clip(history.title, 150))
    blocks: list[dict] = []
    if note:
        blocks.append(section(note))
    if not history.versions:
        blocks.append(section(f"*{title}* (`{escape(history.guide_id)}`)\n{NEVER_CHANGED}"))
    else:
        count = f"{history.total} {'version' if history.total == 1 else 'versions'}"
        blocks.append(
            section(
                f"*{title}* (`{escape(history.guide_id)}`)\n{count} saved in this workspace, "
                "newest first. *Restore* serves an older published version again, as a new "
                "version: nothing is lost."
            )
        )
        if history.hidden:
            blocks.append(
                context("Hidden in this workspace now: restoring a version serves it again.")
            )
    room = MAX_VIEW_BLOCKS - len(blocks) - 2
    blocks += [_version_line(entry, history) for entry in history.versions[:room]]
    shown = min(len(history.versions), room)
    if history.total > shown:
        blocks.append(
            context(
                f"The newest {shown} of {history.total} versions. `inflow content export` "
                "writes the guide as it is served."
            )
        )
    if history.versions and history.shipped:
        if history.as_shipped:
            blocks.append(context("Before these: the version inflow ships."))
        else:  # changed here: the shipped version can be served again
            blocks.append(
                section(
                    "*The version inflow ships* · before these",
                    accessory=_restore_button(history, SHIPPED_VERSION),
                )
            )
    return {
        "type": "modal",
        "callback_id": View.GUIDE_HISTORY,
        "title": plain("Guide history", 24),
        "close": plain("Close"),
        "private_metadata": history_metadata(history.guide_id),
        "blocks": blocks,
    }
