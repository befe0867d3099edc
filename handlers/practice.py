"""Practice paths: `/learn practice [id] [@people]`, invitations, and the buttons and forms of
each week's step and check-in."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps, Subcommand
from bot.errors import InflowError
from bot.handlers.context import MENTION, input_value, selected_value, team_of
from bot.jobs.after import After
from bot.library.paths import PracticePath, current
from bot.services import practice, preferences, teams
from bot.services.outbox import OnFailed
from bot.slack import practice as blocks
from bot.slack.ids import Field, PracticeAction, View
from bot.slack.kit import button
from bot.slack.messaging import NOT_REACHED, open_modal

NOT_ALLOWED = (
    "you can invite your confirmed reports, and inflow admins (the learning team) can invite "
    "anyone; ask them, or share `/learn practice {id}` so they can start it themselves."
)


MOVED_ON = "That week has moved on: this week's step is in your DMs with inflow."


def catalogue(deps: Deps) -> dict[str, PracticePath]:
    """The practice paths beside the library's guides, by id (bot.library.paths.current)."""
    return current(deps.library.directory, deps.library.library.by_id)


def register(app: App, deps: Deps) -> None:
    # `practice`, `practice <id>`, `practice <id> @a @b`; "practice makes perfect" is a question
    # for the library.
    practice_subcommand = Subcommand(
        r"(\S+((\s|,|and)*<@[UW][A-Z0-9]+(\|[^>]*)?>)*[\s,]*)?",
        practice_command(deps),
        needs_after=True,
    )
    deps.learn_subcommands["practice"] = practice_subcommand
    deps.learn_subcommands["practise"] = practice_subcommand  # as much of the world spells it
    register_invitations(app, deps)
    register_steps(app, deps)
    register_look_back(app, deps)

    @app.action(PracticeAction.START)
    def start_button(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Start the path whose *Start* was pressed in the list."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        path = catalogue(deps).get(action["value"])
        if path is None:
            raise InflowError("That practice path is no longer offered.")
        answer = _start(deps, db, team, user, path)
        respond(**{**answer, "replace_original": True})


def meant(asked: str, paths: list[PracticePath]) -> list[PracticePath]:
    """The paths a name that is no id may mean ("feedback", "new manager", "retro"): those
    whose id, title or skill has each of its words, or a word starting with it; all of them
    when none does (nothing is started on a guess: the person presses *Start*)."""
    words = [w for w in re.findall(r"[a-z]+", asked.lower()) if len(w) > 2]

    def names(path: PracticePath) -> list[str]:
        return re.findall(r"[a-z]+", f"{path.id} {path.title} {path.meta.skill}".lower())

    found = [
        path
        for path in paths
        if words and all(any(n.startswith(w[:5]) for n in names(path)) for w in words)
    ]
    return found or paths


def _start(deps: Deps, db: Session, team: str, user: str, path: PracticePath) -> dict:
    enrolment, new = practice.start(db, team_id=team, user_id=user, path=path, now=deps.clock())
    if not new:
        return blocks.already_on(path, enrolment)
    return blocks.started(path, preferences.get(db, team_id=team, user_id=user))


def practice_command(deps: Deps) -> Callable[..., None]:
    def practice_answer(
        ack: Ack, command: dict, client: WebClient, db: Session, rest: str, after: After
    ) -> None:
        """List the paths, start one, or invite people to one: answered inside the ack."""
        paths = catalogue(deps)
        if not paths:
            ack(**blocks.no_paths())
            return
        if not rest:
            ack(**blocks.path_list(list(paths.values())))
            return
        asked, _, others = rest.partition(" ")
        path = paths.get(asked.lower())
        if path is None:
            named = MENTION.split(rest)[0].strip(" ,")
            ack(**blocks.path_list(meant(named, list(paths.values())), asked=named))
            return
        team, user = command["team_id"], command["user_id"]
        invitees = list(dict.fromkeys(MENTION.findall(others)))
        if not invitees:
            ack(**_start(deps, db, team, user, path))
            return
        ack(**_invite(deps, db, after, team=team, by=user, path=path, invitees=invitees))

    return practice_answer


def _invite(
    deps: Deps, db: Session, after: After, *, team: str, by: str, path: PracticePath, invitees
) -> dict:
    """Invite each person the inviter may invite; say why not for the others."""
    is_admin = deps.workspace(db, team).is_admin(by)
    invited, skipped = [], []
    for invitee in invitees:
        if invitee == by:
            skipped.append((invitee, f"that's you: `/learn practice {path.id}` starts it."))
            continue
        if not is_admin and by not in teams.managers_of(db, team_id=team, report_id=invitee):
            skipped.append((invitee, NOT_ALLOWED.format(id=path.id)))
            continue
        enrolment = practice.invite(
            db, team_id=team, user_id=invitee, path=path, by=by, now=deps.clock()
        )
        if enrolment is None:
            skipped.append((invitee, "already on this path, or already invited to it."))
            continue
        after.send(
            invitee,
            blocks.invitation(path, enrolment, by),
            about=f"practice-invite:{enrolment.id}",
            part=f"{enrolment.invited_at:%Y%m%dT%H%M%S}",
            on_failed=(OnFailed.TELL, {"to": by, "text": NOT_REACHED.format(who=invitee)}),
        )
        invited.append(invitee)
    return blocks.invited(path, invited, skipped)


def register_invitations(app: App, deps: Deps) -> None:
    def answer(join: bool):
        # A factory, not default arguments: Bolt fills every named parameter it sees.
        def handler(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
            ack()
            team, user = team_of(body), body["user"]["id"]
            paths = catalogue(deps)
            enrolment = practice.get_enrolment(
                db, team_id=team, user_id=user, enrolment_id=int(action["value"])
            )
            path = paths.get(enrolment.path_id)
            enrolment, changed = practice.answer_invitation(
                db,
                team_id=team,
                user_id=user,
                enrolment_id=enrolment.id,
                join=join,
                path=path,
                now=deps.clock(),
            )
            title = path.title if path else enrolment.path_id
            if not changed:
                respond(**blocks.replace(_answered_already(enrolment.status, title)))
            elif join and path is not None:
                respond(**blocks.joined(path, preferences.get(db, team_id=team, user_id=user)))
            else:
                respond(
                    **blocks.replace(
                        f"No problem: you're not on “{title}”. "
                        f"`/learn practice {enrolment.path_id}` starts it whenever you like."
                    )
                )

        handler.__doc__ = "Join the path." if join else "Decline the invitation."
        return handler

    app.action(PracticeAction.JOIN)(answer(True))
    app.action(PracticeAction.NOT_NOW)(answer(False))


def _answered_already(status: str, title: str) -> str:
    if status in practice.ON_IT:
        return f"You're already on “{title}”."
    if status == practice.EnrolmentStatus.DECLINED:
        return f"You said not now to “{title}”. `/learn practice` lists the paths to start."
    return f"That invitation to “{title}” is no longer open."


def register_steps(app: App, deps: Deps) -> None:
    @app.action(PracticeAction.COMMIT)
    def open_commitment(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the box for the real situation the person will practise in."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        step = practice.get_step(db, team_id=team, user_id=user, step_id=int(action["value"]))
        trigger, form = body["trigger_id"], blocks.commitment_modal(step)
        after.then("practice commitment", lambda: open_modal(client, trigger, user, form))

    @app.view(View.PRACTICE_COMMITMENT)
    def commitment_submitted(ack: Ack, body: dict, view: dict, db: Session, after: After) -> None:
        """Store the commitment (private) and say so in the person's DM."""
        team, user = team_of(body), body["user"]["id"]
        text = input_value(view, Field.COMMITMENT).get("value") or ""
        try:
            step = practice.commit(
                db,
                team_id=team,
                user_id=user,
                step_id=int(view["private_metadata"]),
                commitment=text,
                now=deps.clock(),
            )
        except InflowError as error:
            ack(response_action="errors", errors={Field.COMMITMENT: error.user_message})
            return
        after.send(
            user,
            blocks.committed(step),
            about=f"practice-step:{step.id}",
            part=f"committed {step.committed_at:%Y%m%dT%H%M%S}",
        )
        ack()

    @app.action(PracticeAction.TRIED)
    def open_tried(
        ack: Ack,
        body: dict,
        action: dict,
        client: WebClient,
        db: Session,
        after: After,
        respond: Respond,
    ) -> None:
        """Open the check-in form: what happened, what changed, confidence now."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        step = practice.get_step(db, team_id=team, user_id=user, step_id=int(action["value"]))
        if step.outcome == practice.StepOutcome.NO_ANSWER:
            respond(**blocks.replace(MOVED_ON))
            return
        if step.outcome is not None:
            respond(**blocks.replace("Already noted: thank you."))
            return
        trigger, form = body["trigger_id"], blocks.tried_modal(step)
        after.then("practice check-in", lambda: open_modal(client, trigger, user, form))

    @app.view(View.PRACTICE_TRIED)
    def tried_submitted(ack: Ack, body: dict, view: dict, db: Session, after: After) -> None:
        """Record how it went and move on to next week's step."""
        team, user = team_of(body), body["user"]["id"]
        confidence = selected_value(view, Field.CONFIDENCE)
        try:
            step, following, new = practice.tried(
                db,
                team_id=team,
                user_id=user,
                step_id=int(view["private_metadata"]),
                what_happened=input_value(view, Field.WHAT_HAPPENED).get("value") or "",
                what_changed=input_value(view, Field.WHAT_CHANGED).get("value") or "",
                confidence=int(confidence or 0),
                now=deps.clock(),
            )
        except InflowError as error:
            field = Field.CONFIDENCE if "confident" in error.user_message else Field.WHAT_HAPPENED
            ack(response_action="errors", errors={field: error.user_message})
            return
        if new:
            title = _title(deps, db, step)
            after.send(
                user,
                blocks.thanks(following, title),
                about=f"practice-step:{step.id}",
                part="tried",
            )
            if following is None:
                _path_done(after, step, title)
        ack()

    @app.action(PracticeAction.NOT_YET)
    def not_yet(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Ask again in a few days, once."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        _, moved = practice.not_yet(
            db, team_id=team, user_id=user, step_id=int(action["value"]), now=deps.clock()
        )
        respond(
            **blocks.replace(
                "No rush: I'll ask again in a few days."
                if moved
                else "Noted. I've already moved this check-in on once."
            )
        )

    @app.action(PracticeAction.SKIP)
    def skip(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Skip this week's step and move on."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        step, following, new = practice.skip(
            db, team_id=team, user_id=user, step_id=int(action["value"]), now=deps.clock()
        )
        if not new:
            moved = step.outcome == practice.StepOutcome.NO_ANSWER
            respond(**blocks.replace(MOVED_ON if moved else "Already noted: this step is done."))
            return
        title = _title(deps, db, step)
        respond(**blocks.replace("Skipped. " + blocks.next_step_text(following, title)))
        if following is None:
            _path_done(after, step, title)

    def control(name: str, change, said: Callable[[str], str], unchanged: str):
        def handler(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
            ack()
            team, user = team_of(body), body["user"]["id"]
            enrolment, changed = change(
                db, team_id=team, user_id=user, enrolment_id=int(action["value"]), now=deps.clock()
            )
            path = catalogue(deps).get(enrolment.path_id)
            title = path.title if path else enrolment.path_id
            respond(**_control_reply(enrolment, said(title) if changed else unchanged))

        handler.__doc__ = f"{name.capitalize()} the path, in one tap."
        return handler

    app.action(PracticeAction.PAUSE)(
        control(
            "pause",
            practice.pause,
            lambda t: f"Paused “{t}”. Nothing more comes until you resume.",
            "This path isn't running, so there's nothing to pause.",
        )
    )
    app.action(PracticeAction.RESUME)(
        control(
            "resume",
            practice.resume,
            lambda t: f"Resumed “{t}”: it carries on where you left it, at your next slot.",
            "This path isn't paused.",
        )
    )
    app.action(PracticeAction.LEAVE)(
        control(
            "leave",
            practice.leave,
            lambda t: (
                f"You've left “{t}”. `/learn practice` lists the paths if you want one later."
            ),
            "You're not on this path any more.",
        )
    )


def _path_done(after: After, step, title: str) -> None:
    """The path's last week is answered: the end-of-path DM, once per run of the path."""
    after.send(
        step.user_id,
        blocks.path_done(step.enrolment_id, title),
        about=f"practice-done:{step.enrolment_id}",
        part=f"{step.answered_at:%Y%m%dT%H%M%S}",
    )


def register_look_back(app: App, deps: Deps) -> None:
    @app.action(PracticeAction.LOOK_BACK)
    def open_look_back(
        ack: Ack,
        body: dict,
        action: dict,
        client: WebClient,
        db: Session,
        after: After,
        respond: Respond,
    ) -> None:
        """Open the end-of-path form, unless it was answered already."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        enrolment = practice.get_enrolment(
            db, team_id=team, user_id=user, enrolment_id=int(action["value"])
        )
        if enrolment.reflected_at is not None:
            respond(**blocks.replace("Already noted: thank you for looking back."))
            return
        if enrolment.status != practice.EnrolmentStatus.FINISHED:
            respond(
                **blocks.replace(
                    "That path isn't finished any more, so there's nothing to look back on."
                )
            )
            return
        path = catalogue(deps).get(enrolment.path_id)
        form = blocks.look_back_modal(
            enrolment,
            path.title if path else enrolment.path_id,
            practice.first_confidence(db, enrolment.id),
        )
        trigger = body["trigger_id"]
        after.then("practice look back", lambda: open_modal(client, trigger, user, form))

    @app.view(View.PRACTICE_LOOK_BACK)
    def look_back_submitted(ack: Ack, body: dict, view: dict, db: Session, after: After) -> None:
        """Store the end-of-path answers and thank them in their DM."""
        team, user = team_of(body), body["user"]["id"]

        def chosen(field: str) -> int | None:
            value = selected_value(view, field)
            return int(value) if value and value.isdigit() else None

        asked_before = Field.CONFIDENCE_BEFORE in view["state"]["values"]
        try:
            enrolment, new = practice.reflect(
                db,
                team_id=team,
                user_id=user,
                enrolment_id=int(view["private_metadata"]),
                before=chosen(Field.CONFIDENCE_BEFORE) if asked_before else None,
                after=chosen(Field.CONFIDENCE) or 0,
                difference=input_value(view, Field.DIFFERENCE).get("value") or "",
                shared=input_value(view, Field.SHARED_LINE).get("value") or "",
                now=deps.clock(),
            )
        except InflowError as error:
            ack(
                response_action="errors",
                errors={_look_back_field(error.user_message): error.user_message},
            )
            return
        if new:
            after.send(
                user,
                blocks.looked_back(enrolment),
                about=f"practice-done:{enrolment.id}",
                part="looked back",
            )
        ack()


def _look_back_field(message: str) -> str:
    """The form field an error is about."""
    if "felt" in message:
        return Field.CONFIDENCE
    if "shared line" in message:
        return Field.SHARED_LINE
    return Field.DIFFERENCE


def _control_reply(enrolment, text: str) -> dict:
    reply = blocks.replace(text)
    if enrolment.status == practice.EnrolmentStatus.PAUSED:
        reply["blocks"].append(
            {
                "type": "actions",
                "elements": [button("Resume", PracticeAction.RESUME, str(enrolment.id), "primary")],
            }
        )
    return reply


def _title(deps: Deps, db: Session, step) -> str:
    enrolment = practice.get_enrolment(
        db, team_id=step.team_id, user_id=step.user_id, enrolment_id=step.enrolment_id
    )
    path = catalogue(deps).get(enrolment.path_id)
    return path.title if path else enrolment.path_id
