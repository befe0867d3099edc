"""Settings: every environment variable inflow reads, validated once at start-up."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def shipped_guides() -> Path:
    """The library that comes with inflow, wherever it is installed.

    A wheel carries `content/guides` inside the package (bot/content/guides, see pyproject's
    package-dir); a checkout, editable install or not, has it at the root, where people edit it.
    """
    package = Path(__file__).resolve().parent
    installed = package / "content" / "guides"
    return installed if installed.is_dir() else package.parent / "content" / "guides"


DEFAULT_CONTENT_DIR = shipped_guides()

SLACK_SETUP_HINT = "see 'Slack set-up' in README.md: create the app from manifest.yml"


class ConfigError(Exception):
    """Raised when the environment cannot start inflow; str() is one line per problem."""


class HttpWorker(StrEnum):
    """How gunicorn's workers read requests (bot.buffering)."""

    BUFFERING = "buffering"  # whole requests first: slow clients hold no thread
    GTHREAD = "gthread"  # gunicorn's own: only for comparing (bench/slow_clients.py)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


# What Slack's credentials look like, so that a placeholder (.env.example's `xoxb-...`) stops
# start-up with a line naming it instead of failing later, in every worker, at Slack.
_BOT_TOKEN = re.compile(r"xoxb-[A-Za-z0-9-]+")
_APP_TOKEN = re.compile(r"xapp-[A-Za-z0-9-]+")
_CLIENT_ID = re.compile(r"[0-9]+\.[0-9]+")
_SECRET = re.compile(r"[A-Za-z0-9_-]+")  # Slack's secrets are hex
PLACEHOLDER_NOTE = "a placeholder such as .env.example's is not one"


def _unless_blank(value: SecretStr | None) -> SecretStr | None:
    """The secret without the spaces a paste may bring; None for one set but empty (a value
    passed in code: the environment's empty ones are ignored)."""
    stripped = value.get_secret_value().strip() if value is not None else ""
    return SecretStr(stripped) if stripped else None


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every setting inflow reads from the environment (or a `.env` file)."""

    # An empty variable is an unset one: compose passes every setting on, empty when unset.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    # OAuth distribution: with both set, any workspace can install inflow at /slack/install.
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET"
    )
    # Where Slack sends the installer back; None: the Redirect URL set in the app's config.
    slack_redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    # Fernet keys for tokens at rest, newest first: the first encrypts, any of them decrypts.
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default=[], validation_alias="INFLOW_ENCRYPTION_KEY"
    )
    # How long an uninstalled workspace's data is kept, in case it is installed again.
    uninstall_grace_days: int = Field(
        default=30, ge=0, le=3650, validation_alias="INFLOW_UNINSTALL_GRACE_DAYS"
    )
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///inflow.db", validation_alias="DATABASE_URL")
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_format: LogFormat = Field(default=LogFormat.TEXT, validation_alias="LOG_FORMAT")
    workers: int = Field(
        default=2, ge=1, le=64, validation_alias=AliasChoices("INFLOW_WORKERS", "WEB_CONCURRENCY")
    )
    threads: int = Field(default=8, ge=1, le=256, validation_alias="INFLOW_THREADS")
    http_worker: HttpWorker = Field(
        default=HttpWorker.BUFFERING, validation_alias="INFLOW_HTTP_WORKER"
    )
    content_dir: Path = Field(default=DEFAULT_CONTENT_DIR, validation_alias="INFLOW_CONTENT_DIR")
    helpful_emoji: Annotated[list[str], NoDecode] = Field(
        default=["+1", "thumbsup", "heart", "star", "raised_hands", "100"],
        validation_alias="INFLOW_HELPFUL_EMOJI",
    )
    unhelpful_emoji: Annotated[list[str], NoDecode] = Field(
        default=["-1", "thumbsdown"], validation_alias="INFLOW_UNHELPFUL_EMOJI"
    )
    learning_channel: str | None = Field(default=None, validation_alias="INFLOW_LEARNING_CHANNEL")
    default_tz: str = Field(default="UTC", validation_alias="INFLOW_DEFAULT_TZ")
    weekly_nudge_budget: int = Field(default=3, ge=1, le=20, validation_alias="INFLOW_NUDGE_BUDGET")
    admin_user_ids: Annotated[list[str], NoDecode] = Field(
        default=[], validation_alias="INFLOW_ADMINS"
    )

    @field_validator("helpful_emoji", "unhelpful_emoji", "admin_user_ids", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _keys(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        from cryptography.fernet import Fernet

        for number, key in enumerate(value, start=1):
            try:
                Fernet(key.get_secret_value())
            except (ValueError, TypeError):
                raise ValueError(
                    f"key {number} is not a Fernet key (32 url-safe base64-encoded bytes); "
                    "make one with `inflow keys new`"
                ) from None
        return value

    @field_validator("slack_redirect_uri")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("slack_client_id")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        value = value.strip() or None if value is not None else None
        if value is not None and not _CLIENT_ID.fullmatch(value):
            raise ValueError(
                "must be the Client ID from the app's 'Basic Information' page: digits, a dot, "
                "digits"
            )
        return value

    @field_validator("helpful_emoji", "unhelpful_emoji")
    @classmethod
    def _emoji_names(cls, value: list[str]) -> list[str]:
        return [name.strip(":") for name in value]

    @field_validator("default_tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as Europe/Berlin") from None
        return value

    @field_validator("slack_signing_secret", "slack_client_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        value = _unless_blank(value)
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            signing = info.field_name == "slack_signing_secret"
            which = "Signing Secret" if signing else "Client Secret"
            raise ValueError(
                f"must be the {which} from the app's 'Basic Information' page, letters and "
                f"digits only ({PLACEHOLDER_NOTE})"
            )
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        value = _unless_blank(value)
        if value is not None and not _BOT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be the Bot User OAuth Token from the app's 'OAuth & Permissions' page: "
                f"'xoxb-' and then letters, digits and dashes ({PLACEHOLDER_NOTE})"
            )
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        value = _unless_blank(value)
        if value is not None and not _APP_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be an app-level token from the app's 'Basic Information' page: 'xapp-' "
                f"and then letters, digits and dashes ({PLACEHOLDER_NOTE})"
            )
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use sqlite:///inflow.db or "
                "postgresql+psycopg://user:password@host:5432/dbname"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if url.get_backend_name() == "sqlite" and (url.host or url.port or url.username):
            # sqlite://inflow.db reads "inflow.db" as a server's name; a file takes three slashes.
            raise ValueError(
                f"{url.host or 'a host'} is not a SQLite file: write sqlite:///inflow.db "
                "(three slashes, a file here) or sqlite:////data/inflow.db (four, a full path)"
            )
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            # Plain postgresql:// means psycopg2 to SQLAlchemy; inflow ships psycopg 3.
            value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def oauth(self) -> bool:
        """Whether workspaces install inflow themselves (the OAuth flow at /slack/install)."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    def oauth_client(self) -> tuple[str, str]:
        """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, which `oauth` found both set."""
        if self.slack_client_id is None or self.slack_client_secret is None:
            raise ConfigError("OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        return self.slack_client_id, self.slack_client_secret.get_secret_value()

    def require_slack(self, *, http: bool) -> None:
        """Raise ConfigError unless the Slack credentials needed to serve are present."""
        problems = []
        if (self.slack_client_id is None) != (self.slack_client_secret is None):
            missing = (
                "SLACK_CLIENT_SECRET" if self.slack_client_secret is None else "SLACK_CLIENT_ID"
            )
            problems.append(
                f"{missing} is not set: OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "from the app's 'Basic Information' page (or neither, for one workspace)"
            )
        if self.oauth and not self.encryption_keys:
            problems.append(
                "INFLOW_ENCRYPTION_KEY is not set: installations' tokens are stored encrypted; "
                "make a key with `inflow keys new` and keep it safe"
            )
        if self.oauth and self.socket_mode:
            problems.append(
                "SLACK_APP_TOKEN: Socket Mode serves one workspace; unset it to use OAuth "
                "(SLACK_CLIENT_ID), which needs the HTTP server"
            )
        if self.slack_bot_token is None and not self.oauth:
            problems.append(
                "SLACK_BOT_TOKEN is not set: copy the app's Bot User OAuth Token (xoxb-…) "
                f"from Slack's 'OAuth & Permissions' page; {SLACK_SETUP_HINT}. Or, to let "
                "many workspaces install inflow, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
            )
        if http and self.slack_signing_secret is None:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy it from the app's 'Basic Information' "
                f"page; {SLACK_SETUP_HINT}"
            )
        if problems:
            raise ConfigError("\n".join(problems))

    def redacted_database_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)


_ENV_NAMES = {
    name: (
        field.validation_alias.choices[0]
        if isinstance(field.validation_alias, AliasChoices)
        else field.validation_alias
    )
    for name, field in Settings.model_fields.items()
}


def revealed(secret: SecretStr | None, name: str) -> str:
    """A secret that `require_slack` found set; ConfigError naming its variable if not."""
    if secret is None:
        raise ConfigError(f"{name} is not set")
    return secret.get_secret_value()


def load_settings(**overrides: Any) -> Settings:
    """Read the environment into Settings, raising ConfigError with one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = _ENV_NAMES.get(field, field)
            message = error["msg"].removeprefix("Value error, ")
            message = message[:1].lower() + message[1:]
            lines.append(f"{name}: {message}; fix it in the environment or .env and start again")
        raise ConfigError("\n".join(lines)) from None
