"""Slack listeners, one module per surface; `register_listeners` adds them all to an app."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.handlers import (
    authoring,
    commands,
    conversations,
    debriefs,
    events,
    guide_history,
    guide_sources,
    home,
    ideas,
    installs,
    library_actions,
    mistakes,
    nudges,
    practice,
    privacy,
    report,
    reviews,
    strengths,
    teams,
)


def register_listeners(app: App, deps: Deps) -> None:
    """Register every module's listeners, as Slack's Bolt samples do."""
    # Bolt tries listeners in this order and stops at the first match, building arguments for
    # each matcher: the busiest surface (channel messages) goes first.
    modules = (
        conversations,
        events,
        commands,
        library_actions,
        mistakes,
        strengths,
        ideas,
        practice,
        debriefs,
        nudges,
        report,
        reviews,
        home,
        privacy,
        teams,
        installs,
        authoring,
        guide_sources,
        guide_history,
    )
    for module in modules:
        module.register(app, deps)
