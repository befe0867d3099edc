"""Serving inflow: a WSGI app (POST /slack/events, GET /healthz, GET /metrics) under gunicorn,
or Socket Mode."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from bot.app import FAILED, InflowApp, create_app
from bot.config import HttpWorker, LogFormat, Settings, revealed
from bot.db import make_engine, make_sessionmaker, utcnow
from bot.signatures import signed_by_slack

if TYPE_CHECKING:  # imported by build_wsgi only: see bot.metrics
    from bot.metrics import Metrics
    from bot.workspaces import Workspaces

log = logging.getLogger("inflow.http")

MAX_BODY_BYTES = 1024 * 1024
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
# Where gunicorn's workers add up their metrics (prometheus_client's multiprocess mode).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FAILED_KEY = "inflow.failed"  # in the WSGI environ: a listener or the database failed

_WORKER_CLASSES = {
    HttpWorker.BUFFERING: "bot.buffering.BufferingWorker",
    HttpWorker.GTHREAD: "gthread",
}

WSGIEnviron = dict
StartResponse = Callable[..., object]


class SlackWSGI:
    """The HTTP face of inflow; one instance per worker process."""

    # What build_wsgi made the app from, for the clock and the tests.
    settings: Settings
    sessions: sessionmaker[Session]
    workspaces: Workspaces
    # `/` and `/playground/…` in emulator mode only: inflow in a browser (bot.playground).
    playground: Callable[[WSGIEnviron, StartResponse], Iterable[bytes]] | None = None

    def __init__(
        self,
        app: InflowApp,
        engine: Engine,
        signing_secret: str | None,
        metrics: Metrics | None = None,
    ):
        self.app = app
        self.engine = engine
        self.heads = migrate.head_revisions(engine)
        self.secret = signing_secret
        self.metrics = metrics
        flow = app.oauth_flow
        self.oauth_paths = (
            {
                flow.install_path: flow.handle_installation,
                flow.redirect_uri_path: flow.handle_callback,
            }
            if flow is not None
            else {}
        )

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex[:12]
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        kind = "-"
        if self.playground is not None and _playground_path(path):
            return self.playground(environ, start_response)
        try:
            if path == EVENTS_PATH and method == "POST":
                status, headers, body, kind = self._slack(environ, request_id)
            elif path in self.oauth_paths and method in ("GET", "HEAD"):
                status, headers, body = self._oauth(environ, path, request_id)
                kind = "oauth"
            elif path == EVENTS_PATH:
                status, headers, body = 405, {"Allow": "POST"}, b"POST only\n"
            elif path == HEALTH_PATH and method in ("GET", "HEAD"):
                status, headers, body = self._health()
                kind = "health"
            elif path == METRICS_PATH and method in ("GET", "HEAD") and self.metrics is not None:
                body, content_type = self.metrics.exposition(environ.get("HTTP_ACCEPT"))
                status, headers, kind = 200, {"Content-Type": content_type}, "metrics"
            else:
                status, headers, body = 404, {}, b"not found\n"
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            status, headers, body = 500, {}, b"internal error\n"
        if not any(name.lower() == "content-type" for name in headers):
            headers = {"Content-Type": "text/plain; charset=utf-8", **headers}
        headers["Content-Length"] = str(len(body))
        headers["X-Request-Id"] = request_id
        start_response(f"{status} {_REASONS.get(status, 'Status')}", _header_lines(headers))
        seconds = time.perf_counter() - started
        if self.metrics is not None and path == EVENTS_PATH:
            failed = environ.get(FAILED_KEY, False)
            self.metrics.request_answered(kind, status, failed=failed, seconds=seconds)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status,
                "kind": kind,
                "ms": round(seconds * 1000, 2),
            },
        )
        return [body] if method != "HEAD" else []

    def _slack(self, environ: WSGIEnviron, request_id: str):
        length = _content_length(environ)
        if length is None:
            return 411, {}, b"Content-Length required\n", "-"
        if length > MAX_BODY_BYTES:
            _discard(environ["wsgi.input"], length)
            return 413, {}, b"request body too large\n", "-"
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        # Strangers get nothing parsed: the signature is checked on the bytes as they came.
        if self.secret is not None and not self._signed(raw, headers):
            return 401, {}, b"invalid signature\n", "-"
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"),
                query=environ.get("QUERY_STRING", ""),
                headers=headers,
                context={"request_id": request_id},
            )
        except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
            # Bolt's parser raises whatever the JSON's shape makes it raise (`null`, `[1]`).
            return 400, {}, b"malformed request body\n", "-"
        if _malformed(bolt_request.body):
            return 400, {}, b"malformed request body\n", "-"
        kind = _kind(bolt_request.body)
        response: BoltResponse = self.app.dispatch(bolt_request)
        if bolt_request.context.get(FAILED):
            environ[FAILED_KEY] = True  # answered kindly, but an error for the metrics
        out_headers = {k: v[0] for k, v in response.headers.items() if v}
        out_headers.pop("content-length", None)
        return response.status, out_headers, (response.body or "").encode("utf-8"), kind

    def _oauth(self, environ: WSGIEnviron, path: str, request_id: str):
        """The install page (/slack/install) and Slack's redirect back (/slack/oauth_redirect)."""
        request = BoltRequest(
            body="",
            query=environ.get("QUERY_STRING", ""),
            headers=_headers(environ),
            context={"request_id": request_id},
        )
        response: BoltResponse = self.oauth_paths[path](request)
        # Values stay lists: the flow may set more than one cookie.
        headers = {
            name: list(values)
            for name, values in response.headers.items()
            if values and name != "content-length"
        }
        return response.status, headers, (response.body or "").encode("utf-8")

    def _signed(self, raw: bytes, headers: dict) -> bool:
        assert self.secret is not None  # only asked when there is a secret to check against
        return signed_by_slack(
            raw,
            _first(headers.get("x-slack-request-timestamp")),
            _first(headers.get("x-slack-signature")),
            self.secret,
            time.time(),
        )

    def _health(self):
        report = health(self.engine, self.heads)
        status = 200 if report["status"] == "ok" else 503
        return status, {"Content-Type": "application/json"}, json.dumps(report).encode()


def health(engine: Engine, heads: tuple[str, ...]) -> dict:
    """Whether the database answers and is at the migration head."""
    try:
        with engine.connect() as connection:
            current = migrate.current_revisions(connection)
    except Exception as error:
        return {
            "status": "unavailable",
            "database": {"reachable": False, "error": type(error).__name__},
        }
    at_head = set(current) == set(heads)
    return {
        "status": "ok" if at_head else "unavailable",
        "database": {
            "reachable": True,
            "revision": ",".join(current) or None,
            "head": ",".join(heads),
            "at_head": at_head,
        },
    }


def build_wsgi(
    settings: Settings,
    *,
    clock_running: bool = False,
    playground: str | None = None,
    **app_kwargs,
) -> SlackWSGI:
    """Everything one worker needs: engine, metrics, Bolt app, WSGI callable; with
    `clock_running`, the scheduler's clock too (every serving process runs one; the database
    coordinates them); with `playground`, the Slack emulator's base URL, the playground at `/`."""
    from bot.metrics import Metrics
    from bot.slack.client import make_client
    from bot.workspaces import from_settings

    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    metrics = Metrics(
        engine, app_kwargs.get("clock", utcnow), multiprocess_dir=os.environ.get(MULTIPROC_ENV)
    )
    workspaces = from_settings(settings, sessions, observer=metrics)
    app_kwargs.setdefault("client", make_client(None, settings.slack_api_url, observer=metrics))
    app = create_app(settings, sessions=sessions, workspaces=workspaces, **app_kwargs)
    if clock_running:
        from bot.jobs.clock import Workspace, start_clock

        start_clock(sessions, workspaces.for_a_pass, workspace=Workspace.of(settings))
    secret = settings.slack_signing_secret
    wsgi = SlackWSGI(app, engine, secret.get_secret_value() if secret else None, metrics)
    wsgi.settings, wsgi.sessions, wsgi.workspaces = settings, sessions, workspaces
    if playground is not None:
        from bot.playground.app import Playground

        wsgi.playground = Playground(wsgi, playground)
    logging.getLogger("inflow.app").info("worker ready")
    return wsgi


def serve_http(
    settings: Settings,
    *,
    port: int,
    workers: int,
    threads: int,
    host: str = "0.0.0.0",
    playground: str | None = None,
) -> None:
    """Serve under gunicorn on `host`: a master, `workers` processes with `threads` threads
    each. Every address by default (a container's port is published); 127.0.0.1 when trying
    inflow out, whose signing secret is in the README, with the playground (`playground`: the
    emulator's base URL)."""
    from gunicorn.app.base import BaseApplication

    metrics_dir, made_here = prepare_metrics_dir()

    def on_exit(_arbiter) -> None:
        if made_here:
            shutil.rmtree(metrics_dir, ignore_errors=True)

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # Reads each request whole before a thread serves it (bot.buffering).
                "worker_class": _WORKER_CLASSES[settings.http_worker],
                # Slack gives up after 3 s; a request still running after 30 s is stuck.
                "timeout": 30,
                "graceful_timeout": 20,
                "keepalive": 75,
                "accesslog": None,
                "loglevel": settings.log_level.lower(),
                "proc_name": "inflow",
                "on_exit": on_exit,
            }
            if settings.log_format == LogFormat.JSON:
                options["logger_class"] = _gunicorn_logger_through_root()
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            # The playground's clock is the one its page runs, as of the moment a person
            # chooses; a real one beside it would skip as too late what that one planned.
            running = playground is None
            return build_wsgi(settings, clock_running=running, playground=playground)

    Gunicorn().run()


def serve_socket_mode(settings: Settings, *, port: int) -> None:
    """Serve over Socket Mode, with /healthz on `port` for the orchestrator."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    wsgi = build_wsgi(settings, clock_running=True)
    health_server = make_server("0.0.0.0", port, wsgi, WSGIServer, _QuietHandler)
    threading.Thread(target=health_server.serve_forever, daemon=True).start()
    handler = SocketModeHandler(wsgi.app, revealed(settings.slack_app_token, "SLACK_APP_TOKEN"))

    stopped = threading.Event()

    def stop(signum, _frame) -> None:
        log.info("signal %s: closing the Socket Mode connection", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("Socket Mode: connecting; health on :%s%s", port, HEALTH_PATH)
    handler.connect()  # the Socket Mode client runs on its own threads
    stopped.wait()
    handler.close()
    health_server.shutdown()


def prepare_metrics_dir() -> tuple[str, bool]:
    """The directory gunicorn's workers add up their metrics in, emptied of an earlier run's
    counts; a new temporary one unless PROMETHEUS_MULTIPROC_DIR names one. Returns it, and
    whether it was made here (and is removed at exit).

    It must be in the environment before any worker imports prometheus_client, so the master
    sets it before forking. No gauge is kept in a worker (the outbox ones are read at scrape
    time), so a dead worker's files need no clean-up: its counts stay in the sums, as a
    counter's should.
    """
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        path = tempfile.mkdtemp(prefix="inflow-metrics-")
        os.environ[MULTIPROC_ENV] = path
        return path, True
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
    return path, False


def _playground_path(path: str) -> bool:
    return path == "/" or path.startswith("/playground/")


def _gunicorn_logger_through_root():
    """gunicorn's own lines (booting, worker exits) through inflow's handler, so that with
    LOG_FORMAT=json every line on stderr is one JSON object."""
    from gunicorn.glogging import Logger

    class ThroughRoot(Logger):
        def setup(self, cfg) -> None:
            super().setup(cfg)
            self.error_log.handlers.clear()
            self.error_log.propagate = True

    return ThroughRoot


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # SlackWSGI logs each request itself
        pass


def _content_length(environ: WSGIEnviron) -> int | None:
    value = environ.get("CONTENT_LENGTH") or "0"
    try:
        return max(int(value), 0)
    except ValueError:
        return None


def _discard(stream, length: int) -> None:
    """Read a refused body in small pieces, so the client hears the 413 instead of a reset."""
    remaining = min(length, 16 * MAX_BODY_BYTES)
    while remaining > 0:
        chunk = stream.read(min(remaining, 65536))
        if not chunk:
            break
        remaining -= len(chunk)


def _headers(environ: WSGIEnviron) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def _header_lines(headers: dict) -> list[tuple[str, str]]:
    lines = []
    for name, value in headers.items():
        for one in value if isinstance(value, list) else [value]:
            lines.append((name, one))
    return lines


def _first(value):
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


# The parts of a payload Bolt looks into before any listener runs, and the shape it assumes.
_OBJECTS = ("event", "view", "team", "user", "channel", "enterprise", "container", "message")
_STRINGS = ("type", "command", "team_id", "user_id", "channel_id", "callback_id", "trigger_id")


def _malformed(body: object) -> bool:
    """Whether a signed body is not what Slack sends: Bolt would raise on it, not answer."""
    if not isinstance(body, dict):
        return True
    if any(body.get(key) is not None and not isinstance(body[key], dict) for key in _OBJECTS):
        return True
    if any(body.get(key) is not None and not isinstance(body[key], str) for key in _STRINGS):
        return True
    if "event" in body and not isinstance((body["event"] or {}).get("type"), str):
        return True
    actions = body.get("actions")
    return actions is not None and not (
        isinstance(actions, list) and all(isinstance(action, dict) for action in actions)
    )


def _kind(body: dict) -> str:
    """What the request log and the metrics call a request: `command:/learn`, `event:message`,
    `view_submission`; "-" for what has no recognisable shape."""
    if "command" in body:
        return f"command:{body['command']}"[:80]
    kind = body.get("type", "-")
    if kind == "event_callback":
        event = body.get("event")
        return f"event:{event.get('type', '-') if isinstance(event, dict) else '-'}"[:80]
    return str(kind)[:80]


_REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
