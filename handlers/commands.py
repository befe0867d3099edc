"""Slash commands."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.app import Deps
from bot.slack import blocks
from bot.slack.ids import Command


def register(app: App, deps: Deps) -> None:
    @app.command(Command.LEARN)
    def learn(ack: Ack, command: dict) -> None:
        """Answer /learn inside the ack."""
        text = (command.get("text") or "").strip()
        if text.lower() in ("", "help", "?"):
            ack(**blocks.help_message())
            return
        ack(**blocks.help_message())
