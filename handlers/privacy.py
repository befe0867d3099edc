"""People's control over their data: `/learn my-data` and `/learn forget-me`."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.deps import Deps, Subcommand
from bot.handlers.context import team_of
from bot.services import privacy
from bot.slack import privacy as blocks
from bot.slack.ids import PrivacyAction
from bot.slack.messaging import send_file_dm


def register(app: App, deps: Deps) -> None:
    def my_data(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        """Send the person everything inflow holds about them here, as a JSON file in a DM."""
        ack(**blocks.data_on_its_way())
        team_id, user_id = command["team_id"], command["user_id"]
        # after the answer: a large export must not keep Slack waiting past its 3 seconds
        deps.background.submit("my data", lambda: _send_my_data(deps, client, team_id, user_id))

    def forget_me(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        """Say what forgetting deletes and keeps, with a button that asks once more."""
        ack(**blocks.forget_confirmation())

    deps.learn_subcommands["my-data"] = Subcommand("", my_data)
    deps.learn_subcommands["forget-me"] = Subcommand("", forget_me)

    @app.action(PrivacyAction.FORGET_ME)
    def forget(ack: Ack, body: dict, respond: Respond, db: Session) -> None:
        """Delete everything about the person who pressed it, in this workspace."""
        ack()
        done = privacy.forget(db, team_id=team_of(body), user_id=body["user"]["id"])
        respond(**blocks.forgotten(done))

    @app.action(PrivacyAction.KEEP_MY_DATA)
    def keep(ack: Ack, respond: Respond) -> None:
        """Leave everything as it is."""
        ack()
        respond(**blocks.kept_data())


def _send_my_data(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    now = deps.clock()
    with transaction(deps.sessions) as db:
        data = privacy.export(db, team_id=team_id, user_id=user_id, now=now)
    send_file_dm(client, user_id, blocks.data_file(data, today=now.date()))
