"""The App Home tab: a person's own page, their nudge settings, and for the workspace's inflow
admins, the workspace's settings."""

from __future__ import annotations

import datetime as dt

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import team_of
from bot.handlers.practice import catalogue
from bot.handlers.teams import ask
from bot.jobs.after import After
from bot.services import ideas, mistakes, practice, preferences, strengths, teams
from bot.services import library as library_service
from bot.services import report as report_service
from bot.services import workspaces as workspace_service
from bot.slack.home import HomeData, home_view
from bot.slack.ids import AdminAction, HomeAction, SettingsField, View
from bot.slack.messaging import open_modal, why_cannot_post
from bot.slack.workspace_settings import read_settings, settings_modal


def register(app: App, deps: Deps) -> None:
    def publish(client: WebClient, after: After, team_id: str, user_id: str) -> None:
        """Build and publish the person's Home tab once this request has committed: from a
        session of its own, so the request holds no lock (their settings row, say) meanwhile."""

        def build_and_publish() -> None:
            with deps.sessions() as db:
                view = home_view(_home_data(db, team_id, user_id))
            client.views_publish(user_id=user_id, view=view)

        after.then("home tab", build_and_publish)

    def _home_data(db: Session, team_id: str, user_id: str) -> HomeData:
        library = deps.library.for_team(db, team_id)
        workspace = deps.workspace(db, team_id)
        admin = workspace.is_admin(user_id)
        mine, sponsored = ideas.of_person(db, team_id=team_id, user_id=user_id)
        return HomeData(
            strength_themes=strengths.themes_of(db, team_id=team_id, receiver_id=user_id),
            strengths=strengths.received_by(db, team_id=team_id, receiver_id=user_id),
            ideas_mine=mine,
            ideas_sponsored=sponsored,
            lessons=mistakes.lessons_of(db, team_id=team_id, author_id=user_id, limit=20),
            guides=[
                library.by_id[g]
                for g in library_service.recent_guides(db, team_id=team_id, user_id=user_id)
                if g in library.by_id
            ],
            preferences=preferences.get(db, team_id=team_id, user_id=user_id),
            reports=teams.named_by(db, team_id=team_id, manager_id=user_id),
            managers=teams.managers_of(db, team_id=team_id, report_id=user_id),
            today=deps.clock().date(),
            library_report=_library_report(db, team_id) if admin else None,
            workspace=workspace if admin else None,
            practice=_practice(db, team_id, user_id),
            reports_practice=_reports_practice(db, team_id, user_id),
        )

    def _practice(db: Session, team_id: str, user_id: str) -> list[tuple[str, int, int, bool]]:
        paths = catalogue(deps)
        return [
            (
                paths[e.path_id].title if e.path_id in paths else e.path_id,
                e.current_week,
                weeks,
                e.status == practice.EnrolmentStatus.PAUSED,
            )
            for e, weeks in practice.under_way(db, team_id=team_id, user_id=user_id)
        ]

    def _reports_practice(
        db: Session, team_id: str, manager_id: str
    ) -> list[tuple[str, str, int, int, bool]]:
        paths = catalogue(deps)
        return [
            (
                report,
                paths[e.path_id].title if e.path_id in paths else e.path_id,
                e.current_week,
                weeks,
                e.status == practice.EnrolmentStatus.PAUSED,
            )
            for report, e, weeks in practice.of_reports(db, team_id=team_id, manager_id=manager_id)
        ]

    def _library_report(db: Session, team_id: str) -> report_service.LibraryReport:
        """The last 30 days' report, for the workspace's inflow admins."""
        period = report_service.Period.last(report_service.DEFAULT_DAYS, now=deps.clock())
        return report_service.build(
            db, team_id=team_id, period=period, guides=deps.library.for_team(db, team_id).guides
        )

    @app.event("app_home_opened")
    def publish_home(body: dict, event: dict, client: WebClient, db: Session, after: After) -> None:
        """Publish the person's Home tab when they open it."""
        if event.get("tab") != "home":
            return
        publish(client, after, team_of(body), event["user"])

    def save(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        ack()
        team, user = team_of(body), body["user"]["id"]
        kind = action["action_id"]
        selected = [o["value"] for o in action.get("selected_options") or []]
        changes: dict = {}
        if kind == HomeAction.DAYS:
            changes["days"] = selected
        elif kind == HomeAction.KINDS:
            changes["kinds_on"] = selected
        elif kind == HomeAction.TIME:
            changes["time"] = action["selected_option"]["value"]
        elif kind == HomeAction.PAUSE:
            picked = action.get("selected_date")
            changes["paused_until"] = dt.date.fromisoformat(picked) if picked else None
        elif kind == HomeAction.RESUME:
            changes["paused_until"] = None
        elif kind == HomeAction.TEAM:
            named = teams.set_reports(
                db,
                team_id=team,
                manager_id=user,
                report_ids=action.get("selected_users") or [],
                now=deps.clock(),
            )
            ask(after, user, named)
            publish(client, after, team, user)
            return
        try:
            preferences.update(db, team_id=team, user_id=user, now=deps.clock(), **changes)
        except InflowError as error:
            # The Home tab has no response_url: say it in the app's DM instead.
            after.notice(user, {"text": error.user_message})
            return
        publish(client, after, team, user)

    save.__doc__ = "Save a nudge setting from the Home tab and show it."
    for action_id in HomeAction:
        app.action(action_id)(save)

    @app.action(AdminAction.OPEN_SETTINGS)
    def open_settings(ack: Ack, body: dict, client: WebClient, db: Session, after: After) -> None:
        """Open the workspace's settings, for its inflow admins only."""
        ack()
        team, user = team_of(body), body["user"]["id"]
        workspace = deps.workspace(db, team)
        try:
            workspace_service.require_admin(workspace, user)
        except workspace_service.NotAnAdmin as error:
            after.notice(user, {"text": error.user_message})  # a Home tab has no response_url
            return
        trigger, form = body["trigger_id"], settings_modal(workspace)
        after.then("settings form", lambda: open_modal(client, trigger, user, form))

    @app.view(View.WORKSPACE_SETTINGS)
    def save_settings(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Save the workspace's settings if the submitter is still an admin, or say what's wrong
        beside each input."""
        team, user = team_of(body), body["user"]["id"]
        current = deps.workspace(db, team)
        # answered with a modal saying so; nothing changes
        workspace_service.require_admin(current, user)
        changes = workspace_service.only_changed(current, **read_settings(view["state"]["values"]))
        problems = workspace_service.problems_with(**changes)
        channel = changes.get(SettingsField.LEARNING_CHANNEL)
        # Slack is asked about a new channel once everything else is right.
        if channel and not problems and (problem := why_cannot_post(client, channel)):
            problems[SettingsField.LEARNING_CHANNEL] = problem
        if problems:
            ack(response_action="errors", errors=problems)
            return
        workspace_service.change_settings(db, team_id=team, by=user, now=deps.clock(), **changes)
        ack()
        publish(client, after, team, user)
