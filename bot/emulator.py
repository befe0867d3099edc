"""A local stand-in for Slack: the Web API the app calls, response URLs, and signed requests.

Tests and benchmarks point the app's SLACK_API_URL at `SlackEmulator.api_url`; every call is
recorded so a test can assert on exactly what the app sent. `SlackSender` signs requests the way
Slack does and sends them over real HTTP to a running app.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TEAM_ID = "T0INFLOW1"
BOT_USER_ID = "U0INFLOWBOT"
BOT_ID = "B0INFLOW1"
APP_ID = "A0INFLOW1"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


@dataclass
class Call:
    """One request the app made to the emulator."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.time)
    answer: dict | None = None  # what the emulator answered (the playground reads view ids)

    def json_arg(self, name: str) -> Any:
        """An argument that the SDK sends JSON-encoded (blocks, view, …), decoded."""
        value = self.args.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Team:
    """A workspace the emulator knows, and its bot there."""

    team_id: str
    name: str
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    enterprise_id: str | None = None


DEFAULT_TEAM = Team(TEAM_ID, "inflow test")


@dataclass
class Failure:
    status: int
    retry_after: int | None = None
    error: str | None = None
    times: int = 1
    after_doing_it: bool = False  # carry the call out, then answer with the failure


def _default_user(user_id: str) -> dict:
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": user_id.lower(),
        "deleted": False,
        "real_name": f"Person {user_id}",
        "tz": "Europe/London",
        "tz_label": "Greenwich Mean Time",
        "tz_offset": 0,
        "is_admin": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1502138686,
        "profile": {
            "real_name": f"Person {user_id}",
            "display_name": user_id.lower(),
            "email": f"{user_id.lower()}@example.com",
            "status_text": "",
            "status_emoji": "",
            "team": TEAM_ID,
        },
    }


class SlackEmulator:
    """An HTTP server on a free port that answers Slack Web API methods and records them."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.calls: list[Call] = []
        self.responses: list[tuple[str, dict]] = []  # (response_url path, JSON body)
        self.users: dict[str, dict] = {}
        self.channels: dict[str, dict] = {}
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted, oldest first
        # What happened besides the app's calls, for the playground (bot.playground): what
        # people said and did there, the app's answers, response_url posts; oldest first.
        self.notes: list[dict] = []
        self._failures: dict[str, list[Failure]] = {}
        # Seconds every Web API call and response_url post takes to answer: a slow Slack (a
        # far region, an incident) for benchmarks; 0 for tests.
        self.latency = 0.0
        # Slack exchanges a trigger_id for one modal: a second views.open with it fails with
        # exchanged_trigger_id. Off by default (tests reuse the sender's fixed trigger ids).
        self.single_use_triggers = False
        self.views_opened: list[str] = []  # the trigger ids views.open exchanged for a modal
        # Bot tokens by workspace: a token it never issued belongs to DEFAULT_TEAM (one
        # workspace, as most tests have); a revoked one is refused like Slack refuses it.
        self.tokens: dict[str, Team] = {}
        self.revoked: set[str] = set()
        self.default_team_removed = False  # then tokens it never issued are refused too
        self.oauth_codes: dict[str, tuple[Team, str]] = {}  # code -> (team, installer)
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[..., dict]] = {
            "api.test": lambda args: {"ok": True, "args": args},
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_access,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._lookup_by_email,
            "views.open": self._view_open,
            "views.push": self._view_open,
            "views.update": self._view_update,
            "views.publish": self._view_publish,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self) -> None:
        """Block until interrupted (for `inflow emulator`)."""
        threading.Event().wait()

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "") -> str:
        """A URL the app may post to as it would to Slack's response_url."""
        return f"{self.base_url}/response/{name or next(self._ids)}"

    # test controls -----------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        error: str | None = None,
        times: int = 1,
        after_doing_it: bool = False,
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (429 with Retry-After, 500, …),
        or with HTTP 200 and `{"ok": false, "error": error}` when status is 200. With
        `after_doing_it`, the call is carried out first: Slack posted, and the reply was lost."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                Failure(status, retry_after, error, times, after_doing_it)
            )

    def reset(self) -> None:
        with self._lock:
            self.tokens.clear()
            self.revoked.clear()
            self.default_team_removed = False
            self.oauth_codes.clear()
            self.history.clear()
            self.calls.clear()
            self.responses.clear()
            self.notes.clear()
            self._failures.clear()
            self.latency = 0.0
            self.single_use_triggers = False
            self.views_opened.clear()

    def reset_calls(self) -> None:
        """Forget the calls made so far (keeping workspaces and tokens)."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    def calls_to(self, method: str, *, team_id: str | None = None) -> list[Call]:
        """The calls of `method` (made with a token of `team_id`'s bot, if given)."""
        with self._lock:
            return [
                call
                for call in self.calls
                if call.method == method and (team_id is None or self.team_of(call) == team_id)
            ]

    def team_of(self, call: Call) -> str | None:
        """The workspace whose token made this call."""
        if call.token is None or call.token.startswith("Basic "):
            return None
        return self.tokens.get(call.token, DEFAULT_TEAM).team_id

    # workspaces and OAuth ------------------------------------------------------------------------
    def install(
        self,
        team_id: str,
        name: str | None = None,
        *,
        installer: str = "U0INSTALLER",
        enterprise_id: str | None = None,
    ) -> str:
        """Approve an install of the app in a workspace, as Slack's authorize page does; returns
        the `code` Slack would put in the redirect to the app. Its token is new each time."""
        team = Team(
            team_id,
            name or f"Workspace {team_id}",
            bot_user_id=f"U{team_id[1:]}BOT",
            bot_id=f"B{team_id[1:]}",
            enterprise_id=enterprise_id,
        )
        code = f"code-{team_id}-{next(self._ids)}"
        with self._lock:
            self.oauth_codes[code] = (team, installer)
        return code

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: its tokens stop working at once."""
        with self._lock:
            self.revoked |= {
                token for token, team in self.tokens.items() if team.team_id == team_id
            }
            if team_id == DEFAULT_TEAM.team_id:
                self.default_team_removed = True

    def _oauth_access(self, args: dict, basic: tuple[str, str] | None) -> dict:
        if basic is None and not (args.get("client_id") and args.get("client_secret")):
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            found = self.oauth_codes.pop(args.get("code", ""), None)
            if found is None:
                return {"ok": False, "error": "invalid_code"}
            team, installer = found
            token = f"xoxb-{team.team_id}-{next(self._ids)}"
            self.tokens[token] = team
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": installer},
            "scope": "chat:write,commands",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.team_id, "name": team.name},
            "enterprise": {"id": team.enterprise_id} if team.enterprise_id else None,
            "is_enterprise_install": False,
        }

    def recorded(self) -> dict:
        """Every call, with its answer, and every note: what the playground shows."""
        with self._lock:
            calls = [
                {"method": c.method, "args": c.args, "at": c.at, "answer": c.answer}
                for c in self.calls
            ]
            return {"calls": calls, "notes": list(self.notes)}

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` calls of `method` have arrived (for work done after the ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [call for call in self.calls if call.method == method]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return found
                self._lock.wait(remaining)

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.responses) < count and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(left)
            return list(self.responses)

    # Web API methods ---------------------------------------------------------------------------
    def _auth_test(self, args: dict, token: str | None = None) -> dict:
        team = self.tokens.get(token or "", DEFAULT_TEAM)
        answer = {
            "ok": True,
            "url": f"https://{team.team_id.lower()}.slack.com/",
            "team": team.name,
            "user": "inflow",
            "team_id": team.team_id,
            "user_id": team.bot_user_id,
            "bot_id": team.bot_id,
            "is_enterprise_install": False,
        }
        if team.enterprise_id:
            answer["enterprise_id"] = team.enterprise_id
        return answer

    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.{next(self._ts):06d}"

    def _check_message(self, args: dict) -> dict | None:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        blocks = _decoded(args.get("blocks"))
        if not args.get("text") and not blocks and not args.get("attachments"):
            return {"ok": False, "error": "no_text"}
        if blocks is not None and (
            not isinstance(blocks, list) or not _blocks_valid(blocks, MAX_MESSAGE_BLOCKS)
        ):
            return {"ok": False, "error": "invalid_blocks"}
        return None

    def _post_message(self, args: dict) -> dict:
        if problem := self._check_message(args):
            return problem
        ts = self._next_ts()
        stored = {"type": "message", "ts": ts, "user": BOT_USER_ID, "text": args.get("text", "")}
        if args.get("metadata"):
            stored["metadata"] = _decoded(args["metadata"])
        self.history.setdefault(args["channel"], []).append(stored)
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": ts,
            "message": {
                "type": "message",
                "subtype": "bot_message",
                "text": args.get("text", ""),
                "ts": ts,
                "bot_id": BOT_ID,
                "user": BOT_USER_ID,
                "blocks": _decoded(args.get("blocks")) or [],
                **({"thread_ts": args["thread_ts"]} if args.get("thread_ts") else {}),
            },
        }

    def _post_ephemeral(self, args: dict) -> dict:
        if problem := self._check_message(args):
            return problem
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict) -> dict:
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        if problem := self._check_message(args):
            return problem
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": args["ts"],
            "text": args.get("text", ""),
        }

    def _chat_delete(self, args: dict) -> dict:
        if not args.get("ts") or not args.get("channel"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _permalink(self, args: dict) -> dict:
        channel, ts = args.get("channel", ""), str(args.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://inflow-test.slack.com/archives/{channel}/p{ts}",
        }

    @staticmethod
    def dm_of(*users: str) -> str:
        """The id of the DM (one person) or group DM (several) inflow has with `users`."""
        users = tuple(sorted(users))
        kind = "D" if len(users) == 1 else "G"
        return kind + hashlib.sha1(",".join(users).encode()).hexdigest()[:10].upper()

    def _conversations_open(self, args: dict) -> dict:
        users = sorted(str(args.get("users", "")).split(","))
        if not users or users == [""]:
            return {"ok": False, "error": "users_list_not_supplied"}
        for user in users:  # as Slack refuses: no DM with a bot or a deactivated account
            known = self.users.get(user) or {}
            if known.get("is_bot") or user == "USLACKBOT":
                return {"ok": False, "error": "cannot_dm_bot"}
            if known.get("deleted"):
                return {"ok": False, "error": "user_disabled"}
        channel_id = self.dm_of(*users)
        kind = channel_id[0]
        return {
            "ok": True,
            "channel": {"id": channel_id, "is_im": kind == "D", "is_mpim": kind == "G"},
        }

    def _conversations_history(self, args: dict) -> dict:
        messages = list(reversed(self.history.get(args.get("channel", ""), [])))
        limit = int(args.get("limit") or 100)
        if str(args.get("include_all_metadata")).lower() not in ("true", "1"):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def _conversations_info(self, args: dict) -> dict:
        channel = args.get("channel", "")
        info = self.channels.get(channel, {"id": channel, "name": f"channel-{channel.lower()}"})
        return {"ok": True, "channel": {"is_channel": True, "is_member": True, **info}}

    def _users_info(self, args: dict) -> dict:
        user_id = args.get("user", "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self.users.get(user_id) or _default_user(user_id)}

    def _users_list(self, args: dict) -> dict:
        return {"ok": True, "members": list(self.users.values())}

    def _lookup_by_email(self, args: dict) -> dict:
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if user.get("profile", {}).get("email", "").lower() == email:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _view_response(self, view: Any, *, kind: str | None = None) -> dict:
        view = _decoded(view)
        if not isinstance(view, dict) or not isinstance(view.get("blocks"), list):
            return {"ok": False, "error": "invalid_arguments"}
        if not _blocks_valid(view["blocks"], MAX_VIEW_BLOCKS):
            return {"ok": False, "error": "invalid_arguments"}
        if view.get("type") == "modal" and len(view.get("title", {}).get("text", "")) > 24:
            return {"ok": False, "error": "invalid_arguments"}
        view_id = f"V{next(self._ids):08d}"
        return {
            "ok": True,
            "view": {
                "id": view_id,
                "team_id": TEAM_ID,
                "type": kind or view.get("type"),
                "hash": f"{time.time():.6f}",
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "root_view_id": view_id,
                **view,
            },
        }

    def _view_open(self, args: dict) -> dict:
        trigger = args.get("trigger_id")
        if not trigger:
            return {"ok": False, "error": "invalid_trigger_id"}
        with self._lock:
            if self.single_use_triggers and trigger in self.views_opened:
                return {"ok": False, "error": "exchanged_trigger_id"}
            answer = self._view_response(args.get("view"))
            if answer["ok"]:
                self.views_opened.append(trigger)
        return answer

    def _view_update(self, args: dict) -> dict:
        if not args.get("view_id") and not args.get("external_id"):
            return {"ok": False, "error": "not_found"}
        return self._view_response(args.get("view"))

    def _view_publish(self, args: dict) -> dict:
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view_response(args.get("view"), kind="home")

    def _upload_url(self, args: dict) -> dict:
        file_id = f"F{next(self._ids):08d}"
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, args: dict) -> dict:
        files = _decoded(args.get("files")) or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    # HTTP plumbing -----------------------------------------------------------------------------
    def _handle(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict, bytes]:
        if path.startswith("/upload/"):
            with self._lock:
                self.calls.append(
                    Call("upload", {"path": path, "bytes": raw.decode("utf-8", "replace")}, None)
                )
                self._lock.notify_all()
            return 200, {}, b"OK"
        if path == "/playground/note":
            with self._lock:
                self.notes.append({**json.loads(raw or b"{}"), "at": time.time()})
            return _json(200, {"ok": True})
        if path == "/playground/recorded":
            return _json(200, self.recorded())
        if path.startswith("/response/"):
            body = json.loads(raw or b"{}")
            with self._lock:
                self.responses.append((path, body))
                self.notes.append(
                    {"kind": "response", "path": path, "body": body, "at": time.time()}
                )
                self._lock.notify_all()
            self._slowly()
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if not path.startswith("/api/"):
            return 404, {}, b"not found"
        method = path[len("/api/") :]
        args = _parse_args(headers.get("content-type", ""), raw)
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") or args.pop("token", None)
        with self._lock:
            self.calls.append(Call(method, args, token))
            self._lock.notify_all()
            failure = self._take_failure(method)
        self._slowly()
        if failure is not None and failure.after_doing_it:
            self._answer(method, args, authorization, token)  # done; only the reply is lost
        if failure is not None:
            if failure.status == 200:
                return _json(200, {"ok": False, "error": failure.error or "fatal_error"})
            extra = (
                {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            )
            error = failure.error or ("ratelimited" if failure.status == 429 else "internal_error")
            status, hdrs, body = _json(failure.status, {"ok": False, "error": error})
            return status, {**hdrs, **extra}, body
        return self._answer(method, args, authorization, token)

    def _answer(
        self, method: str, args: dict, authorization: str, token: str | None
    ) -> tuple[int, dict, bytes]:
        if method == "oauth.v2.access":
            return _json(200, self._oauth_access(args, _basic(authorization)))
        if token is None and method not in ("api.test",):
            return _json(200, {"ok": False, "error": "not_authed"})
        if self._revoked(token):
            return _json(200, {"ok": False, "error": "token_revoked"})
        handler = self._methods.get(method)
        if handler is None:
            return _json(200, {"ok": False, "error": "unknown_method"})
        answer = self._auth_test(args, token) if method == "auth.test" else handler(args)
        with self._lock:
            for call in reversed(self.calls):
                if call.args is args:
                    call.answer = answer
                    break
        return _json(200, answer)

    def _slowly(self) -> None:
        """A slow Slack, when a benchmark asks for one: the call is received (and recorded) at
        once, its answer comes `latency` seconds later."""
        if self.latency:
            time.sleep(self.latency)

    def _revoked(self, token: str | None) -> bool:
        with self._lock:
            if token in self.revoked:
                return True
            return token not in self.tokens and self.default_team_removed

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _handler_class(self):
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = urllib.parse.urlsplit(self.path).path
                status, out_headers, body = emulator._handle(path, headers, raw)
                self.send_response(status)
                for key, value in out_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args) -> None:
                pass

        return Handler


def _basic(authorization: str) -> tuple[str, str] | None:
    """The client id and secret of an HTTP Basic `Authorization` header."""
    import base64

    if not authorization.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_args(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    return dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


def _blocks_valid(blocks: list, limit: int) -> bool:
    """The structural limits Slack enforces that a builder could break."""
    if len(blocks) > limit:
        return False
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            return False
        text = block.get("text")
        if (
            block["type"] == "section"
            and isinstance(text, dict)
            and len(text.get("text", "")) > 3000
        ):
            return False
        if block["type"] == "header" and len(block.get("text", {}).get("text", "")) > 150:
            return False
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if len(element.get("text", {}).get("text", "")) > 75:
                return False
    return True


# signed requests, as Slack sends them ------------------------------------------------------------


def sign(body: str, secret: str, timestamp: int) -> str:
    """Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class SlackSender:
    """Sends signed Slack requests (slash commands, events, interactivity) to a running app."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        team_id: str = TEAM_ID,
        settle: Callable[[], None] | None = None,
    ):
        self.url = url
        self.signing_secret = signing_secret
        self.team_id = team_id
        # Called after each answer: a test waits here for the work the app does after its
        # answer (a join, never a sleep) before it looks at what the app sent to Slack.
        self.settle = settle
        self._event_ids = itertools.count(1)
        self.last: urllib.request.Request | None = None
        # Slack gives every command, click and submission a trigger_id of its own, so no two of its
        # requests are the same bytes (a second copy is a replay: bot.signatures).
        self._triggers = itertools.count(1)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> Reply:
        ts = int(time.time()) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = str(ts)
            all_headers["X-Slack-Signature"] = sign(body, secret or self.signing_secret, ts)
        self.last = urllib.request.Request(
            self.url, data=body.encode(), headers=all_headers, method="POST"
        )
        return self._send(self.last)

    def resend(self) -> Reply:
        """The last request again, byte for byte: same timestamp, same signature (a replay)."""
        if self.last is None:
            raise RuntimeError("nothing was sent yet: there is no request to send again")
        return self._send(self.last)

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = Reply(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, dict(error.headers), error.read().decode())
        if self.settle is not None:
            self.settle()
        return reply

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0ASKER01",
        channel_id: str = "C0GENERAL",
        response_url: str = "https://hooks.slack.com/commands/T0INFLOW1/1/x",
        **extra: str,
    ) -> Reply:
        form = {
            "token": "verification_token",
            "team_id": self.team_id,
            "team_domain": "inflow-test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "response_url": response_url,
            "trigger_id": f"{next(self._triggers)}.5678.command",
            **extra,
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **wrapper: Any,
    ) -> Reply:
        body = {
            "token": "verification_token",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._event_ids):010d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                }
            ],
            **wrapper,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), "application/json", headers=headers)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        response_url: str,
        user_id: str = "U0ASKER01",
        channel_id: str = "C0GENERAL",
        selected: str | None = None,
        message_ts: str | None = None,
        element: str = "static_select",
        trigger_id: str | None = None,
    ) -> Reply:
        """A person pressing a button (or choosing from a select or an overflow `element`); in
        an ephemeral message unless `message_ts` names the (bot) message the button is on."""
        action: dict[str, object] = {
            "action_id": action_id,
            "block_id": "b",
            "type": element if selected else "button",
            "action_ts": f"{time.time():.6f}",
        }
        if selected:
            action["selected_option"] = {
                "text": {"type": "plain_text", "text": selected},
                "value": selected,
            }
        else:
            action["value"] = value
            action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "container": {
                "type": "message",
                "message_ts": message_ts or "111.222",
                "channel_id": channel_id,
                "is_ephemeral": message_ts is None,
            },
            "channel": {"id": channel_id, "name": "general"},
            "trigger_id": trigger_id or f"{next(self._triggers)}.5678.trigger",
            "response_url": response_url,
            "actions": [action],
        }
        if message_ts:
            payload["message"] = {"type": "message", "ts": message_ts, "bot_id": BOT_ID, "text": ""}
        return self.interaction(payload)

    def shortcut(
        self,
        callback_id: str,
        *,
        user_id: str = "U0ASKER01",
        trigger_id: str | None = None,
        message: dict | None = None,
        channel_id: str = "C0GENERAL",
    ) -> Reply:
        """A global shortcut, or a message shortcut when `message` is given."""
        payload: dict = {
            "type": "shortcut",
            "callback_id": callback_id,
            "trigger_id": trigger_id or f"{next(self._triggers)}.5678.trigger",
            "action_ts": f"{time.time():.6f}",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
        }
        if message is not None:
            payload.update(
                type="message_action",
                message=message,
                message_ts=message.get("ts"),
                channel={"id": channel_id, "name": "general"},
                response_url="https://hooks.slack.com/app/T0INFLOW1/1/x",
            )
        return self.interaction(payload)

    def submit(
        self,
        callback_id: str,
        values: dict[str, dict],
        *,
        user_id: str = "U0ASKER01",
        private_metadata: str = "",
    ) -> Reply:
        """A modal submitted; `values` maps each input's block_id to its element state."""
        state = {block: {"value": element} for block, element in values.items()}
        return self.interaction(
            {
                "type": "view_submission",
                "trigger_id": f"{next(self._triggers)}.5678.submit",
                "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
                "view": {
                    "id": "V0MODAL01",
                    "type": "modal",
                    "team_id": self.team_id,
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": state},
                    "hash": "1.2",
                },
            }
        )

    def interaction(self, payload: dict) -> Reply:
        payload = {
            "team": {"id": self.team_id, "domain": "inflow-test"},
            "api_app_id": APP_ID,
            "token": "verification_token",
            **payload,
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")
