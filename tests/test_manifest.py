"""manifest.yml declares exactly what the code listens for and the scopes it needs."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())

# Scopes Slack requires for each event subscription and Web API method inflow uses.
EVENT_SCOPES = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "member_joined_channel": {"channels:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_delete": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_open": {"im:write", "mpim:write"},  # DMs and group DMs
    # "Stop in this channel" asks who made the channel, in public and private ones alike.
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_history": {"im:history"},  # the deliverer looks for a message before resending
    "users_info": {"users:read"},
    "users_lookupByEmail": {"users:read.email"},
    "views_open": set(),
    "views_push": set(),
    "views_update": set(),
    "views_publish": set(),
    "files_upload_v2": {"files:write"},
}


# The kinds of channel inflow hears messages in (and so acts on: "Stop in this channel"), by the
# event that brings them, and the prefix of Slack's scopes for each kind. Not DMs: inflow never
# asks Slack about a DM.
CHANNEL_KINDS = {"message.channels": "channels", "message.groups": "groups", "message.mpim": "mpim"}
# Methods inflow calls about such a channel; Slack wants the scope of that channel's kind.
ABOUT_A_CHANNEL = {"conversations_info"}
# The granular bot scope that replaced each legacy scope the 2020 spec still names.
GRANULAR = {"chat:write:bot": "chat:write", "chat:write:user": "chat:write"}


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    from bot import migrate
    from bot.app import create_app
    from bot.config import load_settings
    from bot.db import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('manifest') / 'inflow.db'}")
    migrate.upgrade(engine)
    settings = load_settings(slack_bot_token="xoxb-x", slack_signing_secret="s")
    app = create_app(settings, sessions=make_sessionmaker(engine), token_verification=False)
    yield app.registered
    engine.dispose()


def _bot_events() -> set[str]:
    return set(MANIFEST["settings"].get("event_subscriptions", {}).get("bot_events", []))


def _methods_called() -> set[str]:
    source = "\n".join(p.read_text() for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py"))
    return set(re.findall(r"\bclient\.((?:chat|conversations|users|views|files)_\w+)\(", source))


def test_commands_match(registered):
    declared = {c["command"] for c in MANIFEST["features"].get("slash_commands", [])}
    assert declared == registered["commands"]


def test_events_match(registered):
    declared = {event.split(".")[0] for event in _bot_events()}
    assert declared == registered["events"]


def test_shortcuts_match(registered):
    declared = {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}
    assert declared == registered["shortcuts"]


def test_interactivity_is_on_exactly_when_something_is_interactive(registered):
    interactive = bool(registered["actions"] | registered["views"] | registered["shortcuts"])
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] == interactive


def test_scopes_are_exactly_what_the_code_needs(registered):
    needed = {"commands"} if registered["commands"] or registered["shortcuts"] else set()
    for event in _bot_events():
        needed |= EVENT_SCOPES[event]
    for method in _methods_called():
        assert method in METHOD_SCOPES, f"add {method}'s scope to METHOD_SCOPES"
        needed |= METHOD_SCOPES[method]
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_the_oauth_flow_asks_for_the_manifests_scopes_and_redirects_where_it_says():
    from bot.oauth import BOT_SCOPES, REDIRECT_PATH

    assert sorted(BOT_SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert all(url.endswith(REDIRECT_PATH) for url in MANIFEST["oauth_config"]["redirect_urls"])


def test_every_declared_command_and_event_gets_an_answer(served):
    for command in MANIFEST["features"].get("slash_commands", []):
        assert served.slack.command(command["command"], "help").status == 200
    # The uninstall events last: after them the workspace is refused.
    for event in sorted(_bot_events(), key=lambda e: e in ("app_uninstalled", "tokens_revoked")):
        name = event.split(".")[0]
        payload = {"type": name, "user": "U0X", "channel": "C0X", "tab": "home", "event_ts": "1.2"}
        assert served.slack.event(payload).status == 200, name


def _api_methods(called: str) -> list[str]:
    """The Web API methods behind a slack_sdk client method (files_upload_v2 calls two)."""
    if called == "files_upload_v2":
        return ["files.getUploadURLExternal", "files.completeUploadExternal"]
    return [called.replace("_", ".", 1)]


def _accepted_scopes(method: str) -> set[str]:
    """The bot scopes any one of which Slack accepts for `method`; empty: none needed."""
    from tests.slack_spec import SPEC

    scopes = {GRANULAR.get(scope, scope) for scope in SPEC[method]["scopes"]}
    return scopes - {"none"}


def test_every_method_the_code_calls_has_a_scope_slack_accepts_for_it():
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    for called in _methods_called():
        for method in _api_methods(called):
            accepted = _accepted_scopes(method)
            assert not accepted or accepted & granted, f"{method} needs one of {accepted}"
            assert METHOD_SCOPES[called] <= accepted, f"{called}: Slack's spec says {accepted}"


def test_methods_about_a_channel_have_the_scope_of_every_kind_inflow_listens_in():
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    kinds = {CHANNEL_KINDS[event] for event in _bot_events() if event in CHANNEL_KINDS}
    assert kinds, "inflow listens in channels"
    for called in ABOUT_A_CHANNEL & _methods_called():
        [method] = _api_methods(called)
        for kind in kinds:
            needed = {scope for scope in _accepted_scopes(method) if scope.startswith(f"{kind}:")}
            assert needed & granted, f"{method} in {kind} needs {needed}"
