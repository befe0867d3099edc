"""Tokens at rest: the key ring, rotating INFLOW_ENCRYPTION_KEY, the CLI with many workspaces."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.installations import KeyRing, UnreadableToken
from bot.models import SLACK_BOTS, SLACK_INSTALLATIONS
from tests.conftest import ENCRYPTION_KEY, TEAM_A, TEAM_B, serving

NEW_KEY = "Dq8Zb6Q6xQn2VHc0p9jXqv4g1kTq3y8m2w7Qx0fKx1E="


def test_the_first_key_encrypts_and_every_key_decrypts():
    old, new = KeyRing([ENCRYPTION_KEY]), KeyRing([NEW_KEY, ENCRYPTION_KEY])
    sealed = old.encrypt("xoxb-1")

    assert new.decrypt(sealed) == "xoxb-1"
    rotated = new.rotate(sealed)
    assert KeyRing([NEW_KEY]).decrypt(rotated) == "xoxb-1"
    with pytest.raises(UnreadableToken):
        KeyRing([NEW_KEY]).decrypt(sealed)


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"encryption_keys": ""}, "INFLOW_ENCRYPTION_KEY is not set"),
        ({"slack_client_secret": None}, "SLACK_CLIENT_SECRET is not set"),
    ],
)
def test_oauth_without_what_it_needs_is_refused_at_start(overrides, says):
    base = {
        "slack_client_id": "1.2",
        "slack_client_secret": "s",
        "slack_signing_secret": "s",
        "encryption_keys": ENCRYPTION_KEY,
    }
    settings = load_settings(**{**base, **overrides})
    with pytest.raises(ConfigError, match=says):
        settings.require_slack(http=True)


def test_a_key_that_is_not_a_fernet_key_is_named():
    with pytest.raises(ConfigError, match="INFLOW_ENCRYPTION_KEY: key 2 is not a Fernet key"):
        load_settings(encryption_keys=f"{ENCRYPTION_KEY},hunter2")


@pytest.fixture
def env(monkeypatch, oauth_settings):
    for name, value in {
        "DATABASE_URL": oauth_settings.database_url,
        "SLACK_CLIENT_ID": oauth_settings.slack_client_id,
        "SLACK_CLIENT_SECRET": oauth_settings.slack_client_secret.get_secret_value(),
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": oauth_settings.slack_api_url,
        "INFLOW_ENCRYPTION_KEY": ENCRYPTION_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return monkeypatch


def _keys(value: str):
    return load_settings(encryption_keys=value).encryption_keys


def _sealed(served) -> list[str]:
    with served.session() as session:
        return [
            *session.scalars(select(SLACK_BOTS.c.bot_token)),
            *session.scalars(select(SLACK_INSTALLATIONS.c.bot_token)),
        ]


def test_rotating_the_key_keeps_every_workspace_working(
    two_workspaces, env, capsys, oauth_settings, emulator, clock
):
    served = two_workspaces.served
    before = _sealed(served)
    env.setenv("INFLOW_ENCRYPTION_KEY", f"{NEW_KEY},{ENCRYPTION_KEY}")

    assert main(["keys", "rotate"]) == 0

    assert "4 tokens re-encrypted" in capsys.readouterr().out
    after = _sealed(served)
    assert all(KeyRing([NEW_KEY]).decrypt(token).startswith("xoxb-") for token in after)
    assert set(before).isdisjoint(after)
    # The old key is gone from the environment: inflow still acts in both workspaces.
    rotated = oauth_settings.model_copy(update={"encryption_keys": _keys(NEW_KEY)})
    with serving(rotated, emulator, clock) as again:
        assert again.workspaces.client(TEAM_A) is not None
        assert again.workspaces.client(TEAM_B) is not None


def test_a_token_no_key_opens_makes_its_workspace_unreachable_not_the_app_broken(
    two_workspaces, oauth_settings, emulator, clock, caplog
):
    wrong = oauth_settings.model_copy(update={"encryption_keys": _keys(NEW_KEY)})
    with serving(wrong, emulator, clock) as served:
        assert served.workspaces.client(TEAM_A) is None
    assert "no key in INFLOW_ENCRYPTION_KEY opens its token" in caplog.text


def test_rotating_without_a_key_says_how(env, capsys):
    env.delenv("INFLOW_ENCRYPTION_KEY")
    assert main(["keys", "rotate"]) == 2
    assert "INFLOW_ENCRYPTION_KEY is not set" in capsys.readouterr().err


def test_a_new_key_is_a_fernet_key(capsys):
    assert main(["keys", "new"]) == 0
    KeyRing([capsys.readouterr().out.strip()])


def test_the_workspaces_are_listed_with_their_status(two_workspaces, env, capsys):
    two_workspaces.a.event({"type": "app_uninstalled"})

    assert main(["workspaces", "list"]) == 0

    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(line[0], line[2]) for line in lines] == [(TEAM_A, "uninstalled"), (TEAM_B, "active")]
    assert lines[0][4] != "-" and lines[1][4] == "-"  # when A's data goes


def test_with_many_workspaces_a_command_for_one_asks_which(env, capsys):
    assert main(["holidays", "list"]) == 2
    assert "give --team" in capsys.readouterr().err
