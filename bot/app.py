"""create_app: the Bolt app with its unit of work, middleware, error handler and listeners."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import errors
from bot.background import Background
from bot.config import Settings
from bot.db import transaction, utcnow
from bot.library.loader import LibraryHolder
from bot.library.matcher import Library
from bot.library.schema import Guide
from bot.middleware import handle_each_event_once
from bot.services import library as library_service
from bot.slack.blocks import error_message, error_modal
from bot.slack.client import make_client

log = logging.getLogger(__name__)

FAILED = "inflow_failed"


@dataclass
class Deps:
    """What listeners need besides the request: settings, the database, the library, the clock."""

    settings: Settings
    sessions: sessionmaker[Session]
    library: LibraryHolder
    clock: Callable[[], dt.datetime] = field(default=utcnow)
    # `/learn <word> …` handled elsewhere: word -> fn(ack=, command=, client=, db=, rest=)
    learn_subcommands: dict[str, Callable[..., None]] = field(default_factory=dict)
    background: Background = field(default_factory=Background)  # work after the ack


def load_library(
    settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utcnow
) -> LibraryHolder:
    """The guides from INFLOW_CONTENT_DIR, indexed, their ids synced into the database."""

    def build(guides: list[Guide]) -> Library:
        library = Library(guides)
        with transaction(sessions) as session:
            library_service.sync_guides(session, guides, clock())
        return library

    return LibraryHolder(settings.content_dir, build)


class InflowApp(App):
    """A Bolt App whose every request is one unit of work.

    Bolt's global middleware returns before the listener runs, so it cannot commit after it;
    dispatch is the one place that wraps both. Listeners and middleware take the session as
    `db`. The transaction commits when the listener succeeds and rolls back when it failed.
    """

    def __init__(self, *, sessions: sessionmaker[Session], **kwargs):
        super().__init__(**kwargs)
        self._sessions = sessions
        # What listeners are registered, by Slack surface; the manifest test compares it.
        self.registered: dict[str, set[str]] = {
            "commands": set(),
            "events": set(),
            "shortcuts": set(),
            "actions": set(),
            "views": set(),
        }

    def command(self, command, *args, **kwargs):
        self.registered["commands"].add(str(command))
        return super().command(command, *args, **kwargs)

    def event(self, event, *args, **kwargs):
        self.registered["events"].add(str(event if isinstance(event, str) else event["type"]))
        return super().event(event, *args, **kwargs)

    def shortcut(self, constraints, *args, **kwargs):
        self.registered["shortcuts"].add(str(constraints))
        return super().shortcut(constraints, *args, **kwargs)

    def action(self, constraints, *args, **kwargs):
        self.registered["actions"].add(str(constraints))
        return super().action(constraints, *args, **kwargs)

    def view(self, constraints, *args, **kwargs):
        self.registered["views"].add(str(constraints))
        return super().view(constraints, *args, **kwargs)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        req.context.setdefault("request_id", uuid.uuid4().hex[:12])
        with self._sessions() as session:
            req.context["db"] = session
            try:
                response = super().dispatch(req)
                if req.context.get(FAILED):
                    session.rollback()
                else:
                    session.commit()
                return response
            except SQLAlchemyError as error:
                session.rollback()
                req.context[FAILED] = True  # for the metrics: the person was told it failed
                log.error(
                    "could not commit request %s: %s", req.context["request_id"], _brief(error)
                )
                return _failure_response(req.body, errors.DATABASE_DOWN)
            finally:
                req.context.pop("db", None)


def create_app(
    settings: Settings,
    *,
    sessions: sessionmaker[Session],
    client: WebClient | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    token_verification: bool = True,
    library: LibraryHolder | None = None,
    background: Background | None = None,
) -> InflowApp:
    """Build a fresh Bolt app for these settings; every test gets its own."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    app = InflowApp(
        sessions=sessions,
        signing_secret=signing_secret,
        client=client or make_client(token, settings.slack_api_url),  # Bolt takes its token
        process_before_response=True,
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=token_verification,
        logger=logging.getLogger("inflow.bolt"),
    )
    app.use(handle_each_event_once)
    app.error(handle_error)

    deps = Deps(
        settings=settings,
        sessions=sessions,
        library=library or load_library(settings, sessions, clock),
        clock=clock,
        background=background or Background(),
    )
    from handlers import (
        commands,
        conversations,
        debriefs,
        events,
        home,
        ideas,
        library_actions,
        mistakes,
        nudges,
        privacy,
        report,
        strengths,
    )

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
        debriefs,
        nudges,
        report,
        home,
        privacy,
    )
    for module in modules:
        module.register(app, deps)
    return app


def handle_error(error: Exception, body: dict, context: BoltContext) -> BoltResponse:
    """Answer the person kindly; log what they should not see."""
    context[FAILED] = True
    ref = context.get("request_id", "-")
    if isinstance(error, errors.InflowError):
        log.info("request %s refused: %s", ref, error.user_message)
        message = error.user_message
    elif (isinstance(error, DBAPIError) and error.connection_invalidated) or _is_unreachable(error):
        log.error("request %s: database unreachable: %s", ref, _brief(error))
        message = errors.DATABASE_DOWN
    else:
        log.exception("request %s failed", ref, exc_info=error)
        message = errors.UNEXPECTED.format(ref=ref)
    if context.ack is not None and context.ack.response is not None and context.respond:
        # Already acknowledged (a button, say): the answer goes through the response_url.
        try:
            context.respond(text=message, response_type="ephemeral", replace_original=False)
        except Exception:
            log.warning("request %s: could not tell the person about the failure", ref)
        return BoltResponse(status=200, body="")
    return _failure_response(body, message)


def _failure_response(body: dict, message: str) -> BoltResponse:
    kind = body.get("type")
    if kind == "event_callback":
        # A 500 makes Slack retry later; the rolled-back dedupe record lets that retry through.
        return BoltResponse(status=500, body="")
    if kind == "view_submission":
        return BoltResponse(
            status=200, body={"response_action": "update", "view": error_modal(message)}
        )
    if kind in ("block_actions", "shortcut", "message_action", "view_closed"):
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=error_message(message))


def _is_unreachable(error: Exception) -> bool:
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError | TimeoutError)


def _brief(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__
