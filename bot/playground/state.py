"""What each person sees in the playground, replayed from what the emulator recorded.

The app's Web API calls and the playground's notes (what people said and did, the app's
answers, response_url posts) are merged in time order; one pass turns them into channels of
messages, each person's stack of open modals, and each person's Home tab. Nothing is kept in
the serving process: gunicorn's workers all read the same emulator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import BOT_USER_ID, SlackEmulator


@dataclass
class Message:
    channel: str
    ts: str
    user: str  # who wrote it: a person, or the bot
    text: str = ""
    blocks: list[dict] = field(default_factory=list)
    only_for: str | None = None  # an ephemeral message: the one person who sees it
    reactions: dict[str, list[str]] = field(default_factory=dict)  # name -> who
    thread_ts: str | None = None


@dataclass
class View:
    id: str
    body: dict
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, list[str]] = field(default_factory=dict)  # kept while errors are shown


@dataclass
class World:
    messages: list[Message] = field(default_factory=list)
    modals: dict[str, list[View]] = field(default_factory=dict)  # person -> stack, top last
    homes: dict[str, dict] = field(default_factory=dict)  # person -> published view
    notices: dict[str, list[str]] = field(default_factory=dict)  # person -> what went wrong

    def channel(self, channel: str, person: str) -> list[Message]:
        return [
            m
            for m in self.messages
            if m.channel == channel and (m.only_for is None or m.only_for == person)
        ]

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def view(self, view_id: str) -> View | None:
        for stack in self.modals.values():
            for view in stack:
                if view.id == view_id:
                    return view
        return None


def decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def dm_channel(channel: str) -> str:
    """Posting to a person's user id posts in their DM with the app, as Slack does."""
    return SlackEmulator.dm_of(channel) if channel.startswith(("U", "W")) else channel


def trigger_user(trigger_id: str) -> str:
    """The playground's trigger ids name the person: `{n}.{user}.playground`."""
    parts = str(trigger_id).split(".")
    return parts[1] if len(parts) == 3 else ""


def replay(recorded: dict) -> World:
    """The world as it stands after everything recorded, oldest first."""
    world = World()
    entries = [("call", c) for c in recorded.get("calls", [])]
    entries += [("note", n) for n in recorded.get("notes", [])]
    entries.sort(key=lambda entry: entry[1].get("at", 0))
    for kind, entry in entries:
        if kind == "call":
            _call(world, entry)
        else:
            _note(world, entry)
    return world


def _call(world: World, call: dict) -> None:
    method, args = call["method"], call.get("args") or {}
    answer = call.get("answer") or {}
    if not answer.get("ok"):
        return
    blocks = decoded(args.get("blocks")) or []
    if method == "chat.postMessage":
        world.messages.append(
            Message(
                dm_channel(args["channel"]),
                answer["ts"],
                BOT_USER_ID,
                args.get("text", ""),
                blocks,
                thread_ts=args.get("thread_ts"),
            )
        )
    elif method == "chat.postEphemeral":
        world.messages.append(
            Message(
                dm_channel(args["channel"]),
                answer["message_ts"],
                BOT_USER_ID,
                args.get("text", ""),
                blocks,
                only_for=args.get("user"),
            )
        )
    elif method == "chat.update":
        found = world.find(dm_channel(args.get("channel", "")), args.get("ts", ""))
        if found is not None:
            found.text, found.blocks = args.get("text", ""), blocks
    elif method == "chat.delete":
        found = world.find(dm_channel(args.get("channel", "")), args.get("ts", ""))
        if found is not None:
            world.messages.remove(found)
    elif method in ("views.open", "views.push"):
        view = View(answer["view"]["id"], decoded(args.get("view")))
        stack = world.modals.setdefault(trigger_user(args.get("trigger_id", "")), [])
        if method == "views.open":
            stack.clear()
        stack.append(view)
    elif method == "views.update":
        found_view = world.view(args.get("view_id", ""))
        if found_view is not None:
            found_view.body, found_view.errors = decoded(args.get("view")), {}
    elif method == "views.publish":
        world.homes[args["user_id"]] = decoded(args.get("view"))


def _note(world: World, note: dict) -> None:
    kind = note.get("kind")
    person = note.get("user", "")
    if kind == "said":
        world.messages.append(
            Message(
                note["channel"], note["ts"], person, note.get("text", ""), [], note.get("only_for")
            )
        )
    elif kind == "ack":  # a slash command's answer: shown to whoever typed it
        body = note.get("body")
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            world.messages.append(_answer_message(note["channel"], note["ts"], body, person))
        elif isinstance(body, str) and body.strip():
            world.messages.append(
                Message(note["channel"], note["ts"], BOT_USER_ID, body, [], person)
            )
    elif kind == "response":
        _response(world, note)
    elif kind == "reaction":
        found = world.find(note["channel"], note["ts"])
        if found is not None:
            found.reactions.setdefault(note["name"], []).append(person)
    elif kind == "submitted":
        _submitted(world, person, note.get("body"), note.get("typed") or {})
    elif kind == "closed":
        stack = world.modals.get(person, [])
        if stack:
            stack.pop()
    elif kind == "problem":
        world.notices.setdefault(person, []).append(note.get("text", ""))


def _answer_message(channel: str, ts: str, body: dict, person: str) -> Message:
    in_channel = body.get("response_type") == "in_channel"
    return Message(
        channel,
        ts,
        BOT_USER_ID,
        body.get("text", ""),
        decoded(body.get("blocks")) or [],
        only_for=None if in_channel else person,
    )


def _response(world: World, note: dict) -> None:
    """A post to a response_url: `/response/{channel}~{person}~{message ts or -}~{n}`."""
    name = note["path"].rsplit("/", 1)[-1]
    try:
        channel, person, ts, _ = name.split("~")
    except ValueError:
        return
    body = note.get("body") or {}
    found = world.find(channel, ts) if ts != "-" else None
    if body.get("delete_original"):
        if found is not None:
            world.messages.remove(found)
        return
    if body.get("replace_original") and found is not None:
        found.text = body.get("text", "")
        found.blocks = decoded(body.get("blocks")) or []
        if body.get("response_type") == "in_channel":
            found.only_for = None
        return
    world.messages.append(_answer_message(channel, f"{note['at']:.6f}", body, person))


def _submitted(world: World, person: str, body: Any, typed: dict[str, list[str]]) -> None:
    """What a modal's submission answered: errors, update, push, clear, or close it."""
    stack = world.modals.get(person, [])
    body = body if isinstance(body, dict) else {}
    action = body.get("response_action")
    if action == "errors" and stack:
        stack[-1].errors = dict(body.get("errors") or {})
        stack[-1].typed = typed
    elif action == "update" and stack:
        stack[-1].body, stack[-1].errors = body.get("view") or {}, {}
    elif action == "push":
        stack.append(View(f"{stack[-1].id if stack else 'V'}-pushed", body.get("view") or {}))
    elif action == "clear":
        stack.clear()
    elif stack:
        stack.pop()
