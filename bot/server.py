"""Serving inflow: a WSGI app (POST /slack/events, GET /healthz) under gunicorn, or Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot import migrate
from bot.app import InflowApp, create_app
from bot.config import Settings
from bot.db import make_engine, make_sessionmaker

log = logging.getLogger("inflow.http")

MAX_BODY_BYTES = 1024 * 1024
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WSGIEnviron = dict
StartResponse = Callable[..., object]


class SlackWSGI:
    """The HTTP face of inflow; one instance per worker process."""

    def __init__(self, app: InflowApp, engine: Engine, signing_secret: str | None):
        self.app = app
        self.engine = engine
        self.heads = migrate.head_revisions(engine)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex[:12]
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        kind = "-"
        try:
            if path == EVENTS_PATH and method == "POST":
                status, headers, body, kind = self._slack(environ, request_id)
            elif path == EVENTS_PATH:
                status, headers, body = 405, {"Allow": "POST"}, b"POST only\n"
            elif path == HEALTH_PATH and method in ("GET", "HEAD"):
                status, headers, body = self._health()
                kind = "health"
            else:
                status, headers, body = 404, {}, b"not found\n"
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            status, headers, body = 500, {}, b"internal error\n"
        headers = {"Content-Type": "text/plain; charset=utf-8", **headers}
        headers["Content-Length"] = str(len(body))
        headers["X-Request-Id"] = request_id
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(headers.items()))
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status,
                "kind": kind,
                "ms": round((time.perf_counter() - started) * 1000, 2),
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
        try:
            text = raw.decode("utf-8")
            bolt_request = BoltRequest(
                body=text,
                query=environ.get("QUERY_STRING", ""),
                headers=headers,
                context={"request_id": request_id},
            )
        except (UnicodeDecodeError, ValueError, TypeError, KeyError):
            # Unparseable: say 401 to strangers and 400 to Slack, without trusting the body.
            if self.verifier and not self._signed(raw, headers):
                return 401, {}, b"invalid signature\n", "-"
            return 400, {}, b"malformed request body\n", "-"
        kind = _kind(bolt_request.body)
        response: BoltResponse = self.app.dispatch(bolt_request)
        out_headers = {k: v[0] for k, v in response.headers.items() if v}
        out_headers.pop("content-length", None)
        return response.status, out_headers, (response.body or "").encode("utf-8"), kind

    def _signed(self, raw: bytes, headers: dict) -> bool:
        return self.verifier.is_valid(
            body=raw.decode("utf-8", "replace"),
            timestamp=_first(headers.get("x-slack-request-timestamp")),
            signature=_first(headers.get("x-slack-signature")),
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


def build_wsgi(settings: Settings, *, clock_running: bool = False, **app_kwargs) -> SlackWSGI:
    """Everything one worker needs: engine, Bolt app, WSGI callable; with `clock_running`, the
    scheduler's clock too (every serving process runs one; the database coordinates them)."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, sessions=sessions, **app_kwargs)
    if clock_running:
        from bot.scheduler import Workspace, start_clock
        from bot.slack.client import make_client

        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = make_client(token, settings.slack_api_url, retries=6)
        start_clock(sessions, client, workspace=Workspace.of(settings))
    secret = settings.slack_signing_secret
    wsgi = SlackWSGI(app, engine, secret.get_secret_value() if secret else None)
    logging.getLogger("inflow.app").info("worker ready")
    return wsgi


def serve_http(settings: Settings, *, port: int, workers: int, threads: int) -> None:
    """Serve under gunicorn: a master, `workers` processes with `threads` threads each."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"0.0.0.0:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # Slack gives up after 3 s; a request still running after 30 s is stuck.
                "timeout": 30,
                "graceful_timeout": 20,
                "keepalive": 75,
                "accesslog": None,
                "loglevel": settings.log_level.lower(),
                "proc_name": "inflow",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return build_wsgi(settings, clock_running=True)

    Gunicorn().run()


def serve_socket_mode(settings: Settings, *, port: int) -> None:
    """Serve over Socket Mode, with /healthz on `port` for the orchestrator."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    wsgi = build_wsgi(settings, clock_running=True)
    health_server = make_server("0.0.0.0", port, wsgi, WSGIServer, _QuietHandler)
    threading.Thread(target=health_server.serve_forever, daemon=True).start()
    handler = SocketModeHandler(wsgi.app, settings.slack_app_token.get_secret_value())

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


def _headers(environ: WSGIEnviron) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def _first(value):
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _kind(body: dict) -> str:
    if "command" in body:
        return f"command:{body['command']}"
    kind = body.get("type", "-")
    if kind == "event_callback":
        return f"event:{(body.get('event') or {}).get('type', '-')}"
    return str(kind)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
