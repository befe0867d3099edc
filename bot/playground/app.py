"""The playground: inflow in a browser, as in Slack, with no workspace (`inflow serve --emulator`).

A small WSGI app mounted beside /slack/events only in emulator mode. What a person does on the
page (a slash command, a message, a click, a modal's submission, a reaction, a shortcut) is
turned into the request Slack would send, signed, and posted to the app's own /slack/events;
what the app sent back (its answer, response_url posts, and its Web API calls, which the
emulator records) is replayed into channels, DMs, modals and the Home tab (bot.playground.state)
and rendered as plain HTML (bot.playground.blockkit). Every form posts and redirects back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from bot.emulator import BOT_USER_ID, SlackSender
from bot.playground import page
from bot.playground.state import World, replay
from bot.playground.team import GENERAL, PEOPLE

if TYPE_CHECKING:
    from bot.server import SlackWSGI

log = logging.getLogger("inflow.playground")

COMMANDS = ("/learn", "/spot", "/pitch", "/debrief")
SHORTCUTS = {"mistake_moment": "Mistake moment", "spot_strength": "Spot a strength"}
# The message shortcuts a message in the playground offers (manifest.yml declares them).
MESSAGE_SHORTCUTS = {"mistake_moment_message", "save_as_guide"}
PATHS = ("/", "/playground/")

StartResponse = Callable[..., object]


def is_playground_path(path: str) -> bool:
    return path == "/" or path.startswith("/playground/")


class Playground:
    """The WSGI app behind `/` and `/playground/…` in emulator mode."""

    def __init__(self, wsgi: SlackWSGI, emulator_url: str):
        self.wsgi = wsgi
        self.emulator_url = emulator_url.rstrip("/")
        self._numbers = itertools.count(1)

    # plumbing --------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        try:
            if method == "GET" and path == "/":
                return self._html(start_response, self._page(query))
            if method == "GET" and path == "/playground/version":
                return self._text(start_response, str(self._version()))
            if method == "POST" and path.startswith("/playground/"):
                form = _form(environ)
                handler = self._posts().get(path.removeprefix("/playground/"))
                if handler is not None:
                    person = form.get("as", ["U0ANA"])[0]
                    if person not in PEOPLE:
                        person = "U0ANA"
                    place = form.get("place", ["general"])[0]
                    sender = self._sender(environ)
                    place = handler(sender, person, form) or place
                    where = urllib.parse.urlencode({"as": person, "place": place})
                    start_response("303 See Other", [("Location", f"/?{where}")])
                    return [b""]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        except Exception:
            log.exception("playground failed")
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"the playground failed: see the terminal\n"]

    def _html(self, start_response: StartResponse, body: str) -> list[bytes]:
        data = body.encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _text(self, start_response: StartResponse, body: str) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode()]

    def _sender(self, environ: dict) -> SlackSender:
        host = environ.get("HTTP_HOST") or f"127.0.0.1:{environ.get('SERVER_PORT', '3000')}"
        secret = self.wsgi.secret or ""
        return SlackSender(f"http://{host}/slack/events", secret)

    def _emulator(self, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.emulator_url}{path}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def note(self, **note: Any) -> None:
        self._emulator("/playground/note", note)

    def recorded(self) -> dict:
        return self._emulator("/playground/recorded")

    def world(self) -> World:
        return replay(self.recorded())

    def _version(self) -> int:
        recorded = self.recorded()
        return len(recorded["calls"]) + len(recorded["notes"])

    def _page(self, query: dict[str, str]) -> str:
        person = query.get("as") if query.get("as") in PEOPLE else "U0ANA"
        place = query.get("place", "general")
        recorded = self.recorded()
        version = len(recorded["calls"]) + len(recorded["notes"])
        return page.render(replay(recorded), recorded["calls"], person or "U0ANA", place, version)

    def _trigger(self, person: str) -> str:
        return f"{next(self._numbers)}{int(time.time() * 1000)}.{person}.playground"

    def _response_url(self, channel: str, person: str, ts: str | None) -> str:
        name = f"{channel}~{person}~{ts or '-'}~{next(self._numbers)}{int(time.time())}"
        return f"{self.emulator_url}/response/{name}"

    # what people do --------------------------------------------------------------------------
    def _posts(self) -> dict[str, Callable[[SlackSender, str, dict], str | None]]:
        return {
            "say": self.say,
            "action": self.action,
            "submit": self.submit,
            "close": self.close,
            "shortcut": self.shortcut,
            "react": self.react,
            "home": self.home,
            "clock": self.clock,
        }

    def say(self, sender: SlackSender, person: str, form: dict) -> str | None:
        """The composer: a slash command, or a message (mentioning @inflow, perhaps)."""
        channel = _channel(person, form)
        text = form.get("text", [""])[0].strip()
        if not text:
            return None
        ts = f"{time.time():.6f}"
        word, _, rest = text.partition(" ")
        if word.startswith("/"):
            if word not in COMMANDS:
                self.note(kind="problem", user=person, text=f"{word} is not a command of inflow")
                return None
            # A slash command is not a message: only its author sees it, as its answer.
            self.note(
                kind="said",
                user=person,
                channel=channel,
                ts=ts,
                text=_slack_escaped(text),
                only_for=person,
            )
            reply = sender.command(
                word,
                rest,
                user_id=person,
                channel_id=channel,
                response_url=self._response_url(channel, person, None),
                trigger_id=self._trigger(person),
            )
            self.note(
                kind="ack",
                user=person,
                channel=channel,
                ts=f"{time.time():.6f}",
                body=_body(reply.text),
            )
            return None
        typed = _mentions(_slack_escaped(text))
        self.note(kind="said", user=person, channel=channel, ts=ts, text=typed)
        im = channel != GENERAL
        event = {
            "type": "message",
            "channel": channel,
            "user": person,
            "text": typed,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im" if im else "channel",
        }
        sender.event(event)
        if f"<@{BOT_USER_ID}>" in typed and not im:
            sender.event({**event, "type": "app_mention", "channel_type": None})
        return None

    def action(self, sender: SlackSender, person: str, form: dict) -> str | None:
        """A button pressed, or a select or overflow chosen: block_actions."""
        act = json.loads(form.get("act", ["{}"])[0] or "{}")
        if not act:
            return None
        action: dict[str, Any] = {
            "action_id": act.get("action_id", ""),
            "block_id": act.get("block_id", ""),
            "type": act.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        # what was chosen, as Slack names it: value, selected_option(s), selected_user(s)
        action.update({k: v for k, v in act.items() if k not in action})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": person, "username": person.lower(), "team_id": sender.team_id},
            "trigger_id": self._trigger(person),
            "actions": [action],
        }
        view_id = form.get("view_id", [""])[0]
        if view_id:
            view = self._view_payload(person, view_id, form)
            payload.update(view=view, container={"type": "view", "view_id": view_id})
        else:
            channel, ts = _channel(person, form), form.get("ts", [""])[0]
            ephemeral = form.get("ephemeral", [""])[0] == "1"
            payload.update(
                container={
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                channel={
                    "id": channel,
                    "name": "general" if channel == GENERAL else "directmessage",
                },
                response_url=self._response_url(channel, person, ts),
            )
            if not ephemeral:
                payload["message"] = {
                    "type": "message",
                    "ts": ts,
                    "bot_id": "B0INFLOW1",
                    "text": "",
                }
        sender.interaction(payload)
        return None

    def _view_payload(self, person: str, view_id: str, form: dict) -> dict:
        world = self.world()
        found = world.view(view_id)
        body = found.body if found is not None else dict(world.homes.get(person) or {})
        return {
            "id": view_id,
            "team_id": "T0INFLOW1",
            "type": body.get("type", "modal"),
            "callback_id": body.get("callback_id", ""),
            "private_metadata": body.get("private_metadata", ""),
            "blocks": body.get("blocks", []),
            "state": {"values": _state(form)},
            "hash": "1.2",
        }

    def submit(self, sender: SlackSender, person: str, form: dict) -> str | None:
        view_id = form.get("view_id", [""])[0]
        view = self._view_payload(person, view_id, form)
        reply = sender.interaction(
            {
                "type": "view_submission",
                "trigger_id": self._trigger(person),
                "user": {"id": person, "username": person.lower(), "team_id": sender.team_id},
                "view": view,
            }
        )
        typed = {k: v for k, v in form.items() if k.startswith("input:")}
        self.note(kind="submitted", user=person, body=_body(reply.text), typed=typed)
        return None

    def close(self, sender: SlackSender, person: str, form: dict) -> str | None:
        self.note(kind="closed", user=person)
        return None

    def shortcut(self, sender: SlackSender, person: str, form: dict) -> str | None:
        callback = form.get("callback_id", [""])[0]
        if callback in MESSAGE_SHORTCUTS:
            message = {
                "type": "message",
                "user": form.get("author", [""])[0],
                "text": form.get("text", [""])[0],
                "ts": form.get("ts", [""])[0],
            }
            sender.shortcut(
                callback,
                user_id=person,
                trigger_id=self._trigger(person),
                message=message,
                channel_id=_channel(person, form),
            )
        elif callback in SHORTCUTS:
            sender.shortcut(callback, user_id=person, trigger_id=self._trigger(person))
        return None

    def react(self, sender: SlackSender, person: str, form: dict) -> str | None:
        channel, ts = _channel(person, form), form.get("ts", [""])[0]
        name = form.get("reaction", [""])[0].strip(": ")
        if not name or not ts:
            return None
        self.note(kind="reaction", user=person, channel=channel, ts=ts, name=name)
        sender.event(
            {
                "type": "reaction_added",
                "user": person,
                "reaction": name,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "item_user": form.get("author", [BOT_USER_ID])[0],
                "event_ts": f"{time.time():.6f}",
            }
        )
        return None

    def home(self, sender: SlackSender, person: str, form: dict) -> str | None:
        """Opening the Home tab: app_home_opened, and the app publishes it."""
        sender.event(
            {
                "type": "app_home_opened",
                "user": person,
                "channel": _dm(person),
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
        )
        return "home"

    def clock(self, sender: SlackSender, person: str, form: dict) -> str | None:
        """The scheduler, once, as of the moment chosen: what is due is planned and sent."""
        from bot.jobs.clock import Workspace, run_once

        chosen = form.get("now", [""])[0]
        try:
            now = dt.datetime.fromisoformat(chosen)
        except ValueError:
            self.note(
                kind="problem", user=person, text=f"{chosen!r} is not a moment: 2026-11-23T09:30"
            )
            return None
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        planned, report = run_once(
            self.wsgi.sessions,
            self.wsgi.workspaces.for_a_pass(),
            now=now,
            workspace=Workspace.of(self.wsgi.settings),
        )
        skipped = ", ".join(f"{n} skipped ({why})" for why, n in report.skipped.items())
        self.note(
            kind="problem",
            user=person,
            text=f"The scheduler ran as of {now:%a %d %b %Y %H:%M} UTC: {planned} planned, "
            f"{report.sent} sent" + (f", {skipped}" if skipped else "") + ".",
        )
        return "dm"


def _form(environ: dict) -> dict[str, list[str]]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length).decode() if length else ""
    return urllib.parse.parse_qs(raw, keep_blank_values=True)


def _dm(person: str) -> str:
    from bot.emulator import SlackEmulator

    return SlackEmulator.dm_of(person)


def _channel(person: str, form: dict) -> str:
    return GENERAL if form.get("place", ["general"])[0] == "general" else _dm(person)


def _body(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return text


def _slack_escaped(text: str) -> str:
    """What a person typed, escaped as Slack escapes it before the app sees it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mentions(text: str) -> str:
    """`@inflow` and `@Ben` typed become mentions, as Slack's composer makes them."""
    text = text.replace("@inflow", f"<@{BOT_USER_ID}>")
    for user_id, name in PEOPLE.items():
        text = text.replace(f"@{name}", f"<@{user_id}>")
    return text


def _state(form: dict[str, list[str]]) -> dict[str, dict[str, dict]]:
    """A modal's form as Slack's view state: `input:{block}:{action}:{type}` fields."""
    state: dict[str, dict[str, dict]] = {}
    for name, values in form.items():
        if not name.startswith("input:"):
            continue
        _, block_id, action_id, kind = name.split(":", 3)
        state.setdefault(block_id, {})[action_id] = _element_state(kind, values)
    return state


def _element_state(kind: str, values: list[str]) -> dict:
    first = next((v for v in values if v), None)
    chosen = [v for v in values if v]
    option = lambda v: {"text": {"type": "plain_text", "text": v}, "value": v}  # noqa: E731
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": option(first) if first else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [option(v) for v in chosen]}
    if kind == "users_select":
        return {"type": kind, "selected_user": first}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": chosen}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": first}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": chosen}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": first}
    if kind == "datepicker":
        return {"type": kind, "selected_date": first}
    return {"type": kind, "value": first}
