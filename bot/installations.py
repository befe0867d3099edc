"""Where inflow keeps each workspace's bot token when workspaces install it themselves.

slack_sdk's SQLAlchemy stores, on inflow's own database: their tables are declared with inflow's
models (bot/models.py) so Alembic migrates them. Tokens are encrypted at rest with Fernet keys
from INFLOW_ENCRYPTION_KEY, a key ring: the first key encrypts, every key decrypts, so a key is
rotated by putting the new one first and running `inflow keys rotate` (README: "Rotating the
encryption key").
"""

from __future__ import annotations

import copy
import datetime as dt
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Connection, Engine, delete, select, update

from bot.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, TOKEN_COLUMNS

log = logging.getLogger(__name__)

STATE_EXPIRES_SECONDS = 600  # an installer has ten minutes to approve on Slack's page


class UnreadableToken(Exception):
    """A stored token that none of INFLOW_ENCRYPTION_KEY's keys decrypts."""


class KeyRing:
    """Fernet encryption with every key still in use; the first one is the current key."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise UnreadableToken("no key in INFLOW_ENCRYPTION_KEY decrypts this token") from None

    def rotate(self, ciphertext: str) -> str:
        """The same secret, encrypted with the current key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise UnreadableToken("no key in INFLOW_ENCRYPTION_KEY decrypts this token") from None


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store with its tokens encrypted at rest."""

    def __init__(self, client_id: str, engine: Engine, keys: KeyRing):
        super().__init__(client_id=client_id, engine=engine)
        # inflow's tables (migrated by Alembic), not the ones the store builds for create_all.
        self.metadata = SLACK_INSTALLATIONS.metadata
        self.installations = SLACK_INSTALLATIONS
        self.bots = SLACK_BOTS
        self.keys = keys

    def create_tables(self) -> None:
        raise RuntimeError("inflow's migrations create these tables: run `inflow db upgrade`")

    def _sealed(self, entity):
        changes = {
            name: self.keys.encrypt(value)
            for name in TOKEN_COLUMNS
            if isinstance(value := getattr(entity, name, None), str)
        }
        return _with_tokens(entity, changes)

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        # save() calls this with a bot made from the installation it has already sealed.
        if _plain(bot.bot_token):
            bot = self._sealed(bot)
        super().save_bot(bot)

    # The parent's builders are classmethods, but its sync store calls them on `self`
    # (find_bot, find_installation), and opening a token needs this store's keys: an instance
    # method is the narrowest hook that sees every row read.
    def build_installation_entity(self, row) -> Installation:  # type: ignore[override]
        return self._opened(super().build_installation_entity(row))

    def build_bot_entity(self, row) -> Bot:  # type: ignore[override]
        return self._opened(super().build_bot_entity(row))

    def _opened(self, entity):
        changes = {
            name: self.keys.decrypt(value)
            for name in TOKEN_COLUMNS
            if isinstance(value := getattr(entity, name, None), str)
        }
        return _with_tokens(entity, changes)

    def bot_of(self, connection: Connection, team_id: str) -> Bot | None:
        """The workspace's newest bot, read on the caller's connection (find_bot opens its own,
        which on SQLite would wait for the caller's own write lock)."""
        c = SLACK_BOTS.c
        row = (
            connection.execute(
                select(SLACK_BOTS)
                .where(
                    c.client_id == self.client_id,
                    c.team_id == team_id,
                    c.bot_token.is_not(None),
                )
                .order_by(c.installed_at.desc(), c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else self.build_bot_entity(row)

    def forget_team(self, connection: Connection, team_id: str) -> None:
        """Delete every installation of a workspace, in the caller's transaction."""
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            connection.execute(
                delete(table).where(table.c.client_id == self.client_id, table.c.team_id == team_id)
            )


def _with_tokens(entity, changes: dict[str, str]):
    """A copy of a slack_sdk Installation or Bot with some token fields replaced."""
    changed = copy.copy(entity)
    for name, value in changes.items():
        setattr(changed, name, value)
    return changed


def _plain(token: str | None) -> bool:
    return token is not None and token.startswith("xox")  # every Slack token does; Fernet's never


def rotate_tokens(connection: Connection, keys: KeyRing) -> tuple[int, list[str]]:
    """Re-encrypt every stored token with the current key, in the caller's transaction.

    Returns how many values were rewritten and the workspaces whose tokens no key opens (they
    must install inflow again; nothing of theirs is changed).
    """
    rewritten, unreadable = 0, set()
    for table in (SLACK_INSTALLATIONS, SLACK_BOTS):
        columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
        for row in connection.execute(select(table.c.id, table.c.team_id, *columns)).mappings():
            try:
                values = {
                    column.name: keys.rotate(row[column.name])
                    for column in columns
                    if row[column.name] is not None
                }
            except UnreadableToken:
                unreadable.add(row["team_id"] or "?")
                continue
            if values:
                connection.execute(update(table).where(table.c.id == row["id"]).values(**values))
                rewritten += len(values)
    return rewritten, sorted(unreadable)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """slack_sdk's OAuth state store on inflow's `slack_oauth_states` table."""
    store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRES_SECONDS, engine=engine)
    store.metadata = SLACK_OAUTH_STATES.metadata
    store.oauth_states = SLACK_OAUTH_STATES
    return store


def forget_expired_states(connection: Connection, now: dt.datetime) -> None:
    """Installs started and never finished leave a state row behind; they go once expired."""
    naive_utc = now.astimezone(dt.UTC).replace(tzinfo=None)
    connection.execute(delete(SLACK_OAUTH_STATES).where(SLACK_OAUTH_STATES.c.expire_at < naive_utc))
