"""Which workspaces inflow may act in, and with which bot token: one code path for both set-ups.

With SLACK_BOT_TOKEN, inflow serves the one workspace that token belongs to. With
SLACK_CLIENT_ID/SECRET, any workspace installs it through OAuth and its token is read from the
installation store. Either way every request is authorised here (by the team id Slack signed),
and the scheduler asks here for a client per workspace; a workspace that uninstalled inflow
gets none, in every process, from the moment its row says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.db import make_reader
from bot.installations import EncryptedInstallationStore, KeyRing, UnreadableToken
from bot.models import WorkspaceRecord
from bot.services import workspaces as workspace_service
from bot.slack.client import WebApiObserver, make_client

log = logging.getLogger(__name__)

# Who to talk to in a workspace: a client holding its bot token, or None when inflow may not.
Clients = Callable[[str], WebClient | None]


def as_clients(client: WebClient | Clients) -> Clients:
    """A single WebClient serves every team (one workspace, or a test); a Clients is itself."""
    if isinstance(client, WebClient):
        return lambda _team_id: client
    return client


@dataclass(frozen=True)
class Grant:
    """What inflow may act with in one workspace."""

    team_id: str
    bot_token: str
    bot_user_id: str | None = None
    bot_id: str | None = None
    enterprise_id: str | None = None


class Workspaces:
    """The bot token for each workspace inflow serves, from SLACK_BOT_TOKEN or the OAuth store."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        api_url: str,
        token: str | None = None,
        store: EncryptedInstallationStore | None = None,
        observer: WebApiObserver | None = None,
        client_options: dict[str, int] | None = None,
    ):
        self.sessions = sessions
        self.api_url = api_url
        self.token = token
        self.store = store
        self.observer = observer
        # make_client's timeout and network_retries for every client made here (the CLI's).
        self.client_options = client_options or {}
        self._token_grant: Grant | None = None
        self._lock = threading.Lock()
        self._reader = make_reader(sessions.kw["bind"])

    def close(self) -> None:
        """Let go of the reader's connections (the main engine is its owner's to dispose)."""
        if self._reader is not self.sessions.kw["bind"]:
            self._reader.dispose()

    # -- the single token --------------------------------------------------------------------

    def token_grant(self) -> Grant | None:
        """The SLACK_BOT_TOKEN's workspace, from one `auth.test` (raises SlackApiError if the
        token is refused)."""
        if self.token is None:
            return None
        with self._lock:
            if self._token_grant is None:
                answer = make_client(
                    self.token, self.api_url, observer=self.observer, **self.client_options
                ).auth_test()
                self._token_grant = Grant(
                    team_id=answer["team_id"],
                    bot_token=self.token,
                    bot_user_id=answer.get("user_id"),
                    bot_id=answer.get("bot_id"),
                    enterprise_id=answer.get("enterprise_id") or None,
                )
            return self._token_grant

    def record_token_workspace(self, now) -> str | None:
        """Say the token's workspace is served (a working token means the app is installed)."""
        try:
            grant = self.token_grant()
        except SlackApiError as error:
            raise ConfigError(
                f"SLACK_BOT_TOKEN: Slack refused it ({error.response.get('error')}); copy the "
                "Bot User OAuth Token again from the app's 'OAuth & Permissions' page"
            ) from None
        if grant is None:
            return None
        with self.sessions.begin() as session:
            workspace_service.installed(
                session, team_id=grant.team_id, enterprise_id=grant.enterprise_id, now=now
            )
        return grant.team_id

    # -- any workspace -----------------------------------------------------------------------

    def grant(self, team_id: str | None, *, session: Session | None = None) -> Grant | None:
        """What inflow may act with in this workspace, or None: not installed, or uninstalled.

        Read afresh every time (no cache), so an uninstall recorded by any process counts at
        once. On SQLite it is read on a reader that never takes the write lock, so a request's
        ack does not queue behind other requests' writes; on PostgreSQL, where reads lock
        nothing, on the request's own `session` when given (one pooled connection, not two).
        """
        if not team_id:
            return None
        if session is not None and self._reader is self.sessions.kw["bind"]:
            return self._grant_on(session.connection(), team_id)
        with self._reader.connect() as connection:
            return self._grant_on(connection, team_id)

    def _grant_on(self, connection, team_id: str) -> Grant | None:
        row = connection.execute(
            select(WorkspaceRecord.status).where(WorkspaceRecord.team_id == team_id)
        ).first()
        if row is not None and row.status != workspace_service.WorkspaceStatus.ACTIVE.value:
            return None
        bot = self._stored_bot(connection, team_id)
        if bot is not None and bot.bot_token:
            return Grant(team_id, bot.bot_token, bot.bot_user_id, bot.bot_id, bot.enterprise_id)
        if self.token is not None:
            try:
                token_grant = self.token_grant()
            except SlackApiError as error:
                log.error("SLACK_BOT_TOKEN refused: %s", error.response.get("error"))
                return None
            if token_grant is not None and token_grant.team_id == team_id:
                return token_grant
        return None

    def _stored_bot(self, connection, team_id: str):
        if self.store is None:
            return None
        try:
            return self.store.bot_of(connection, team_id)
        except UnreadableToken:
            log.error(
                "workspace %s: no key in INFLOW_ENCRYPTION_KEY opens its token; "
                "it must install inflow again",
                team_id,
            )
            return None

    def client(self, team_id: str, *, retries: int = 6) -> WebClient | None:
        """A client for this workspace's bot, or None when inflow may not act there."""
        grant = self.grant(team_id)
        if grant is None:
            return None
        return make_client(
            grant.bot_token,
            self.api_url,
            retries=retries,
            observer=self.observer,
            **self.client_options,
        )

    def for_a_pass(self, *, retries: int = 6) -> Clients:
        """Clients for one planning or delivery pass: each workspace is looked up once."""
        found: dict[str, WebClient | None] = {}

        def clients(team_id: str) -> WebClient | None:
            if team_id not in found:
                found[team_id] = self.client(team_id, retries=retries)
            return found[team_id]

        return clients

    def authorize(self) -> Authorize:
        return _Authorize(self)


def from_settings(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    observer: WebApiObserver | None = None,
    client_options: dict[str, int] | None = None,
) -> Workspaces:
    """SLACK_BOT_TOKEN's workspace, and with SLACK_CLIENT_ID/SECRET every installed one."""
    store = None
    if settings.oauth:
        store = EncryptedInstallationStore(
            settings.oauth_client()[0],
            sessions.kw["bind"],
            KeyRing([key.get_secret_value() for key in settings.encryption_keys]),
        )
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return Workspaces(
        sessions,
        api_url=settings.slack_api_url,
        token=token,
        store=store,
        observer=observer,
        client_options=client_options,
    )


class _Authorize(Authorize):
    """Bolt's authorisation for every request: the token of the workspace Slack signed for,
    from the database (no `auth.test` per request)."""

    def __init__(self, workspaces: Workspaces):
        self.workspaces = workspaces

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor,
    ) -> AuthorizeResult | None:
        grant = self.workspaces.grant(team_id, session=context.get("db"))
        if grant is None:
            log.info("request for workspace %s refused: inflow is not installed there", team_id)
            return None
        return AuthorizeResult(
            enterprise_id=grant.enterprise_id or enterprise_id,
            team_id=grant.team_id,
            bot_user_id=grant.bot_user_id,
            bot_id=grant.bot_id,
            bot_token=grant.bot_token,
            user_id=user_id,
        )
