"""Where the conversation is: quiet offers in channels, mentions, and questions in a DM.

Every event is acknowledged at once; matching, the limits and posting happen afterwards in the
background, so a busy workspace never makes Slack wait or retry.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.deps import Deps, Subcommand
from bot.errors import InflowError
from bot.handlers.commands import HELP_WORDS, answer
from bot.handlers.context import clicked_message, team_of
from bot.library.suggest import suggest
from bot.middleware import first_delivery
from bot.services import library as library_service
from bot.services import suggestions
from bot.services.library import GuideEventKind
from bot.services.suggestions import Outcome, Scope
from bot.slack import blocks, guides
from bot.slack import suggestions as offer_blocks
from bot.slack.ids import SuggestAction
from bot.slack.text import unescape

log = logging.getLogger(__name__)

CHANNEL_TYPES = ("channel", "group")


def register(app: App, deps: Deps) -> None:
    # `suggestions on|off [here]`; "suggestions for my retro" is a question for the library
    deps.learn_subcommands["suggestions"] = Subcommand(
        r"((on|off)(\s+here)?)?", suggestions_command(deps)
    )

    @app.event("message")
    def on_message(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        """Hand a person's new message to the background: a channel offer, or a DM question."""
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, bots (this app too): never
        if event["user"] == context.bot_user_id or not (event.get("text") or "").strip():
            return
        team_id = team_of(body)
        channel_type = event.get("channel_type")
        if channel_type == "im":
            deps.background.submit(
                "dm question", lambda: _answer_in_dm(deps, client, team_id, event, body)
            )
        elif channel_type in CHANNEL_TYPES and f"<@{context.bot_user_id}>" not in event["text"]:
            deps.background.submit(
                "channel offer", lambda: _offer(deps, client, team_id, event, body)
            )

    @app.event("app_mention")
    def on_mention(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        """Answer a mention in its thread, publicly, like /learn."""
        if event.get("bot_id") or not event.get("user") or not event.get("ts"):
            return
        team_id = team_of(body)
        deps.background.submit(
            "mention",
            lambda: _answer_mention(deps, client, team_id, event, body, context.bot_user_id),
        )

    register_offers(app, deps)  # after the event listeners, which Bolt should find first


def _question(text: str, bot_user_id: str | None) -> str:
    words = unescape(text.replace(f"<@{bot_user_id}>", " ") if bot_user_id else text)
    return " ".join(words.split())


def _reply(
    deps: Deps, body: dict, team_id: str, user_id: str, words: str, channel_id: str
) -> dict | None:
    """The answer to a question asked in a mention or a DM; None for a retried delivery."""
    with transaction(deps.sessions) as db:
        if not first_delivery(db, body):
            return None
        if not words or words.lower() in HELP_WORDS:
            return blocks.help_message()
        found = answer(
            db, deps, team_id=team_id, user_id=user_id, words=words, channel_id=channel_id
        )
    found.pop("response_type", None)
    return found


def _answer_mention(
    deps: Deps, client: WebClient, team_id: str, event: dict, body: dict, bot_user_id: str | None
) -> None:
    words = _question(event.get("text") or "", bot_user_id)
    message = _reply(deps, body, team_id, event["user"], words, event["channel"])
    if message is None:
        return
    client.chat_postMessage(
        channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], **message
    )


def _answer_in_dm(deps: Deps, client: WebClient, team_id: str, event: dict, body: dict) -> None:
    words = _question(event.get("text") or "", None)
    message = _reply(deps, body, team_id, event["user"], words, event["channel"])
    if message is not None:
        client.chat_postMessage(channel=event["channel"], **message)


def _offer(deps: Deps, client: WebClient, team_id: str, event: dict, body: dict) -> None:
    """Offer a guide to the poster, privately, if the message is such a moment and every limit
    allows it."""
    user_id, channel_id = event["user"], event["channel"]
    with deps.sessions() as db:  # a session only when the workspace's library is due a check
        library = deps.library.for_team(db, team_id)
    found = suggest(library, event["text"])
    if found is None:
        return
    with transaction(deps.sessions) as db:
        if not first_delivery(db, body):
            return
        if not deps.workspace(db, team_id).channel_suggestions:
            return  # the workspace's admins turned channel offers off
        if suggestions.stopped(db, team_id=team_id, user_id=user_id, channel_id=channel_id):
            return
        offer_id = suggestions.claim(
            db,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            guide_id=found.guide.id,
            now=deps.clock(),
        )
    if offer_id is None:
        return
    try:
        client.chat_postEphemeral(
            channel=channel_id, user=user_id, **offer_blocks.offer(found, offer_id)
        )
    except SlackApiError as error:
        log.warning("offer in %s not posted: %s", channel_id, error.response.get("error"))
        with transaction(deps.sessions) as db:
            suggestions.release(db, offer_id=offer_id)


def register_offers(app: App, deps: Deps) -> None:
    @app.action(SuggestAction.OPEN)
    def open_offer(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Show the offered guide, privately."""
        ack()
        offer_id, guide_id = offer_blocks.read_offer(action["value"])
        team_id, user_id = team_of(body), body["user"]["id"]
        guide = deps.library.for_team(db, team_id).by_id.get(guide_id)
        if guide is None:
            raise InflowError("That guide is no longer in the library.")
        suggestions.answered(
            db, team_id=team_id, user_id=user_id, offer_id=offer_id, outcome=Outcome.OPENED
        )
        library_service.record_event(
            db,
            team_id=team_id,
            guide_id=guide.id,
            user_id=user_id,
            kind=GuideEventKind.VIEW,
            channel_id=(body.get("channel") or {}).get("id"),
            now=deps.clock(),
            clicked=clicked_message(body),
        )
        respond(**guides.guide_answer(guide), replace_original=True)

    @app.action(SuggestAction.NOT_NOW)
    def not_now(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Put the offer away."""
        ack()
        offer_id, _ = offer_blocks.read_offer(action["value"])
        suggestions.answered(
            db,
            team_id=team_of(body),
            user_id=body["user"]["id"],
            offer_id=offer_id,
            outcome=Outcome.DISMISSED,
        )
        respond(delete_original=True)

    @app.action(SuggestAction.STOP_ME)
    def stop_me(ack: Ack, body: dict, respond: Respond, db: Session) -> None:
        """Stop suggestions for this person, until they turn them back on."""
        ack()
        user_id = body["user"]["id"]
        suggestions.stop(
            db,
            team_id=team_of(body),
            scope=Scope.USER,
            subject_id=user_id,
            by=user_id,
            now=deps.clock(),
        )
        respond(text=offer_blocks.STOPPED_FOR_YOU, replace_original=True)

    @app.action(SuggestAction.STOP_CHANNEL)
    def stop_channel(
        ack: Ack, body: dict, client: WebClient, respond: Respond, db: Session
    ) -> None:
        """Stop suggestions in this channel, if the person manages it."""
        ack()
        user_id, channel_id = body["user"]["id"], (body.get("channel") or {}).get("id", "")
        admins = deps.workspace(db, team_of(body)).admins
        if not _manages(client, admins, user_id, channel_id):
            respond(text=offer_blocks.NOT_A_CHANNEL_MANAGER, replace_original=False)
            return
        suggestions.stop(
            db,
            team_id=team_of(body),
            scope=Scope.CHANNEL,
            subject_id=channel_id,
            by=user_id,
            now=deps.clock(),
        )
        respond(text=offer_blocks.STOPPED_HERE, replace_original=True)


def _manages(client: WebClient, admins: frozenset[str], user_id: str, channel_id: str) -> bool:
    """The channel's creator, a workspace admin or owner, or one of the workspace's inflow
    admins."""
    if user_id in admins:
        return True
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
        if channel.get("creator") == user_id:
            return True
        person = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("cannot tell who manages %s: %s", channel_id, error.response.get("error"))
        return False
    return bool(person.get("is_admin") or person.get("is_owner"))


def suggestions_command(deps: Deps):
    """`/learn suggestions on|off [here]`: turn channel offers on or off for you or a channel."""

    def run(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        words = rest.lower().split()
        here = "here" in words
        team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
        if not words or words[0] not in ("on", "off"):
            raise InflowError(
                "Say `/learn suggestions off` (or `on`) for you, or add `here` for this channel."
            )
        scope, subject = (Scope.CHANNEL, channel_id) if here else (Scope.USER, user_id)
        workspace = deps.workspace(db, team_id)
        if here and not _manages(client, workspace.admins, user_id, channel_id):
            raise InflowError(offer_blocks.NOT_A_CHANNEL_MANAGER)
        if words[0] == "off":
            suggestions.stop(
                db, team_id=team_id, scope=scope, subject_id=subject, by=user_id, now=deps.clock()
            )
            text = offer_blocks.STOPPED_HERE if here else offer_blocks.STOPPED_FOR_YOU
        else:
            suggestions.resume(db, team_id=team_id, scope=scope, subject_id=subject)
            text = offer_blocks.RESUMED_HERE if here else offer_blocks.RESUMED_FOR_YOU
            if not workspace.channel_suggestions:
                text += f" {offer_blocks.OFF_IN_WORKSPACE}"
        ack(response_type="ephemeral", text=text)

    return run
