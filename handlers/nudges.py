"""The buttons on nudges."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.handlers.context import team_of
from bot.jobs import controls
from bot.jobs.after import After
from bot.services import nudges as nudge_service
from bot.slack import nudges as nudge_blocks
from bot.slack import strengths as spot_blocks
from bot.slack.ids import FollowUpAction, NudgeAction
from bot.slack.messaging import open_modal


def register(app: App, deps: Deps) -> None:
    register_follow_ups(app, deps)

    @app.action(NudgeAction.OPEN_SPOT)
    def open_spot(ack: Ack, body: dict, client: WebClient, after: After) -> None:
        """Open the spotting form from the weekly nudge."""
        ack()
        trigger, user = body["trigger_id"], body["user"]["id"]
        after.then("spot form", lambda: open_modal(client, trigger, user, spot_blocks.spot_modal()))

    @app.action(NudgeAction.NOT_USEFUL)
    def not_useful(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Record that this nudge did not help, and say so."""
        ack()
        kind, subject, occurrence = nudge_blocks.read_key(action["value"])
        nudge_service.not_useful(  # a second click is noted once and answered the same
            db,
            team_id=team_of(body),
            user_id=body["user"]["id"],
            kind=kind,
            subject=subject,
            occurrence=occurrence,
            now=deps.clock(),
        )
        respond(
            text="Thanks: noted that this one wasn't useful, so fewer like it will come. "
            "You can turn kinds of nudges off on inflow's Home tab.",
            replace_original=True,
        )

    @app.action(NudgeAction.SNOOZE)
    def snooze(
        ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient, db: Session
    ) -> None:
        """Bring the nudge back tomorrow or next week, at the person's own time."""
        ack()
        until, _, key = action["selected_option"]["value"].partition("|")
        kind, subject, occurrence = nudge_blocks.read_key(key)
        back = controls.snooze(
            db,
            client,
            team_id=team_of(body),
            user_id=body["user"]["id"],
            kind=kind,
            subject=subject,
            occurrence=occurrence,
            until=until,
            now=deps.clock(),
            default_tz=deps.settings.default_tz,
        )
        respond(text=nudge_blocks.snoozed(back), replace_original=True)

    @app.action(NudgeAction.STOP)
    def stop(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Turn this kind of nudge off, at once."""
        ack()
        kind, _, _ = nudge_blocks.read_key(action["value"])
        label = controls.stop(
            db, team_id=team_of(body), user_id=body["user"]["id"], kind=kind, now=deps.clock()
        )
        respond(text=nudge_blocks.stopped(label), replace_original=True)


OUTCOMES = {
    FollowUpAction.HELPED: (
        "helped",
        "Thank you: noted that it helped. That's how the library learns.",
    ),
    FollowUpAction.DID_NOT_HELP: (
        "did_not_help",
        "Thank you: noted that it didn't help this time.",
    ),
    FollowUpAction.NOT_YET: ("not_yet", "Noted. It's on your Home tab when the moment comes."),
}


def register_follow_ups(app: App, deps: Deps) -> None:
    def answer(outcome: str, reply: str):
        # A factory, not default arguments: Bolt fills every named parameter it sees.
        def handler(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
            ack()
            guide_id = action["value"]
            if guide_id not in deps.library.for_team(db, team_of(body)).by_id:
                respond(text="That guide is no longer in the library.", replace_original=True)
                return
            nudge_service.guide_outcome(
                db,
                team_id=team_of(body),
                user_id=body["user"]["id"],
                guide_id=guide_id,
                outcome=outcome,
                now=deps.clock(),
            )
            respond(text=reply, replace_original=True)

        handler.__doc__ = f"Record that the guide {outcome.replace('_', ' ')}."
        return handler

    for action_id, (outcome, reply) in OUTCOMES.items():
        app.action(action_id)(answer(outcome, reply))
