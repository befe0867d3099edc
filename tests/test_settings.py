"""Settings: every variable validated once, with one clear line per problem."""

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PORT",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_nothing():
    settings = load_settings()
    assert settings.database_url == "sqlite:///inflow.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.helpful_emoji[:2] == ["+1", "thumbsup"]


def test_missing_bot_token_points_to_the_manifest_and_readme():
    with pytest.raises(ConfigError) as raised:
        load_settings(slack_signing_secret="s").require_slack(http=True)
    message = str(raised.value)
    assert message.startswith("SLACK_BOT_TOKEN is not set")
    assert "manifest.yml" in message and "README" in message


def test_socket_mode_does_not_need_the_signing_secret(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    settings = load_settings()
    assert settings.socket_mode
    settings.require_slack(http=False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_URL", "ftp://emulator.local"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("LOG_LEVEL", "chatty"),
        # .env.example's placeholders, and others a newcomer might leave
        ("SLACK_BOT_TOKEN", "xoxb-..."),
        ("SLACK_BOT_TOKEN", "xoxb-…"),
        ("SLACK_SIGNING_SECRET", "..."),
        ("SLACK_SIGNING_SECRET", "<your signing secret>"),
        ("SLACK_CLIENT_SECRET", "…"),
        ("SLACK_CLIENT_ID", "your-client-id"),
        ("SLACK_APP_TOKEN", "xapp-..."),
    ],
)
def test_malformed_value_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    [line] = str(raised.value).splitlines()
    assert line.startswith(f"{name}: ")
    assert value not in line  # values can be secrets


def test_credentials_shaped_like_slacks_are_accepted(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrSt")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "8f14e45fceea167a5a36dedd4bea2543")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1234567890.1234567890")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "c9f0f895fb98ab9159f51fd0297e236d")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0123ABCD-1234567890-abcdef0123")
    settings = load_settings()
    assert settings.oauth and settings.socket_mode and settings.slack_bot_token


def test_spaces_pasted_around_a_token_are_dropped(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", " xoxb-1234-5678-abcdef\t")
    assert load_settings().slack_bot_token.get_secret_value() == "xoxb-1234-5678-abcdef"


def test_plain_postgresql_url_uses_psycopg_3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/inflow")
    assert load_settings().database_url.startswith("postgresql+psycopg://")


def test_secrets_do_not_show_in_repr(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    shown = repr(load_settings())
    assert "very-secret" not in shown


def test_serve_without_a_token_exits_with_one_clear_line(capsys):
    assert main(["serve", "--http"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("inflow: SLACK_BOT_TOKEN is not set")
    assert "Traceback" not in "\n".join(err)


def test_bad_port_exits_with_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "eighty")
    assert main(["db", "upgrade"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("inflow: PORT: ")


def test_unreachable_database_at_start_is_one_line_and_non_zero(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://inflow:hunter2@127.0.0.1:1/inflow")
    assert main(["db", "upgrade"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("inflow: cannot reach the database at postgresql+psycopg://inflow:***@")
    assert "hunter2" not in line


def test_db_upgrade_creates_the_sqlite_database(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "fresh.db").exists()
