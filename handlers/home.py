"""The App Home tab."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import Deps
from bot.slack import blocks


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict, client: WebClient) -> None:
        """Publish the Home tab when someone opens it."""
        if event.get("tab") != "home":
            return
        client.views_publish(user_id=event["user"], view=blocks.home_view())
