"""Installing inflow into a workspace: Bolt's OAuth flow at /slack/install and
/slack/oauth_redirect, with its state and installations in inflow's own database."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from slack_bolt import BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import transaction
from bot.installations import state_store
from bot.services import workspaces as workspace_service
from bot.slack.client import make_client
from bot.workspaces import Workspaces

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

# What inflow asks each workspace for; manifest.yml lists the same (tests/test_manifest.py).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:write",
    "reactions:read",
    "users:read",
    "users:read.email",
)


def oauth_flow(
    settings: Settings,
    sessions: sessionmaker[Session],
    workspaces: Workspaces,
    clock: Callable[[], dt.datetime],
) -> OAuthFlow:
    """The flow Bolt runs for the two OAuth paths; installations go to `workspaces.store`."""
    engine = sessions.kw["bind"]
    client_id, client_secret = settings.oauth_client()

    def installed(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.is_enterprise_install or not installation.team_id:
            log.warning("refused an org-wide install for %s", installation.enterprise_id)
            return args.default.failure(
                FailureArgs(
                    request=args.request,
                    reason="org_wide_install_unsupported",
                    suggested_status_code=400,
                    settings=args.settings,
                    default=args.default,
                )
            )
        with transaction(sessions) as session:
            workspace_service.installed(
                session,
                team_id=installation.team_id,
                enterprise_id=installation.enterprise_id,
                name=installation.team_name,
                by=installation.user_id,
                now=clock(),
            )
        log.info("installed in workspace %s by %s", installation.team_id, installation.user_id)
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return args.default.failure(args)

    oauth_settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=workspaces.store,
        installation_store_bot_only=True,
        state_store=state_store(engine),
        callback_options=CallbackOptions(success=installed, failure=failed),
    )
    # oauth.v2.access goes to SLACK_API_URL like every other call (the emulator in tests).
    return OAuthFlow(client=make_client(None, settings.slack_api_url), settings=oauth_settings)
