"""create_app: the Bolt app with its unit of work, middleware, error handler and listeners."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.request.internals import extract_team_id
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import errors
from bot.config import Settings
from bot.db import limit_request, transaction, utcnow
from bot.deps import Deps
from bot.handlers import register_listeners
from bot.jobs.after import After
from bot.jobs.background import Background, refusal
from bot.jobs.clock import worker_name
from bot.jobs.deliverer import deliver_due
from bot.library import suggest
from bot.library.loader import LibraryHolder
from bot.library.matcher import Library
from bot.library.schema import Guide
from bot.library.tenants import WorkspaceLibraries
from bot.middleware import act_once_per_signature, handle_each_event_once
from bot.services import library as library_service
from bot.slack.blocks import error_message, error_modal
from bot.slack.client import make_client
from bot.slack.text import keepable
from bot.workspaces import Workspaces, from_settings

log = logging.getLogger(__name__)

FAILED = "inflow_failed"
RESPOND_NOW = "inflow_respond_now"
NOT_INSTALLED = (
    "inflow isn't installed in this workspace (or was removed from it). An admin can add it "
    "again with the link your team installed it from."
)


def load_library(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Callable[[], dt.datetime] = utcnow,
    background: Background | None = None,
) -> LibraryHolder:
    """The guides from INFLOW_CONTENT_DIR, indexed, their ids synced into the database; each
    workspace's own library on top, rebuilt in `background` when it changes."""

    def build(guides: list[Guide]) -> Library:
        library = Library(guides)
        suggest.warm()
        with transaction(sessions) as session:
            library_service.sync_guides(session, guides, clock())
        return library

    holder = LibraryHolder(settings.content_dir, build)
    work = background or Background()
    holder.workspaces = WorkspaceLibraries(
        lambda: holder.library,
        clock,
        sessions=sessions,
        run_later=lambda rebuild: work.submit("workspace library", rebuild),
    )
    holder.workspaces.warm()
    return holder


class InflowApp(App):
    """A Bolt App whose every request is one unit of work.

    Bolt's global middleware returns before the listener runs, so it cannot commit after it;
    dispatch is the one place that wraps both. Listeners and middleware take the session as
    `db` and state their side effects on `after` (bot.jobs.after). The transaction commits when
    the listener succeeds and rolls back when it failed; only then, and only after a commit, are
    the effects carried out, in the background, while Slack already has its answer.
    """

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        background: Background,
        clock: Callable[[], dt.datetime],
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._sessions = sessions
        self._background = background
        self._clock = clock
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
        # The one door for what people type, over HTTP and Socket Mode alike (the signature
        # was checked on the raw body, which stays as Slack sent it).
        req.body = keepable(req.body)
        with self._sessions() as session:
            limit_request(session)
            req.context["db"] = session
            after = req.context["after"] = After(
                session, _team(req), self._clock(), req.context["request_id"]
            )
            try:
                response = super().dispatch(req)
                if req.context.get(FAILED):
                    session.rollback()
                else:
                    session.commit()
                    self._carry_out(after, req.context.client, req.context["request_id"])
                return response
            except SQLAlchemyError as error:
                session.rollback()
                req.context[FAILED] = True  # for the metrics: the person was told it failed
                log.error(
                    "could not commit request %s: %s", req.context["request_id"], _brief(error)
                )
                respond = req.context.get(RESPOND_NOW)
                if respond is not None and req.body.get("type") == "block_actions":
                    # A click's answer is already gone: tell the person through its response_url.
                    self._background.submit(
                        "tell: database down",
                        lambda: respond(
                            text=errors.DATABASE_DOWN,
                            response_type="ephemeral",
                            replace_original=False,
                        ),
                        prompt=True,
                    )
                return _failure_response(req.body, errors.DATABASE_DOWN)
            finally:
                req.context.pop("db", None)
                req.context.pop("after", None)

    def _carry_out(self, after: After, client: WebClient | None, ref: str) -> None:
        """What the committed request caused, in the background: its messages through the
        outbox (rows a dead process leaves are the deliverer's), then its UI work in order."""
        if after.empty or client is None:
            return
        rows, work, sessions, clock = (
            list(after.rows),
            list(after.work),
            self._sessions,
            self._clock,
        )

        def carry_out() -> None:
            if rows:
                report = deliver_due(sessions, client, now=clock(), worker=worker_name(), only=rows)
                after.outcomes.update(report.outcomes)
                if report.failed or report.retry_later:
                    log.warning("request %s: messages not all sent: %s", ref, report.as_dict())
            after.carried_out = True
            for name, step in work:
                try:
                    step()
                except SlackApiError as error:
                    log.warning("request %s: Slack refused %s: %s", ref, name, refusal(error))
                except Exception:
                    log.exception("request %s: %s failed after the answer", ref, name)
                    self._background.failed(name)

        # Without messages to deliver first, the work is a person's screen: it goes at once.
        self._background.submit(f"after request {ref}", carry_out, prompt=not rows)


def create_app(
    settings: Settings,
    *,
    sessions: sessionmaker[Session],
    client: WebClient | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    token_verification: bool = True,
    library: LibraryHolder | None = None,
    background: Background | None = None,
    workspaces: Workspaces | None = None,
) -> InflowApp:
    """Build a fresh Bolt app for these settings; every test gets its own.

    One workspace (SLACK_BOT_TOKEN) or many (OAuth): the same app, authorised per request by
    `workspaces`. With `token_verification`, the token's workspace is checked with `auth.test`
    now and recorded as served.
    """
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    workspaces = workspaces or from_settings(settings, sessions)
    if token_verification:
        workspaces.record_token_workspace(clock())
    flow = None
    if settings.oauth:
        from bot.oauth import oauth_flow

        flow = oauth_flow(settings, sessions, workspaces, clock)
    background = background or Background()
    app = InflowApp(
        sessions=sessions,
        background=background,
        clock=clock,
        signing_secret=signing_secret,
        # Bolt copies this client for each request, with the workspace's token.
        client=client or make_client(None, settings.slack_api_url),
        before_authorize=_from_a_workspace,
        user_facing_authorize_error_message=NOT_INSTALLED,
        authorize=workspaces.authorize(),
        oauth_flow=flow,
        process_before_response=True,
        request_verification_enabled=signing_secret is not None,
        logger=logging.getLogger("inflow.bolt"),
    )
    app.use(_defer_responses)
    app.use(handle_each_event_once)
    app.use(act_once_per_signature)
    app.error(lambda error, body, context: handle_error(error, body, context, background))

    deps = Deps(
        settings=settings,
        sessions=sessions,
        library=library or load_library(settings, sessions, clock, background),
        clock=clock,
        background=background,
        workspaces=workspaces,
    )
    register_listeners(app, deps)
    return app


class _RespondAfter:
    """`respond` for listeners: what they say through the response_url is said after the commit
    (and after the request's messages went), never while Slack waits for the answer."""

    def __init__(self, respond: Respond, after: After):
        self._respond, self._after = respond, after
        self.response_url = getattr(respond, "response_url", None)

    def __call__(self, *args, **kwargs) -> None:
        respond = self._respond
        if self._after.carried_out:  # called from work already running after the commit
            respond(*args, **kwargs)
        else:
            self._after.then("respond", lambda: respond(*args, **kwargs))


def _defer_responses(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]):
    respond, after = req.context.get("respond"), req.context.get("after")
    if respond is not None and after is not None:
        req.context[RESPOND_NOW] = respond  # the error handler still answers at once
        req.context["respond"] = _RespondAfter(respond, after)
    return next()


def _team(req: BoltRequest) -> str:
    return str(req.context.team_id or extract_team_id(req.body) or "")


def _from_a_workspace(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]):
    """A signed request that names no workspace, or a command that names nobody, is malformed;
    Slack's own checks pass."""
    body = req.body
    if "command" in body and not body.get("user_id"):
        return BoltResponse(status=400, body="no user_id in this command")
    if req.context.team_id or req.context.enterprise_id:
        return next()
    if body.get("type") == "url_verification" or body.get("ssl_check"):
        return next()
    return BoltResponse(status=400, body="no workspace in this request")


def handle_error(
    error: Exception, body: dict, context: BoltContext, background: Background
) -> BoltResponse:
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
    respond = context.get(RESPOND_NOW) or context.respond
    acked = context.ack is not None and context.ack.response is not None
    if respond and (acked or body.get("type") == "block_actions"):
        # A click (or anything already acknowledged): the answer goes through the response_url,
        # after Slack has its own.
        def tell() -> None:
            try:
                respond(text=message, response_type="ephemeral", replace_original=False)
            except Exception:
                log.warning("request %s: could not tell the person about the failure", ref)

        background.submit("tell: failed", tell, prompt=True)
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
