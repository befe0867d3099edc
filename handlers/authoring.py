"""Writing the library from Slack: `/learn new`, *Edit* on a guide, the guide form, a draft's
*Publish* / *Edit* / *Discard*, and `/learn authors` for admins.

Other surfaces open the same form pre-filled with `open_guide_form` (a message shortcut, a
*Turn into a guide* button): it checks the person owns the library and opens the form after
the request's commit, or raises `NotAnOwner` with a kind message the app's error handler shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps, Subcommand
from bot.errors import InflowError
from bot.handlers.context import MENTION, team_of
from bot.jobs.after import After
from bot.library.fields import GuideFields, fields_of, guide_source, problems_by_field
from bot.library.loader import parse_guide_text
from bot.library.schema import Guide
from bot.services import authoring
from bot.services import authors as author_service
from bot.services.authoring import DraftRef, GuideChanged
from bot.slack import authoring as blocks
from bot.slack import people
from bot.slack.ids import Action, DraftAction, GuideField, View
from bot.slack.messaging import open_modal

GONE = "That guide is no longer in this workspace's library. Try `/learn` again."
BROKEN_DRAFT = "That draft can no longer be read. Write it again with `/learn new`."
AUTHORS_FORM = r"((add|remove)\b.*)?"


def open_guide_form(
    client: WebClient,
    *,
    trigger_id: str,
    db: Session,
    deps: Deps,
    after: After,
    team_id: str,
    user_id: str,
    prefill: GuideFields | Callable[[], GuideFields] | None = None,
    guide_id: str | None = None,
    note: str | None = None,
) -> None:
    """Open the guide form for a library owner, from any listener (call `ack` first, or let a
    refusal be the ack's answer).

    Args:
        trigger_id: the trigger of the command, click or shortcut (it lasts three seconds).
        after: the request's `after`: the form opens once the request's transaction commits.
        prefill: fields to fill the form with (a message shortcut's text, a debrief's lesson);
            fields left None stay empty, or keep the guide's own when `guide_id` is given. A
            function making them is called after the commit, just before the form opens (for
            fields that need a Web API read, such as the names of people a message mentions).
        guide_id: edit this guide, as the workspace serves it now; None: a new guide.
        note: a line at the top of the form, in plain words (where its text comes from).

    Raises:
        NotAnOwner: `user_id` is not one of the library's owners (nothing opens).
        InflowError: `guide_id` is not in the workspace's library.
    """
    guide = deps.library.for_team(db, team_id).by_id.get(guide_id) if guide_id else None
    author_service.require_editor(db, deps.settings, team_id, user_id, guide)
    state = blocks.FormState()
    own: GuideFields | None = None
    if guide_id is not None:
        if guide is None:
            raise InflowError(GONE)
        state = blocks.FormState(guide_id, authoring.base_of(db, team_id, guide_id))
        own = fields_of(guide)
    today = deps.clock().date()

    def open_form() -> None:
        given = prefill() if callable(prefill) else prefill
        filled = given if own is None else _overlay(own, given)
        if filled is None or not filled.owner:  # the writer owns what they write, by default
            filled = replace(filled or GuideFields(), owner=_email(client, user_id))
        view = blocks.guide_form(filled, state=state, today=today, note=note)
        open_modal(client, trigger_id, user_id, view)

    after.then("guide form", open_form)


EMAIL_WAIT = 0.5  # seconds of the trigger's three the form waits for the writer's email


def _email(client: WebClient, user_id: str) -> str | None:
    """The person's email from Slack (users:read.email), if it comes soon; the form opens
    without it otherwise, and asks."""
    user = people.lookup(client, user_id, wait=EMAIL_WAIT) or {}
    email = (user.get("profile") or {}).get("email")
    return email if isinstance(email, str) and email else None


def _name(client: WebClient, user_id: str) -> str:
    """How a person is called in plain text, if Slack says so at once (bot.slack.people);
    else their id."""
    user = people.lookup(client, user_id) or {}
    profile = user.get("profile") or {}
    name = profile.get("real_name") or profile.get("display_name") or user.get("real_name")
    return f"{name} ({user_id})" if isinstance(name, str) and name else user_id


def _overlay(fields: GuideFields, prefill: GuideFields | None) -> GuideFields:
    """`fields` with what `prefill` gives (each field that is not None or empty) on top."""
    if prefill is None:
        return fields
    given = {
        name: value
        for name, value in vars(prefill).items()
        if value is not None and value != () and value != []
    }
    return GuideFields(**{**vars(fields), **given})


def register(app: App, deps: Deps) -> None:
    def new_guide(
        ack: Ack, command: dict, client: WebClient, db: Session, rest: str, after: After
    ) -> None:
        """Open the guide form; a person who does not own the library is told why instead."""
        open_guide_form(
            client,
            trigger_id=command["trigger_id"],
            db=db,
            deps=deps,
            after=after,
            team_id=command["team_id"],
            user_id=command["user_id"],
        )
        ack()

    def library_authors(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        """List the library's owners; an admin adds or removes authors with mentions."""
        team_id, user_id = command["team_id"], command["user_id"]
        verb = rest.split(" ", 1)[0].lower()
        people = MENTION.findall(rest)
        note = ""
        if verb in ("add", "remove"):
            if not people:
                raise InflowError(
                    f"Say who: `/learn authors {verb} @ana @ben` (mention each person)."
                )
            if verb == "add":
                added = author_service.add_authors(
                    db,
                    deps.settings,
                    team_id=team_id,
                    user_ids=people,
                    by=user_id,
                    now=deps.clock(),
                )
                note = (
                    "Added " + ", ".join(f"<@{u}>" for u in added) + " as authors."
                    if added
                    else "They were authors already."
                )
            else:
                removed = author_service.remove_authors(
                    db, deps.settings, team_id=team_id, user_ids=people, by=user_id
                )
                note = (
                    "Removed " + ", ".join(f"<@{u}>" for u in removed) + " from the authors."
                    if removed
                    else "None of them was an author."
                )
        admins = deps.workspace(db, team_id).admins
        ack(**blocks.authors_message(sorted(admins), author_service.authors(db, team_id), note))

    deps.learn_subcommands["new"] = Subcommand("", new_guide, needs_after=True)
    deps.learn_subcommands["authors"] = Subcommand(AUTHORS_FORM, library_authors)

    @app.view(View.GUIDE_FORM)
    def save_guide_draft(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Lint the form; save a draft and send its preview, or show each problem by its field."""
        team_id, user_id = team_of(body), body["user"]["id"]
        fields, state = blocks.read_guide_form(view)
        library = deps.library.for_team(db, team_id)
        served: Guide | None = library.by_id.get(state.guide_id) if state.guide_id else None
        author_service.require_editor(db, deps.settings, team_id, user_id, served)
        if (
            state.guide_id
            and served is None
            and authoring.versions_count(db, team_id, state.guide_id) == 0
        ):
            raise InflowError(GONE)  # an id this workspace never had: nothing to edit

        def source_of(guide_id: str) -> str:
            return guide_source(
                fields,
                guide_id=guide_id,
                minutes=served.meta.minutes if served is not None else None,
                triggers=served.meta.triggers if served is not None else (),
                related=served.meta.related if served is not None else (),
            )

        # A second submission of the same form (a double click on Save) saves nothing more.
        candidates = (
            [state.guide_id]
            if state.guide_id
            else authoring.new_guide_ids(db, team_id, fields.title or "")
        )
        draft = authoring.repeated_draft(
            db, team_id=team_id, by=user_id, guide_ids=candidates, source_of=source_of
        )
        if draft is not None:
            guide_id, source = draft.guide_id, draft.source
        else:
            guide_id = state.guide_id or authoring.new_guide_id(
                db, team_id, fields.title or "", library.by_id
            )
            source = source_of(guide_id)
            problems = problems_by_field(
                fields, source, guide_id=guide_id, today=deps.clock().date(), others=library.guides
            )
            if problems:
                ack(response_action="errors", errors=blocks.form_errors(problems))
                return
            try:
                draft = authoring.save_draft(
                    db,
                    team_id=team_id,
                    guide_id=guide_id,
                    source=source,
                    base=state.base,
                    by=user_id,
                    now=deps.clock(),
                )
            except GuideChanged as changed:  # beside a field a mention shows raw: a name
                who = _name(client, changed.newest.created_by)
                said = changed.saying(who, changed.newest)
                ack(response_action="errors", errors={GuideField.TITLE: said})
                return
            except InflowError as refused:  # saved by someone else at that very moment
                ack(response_action="errors", errors={GuideField.TITLE: refused.user_message})
                return
        ack()
        guide, _ = parse_guide_text(f"draft:{guide_id}", source, guide_id)
        assert guide is not None  # linted above
        ref = DraftRef(guide_id, draft.version, state.base)
        preview = blocks.draft_preview(guide, ref, author=user_id, editing=bool(state.guide_id))
        after.send(user_id, preview, about=f"guide draft:{guide_id}"[:64], part=str(draft.id))

    @app.action(Action.GUIDE_EDIT)
    def edit_guide(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the form filled from the guide as the workspace serves it now."""
        ack()
        open_guide_form(
            client,
            trigger_id=body["trigger_id"],
            db=db,
            deps=deps,
            after=after,
            team_id=team_of(body),
            user_id=body["user"]["id"],
            guide_id=str(action.get("value") or ""),
        )

    def draft_ref(db: Session, body: dict, action: dict) -> DraftRef:
        team_id = team_of(body)
        ref = blocks.read_draft_value(str(action.get("value") or ""))
        guide = deps.library.for_team(db, team_id).by_id.get(ref.guide_id) if ref else None
        author_service.require_editor(db, deps.settings, team_id, body["user"]["id"], guide)
        if ref is None:
            raise InflowError(authoring.GONE)
        return ref

    @app.action(DraftAction.PUBLISH)
    def publish(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Serve the draft in the workspace, once however often it is clicked."""
        ack()
        ref = draft_ref(db, body, action)
        team_id, user_id = team_of(body), body["user"]["id"]
        row = authoring.publish(db, team_id=team_id, ref=ref, by=user_id, now=deps.clock())
        respond(**blocks.draft_settled(_title(row.source, ref), published=True, by=user_id))

    @app.action(DraftAction.DISCARD)
    def discard(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Throw the draft away (kept in the guide's history as discarded)."""
        ack()
        ref = draft_ref(db, body, action)
        team_id, user_id = team_of(body), body["user"]["id"]
        row = authoring.discard(db, team_id=team_id, ref=ref, by=user_id, now=deps.clock())
        respond(**blocks.draft_settled(_title(row.source, ref), published=False, by=user_id))

    @app.action(DraftAction.EDIT)
    def edit_draft(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the form filled from the draft, to save a better one."""
        ack()
        ref = draft_ref(db, body, action)
        team_id, user_id = team_of(body), body["user"]["id"]
        draft = authoring.draft_of(db, team_id, ref)
        guide, _ = parse_guide_text(f"draft:{ref.guide_id}", draft.source, ref.guide_id)
        if guide is None:
            raise InflowError(BROKEN_DRAFT)
        view = blocks.guide_form(
            fields_of(guide),
            state=blocks.FormState(ref.guide_id, ref.base),
            today=deps.clock().date(),
        )
        trigger = body["trigger_id"]
        after.then("guide form", lambda: open_modal(client, trigger, user_id, view))


def _title(source: str, ref: DraftRef) -> str:
    guide, _ = parse_guide_text(f"draft:{ref.guide_id}", source, ref.guide_id)
    return guide.title if guide is not None else ref.guide_id
