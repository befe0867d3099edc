"""One install, many workspaces: the OAuth flow, tokens at rest, and what an uninstall does."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.emulator import SlackSender
from bot.handlers.report import NOT_AN_ADMIN
from bot.jobs.clock import plan, run_once
from bot.models import SLACK_BOTS, SLACK_INSTALLATIONS, OutboxMessage, Rating, WorkspaceRecord
from bot.oauth import BOT_SCOPES
from bot.services import outbox
from bot.services import workspaces as workspace_service
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    TEAM_A,
    TEAM_B,
    _authorize_url,
    _get,
    install,
    serving,
)

GUIDE = "after-action-review"


def _enqueue(session, team_id: str, user_id: str, due: dt.datetime, subject: str = "s") -> None:
    outbox.enqueue(
        session,
        team_id=team_id,
        recipient=user_id,
        kind="follow_ups",
        subject=subject,
        occurrence="1",
        due_at=due,
        message={"text": f"hello {team_id}"},
    )


def _workspace(served, team_id: str) -> WorkspaceRecord | None:
    with served.session() as session:
        return session.get(WorkspaceRecord, team_id)


# -- installing --------------------------------------------------------------------------------


def test_the_install_page_sends_the_installer_to_slack_with_inflows_scopes(
    oauth_settings, emulator, engine, clock
):
    with serving(oauth_settings, emulator, clock) as served:
        page = _get(f"{served.url}/slack/install")
    assert page.status == 200
    assert "slack-app-oauth-state=" in page.headers["Set-Cookie"]
    url = _authorize_url(page.body)
    assert f"client_id={CLIENT_ID}" in url
    assert f"scope={','.join(BOT_SCOPES)}".replace(":", "%3A") in url or (
        f"scope={','.join(BOT_SCOPES)}" in url
    )


def test_an_install_stores_the_token_encrypted_and_makes_the_installer_an_admin(
    oauth_settings, emulator, engine, clock
):
    with serving(oauth_settings, emulator, clock) as served:
        done = install(served, TEAM_A, installer="U0ANNA")

        assert done.status == 200
        [access] = emulator.calls_to("oauth.v2.access")
        basic = base64.b64decode(access.token.removeprefix("Basic ")).decode()
        assert basic == f"{CLIENT_ID}:{CLIENT_SECRET}"
        with served.session() as session:
            stored = session.execute(select(SLACK_BOTS.c.team_id, SLACK_BOTS.c.bot_token)).all()
            installer = session.scalar(select(SLACK_INSTALLATIONS.c.user_id))
            row = session.get(WorkspaceRecord, TEAM_A)
            settings = workspace_service.settings_of(session, TEAM_A, oauth_settings)
        [(team, token)] = stored
        assert team == TEAM_A
        assert "xoxb" not in token and token.startswith("gAAAAA")  # Fernet, not the token
        assert installer == "U0ANNA"
        assert (row.status, row.installed_by, row.name) == (
            "active",
            "U0ANNA",
            f"Workspace {TEAM_A}",
        )
        assert settings.admins == {"U0ANNA"}


def test_installing_again_by_someone_else_changes_no_admin(oauth_settings, emulator, engine, clock):
    with serving(oauth_settings, emulator, clock) as served:
        assert install(served, TEAM_A, installer="U0ANNA").status == 200
        assert install(served, TEAM_A, installer="U0BORIS").status == 200
        in_a = SlackSender(f"{served.url}/slack/events", SIGNING_SECRET, team_id=TEAM_A)
        refused = in_a.command("/learn", "report", user_id="U0BORIS")
        with served.session() as session:
            settings = workspace_service.settings_of(session, TEAM_A, oauth_settings)

    assert settings.admins == {"U0ANNA"}
    assert refused.json()["text"] == NOT_AN_ADMIN


def test_an_installed_workspace_is_answered_with_its_own_token(two_workspaces):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    emulator.reset_calls()

    reply = two_workspaces.a.command("/learn", "retro", response_url=emulator.response_url())
    assert reply.status == 200
    two_workspaces.b.event({"type": "app_home_opened", "user": "U0BOB", "tab": "home"})
    served.settle()

    assert emulator.calls_to("views.publish", team_id=TEAM_B)
    assert not emulator.calls_to("views.publish", team_id=TEAM_A)
    assert {emulator.team_of(call) for call in emulator.calls} <= {TEAM_A, TEAM_B}


def test_a_request_from_a_workspace_that_never_installed_is_refused_kindly(two_workspaces):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    stranger = SlackSender(f"{served.url}/slack/events", SIGNING_SECRET, team_id="T0STRANGER")
    emulator.reset_calls()

    reply = stranger.command("/learn", "retro", response_url=emulator.response_url("stranger"))

    assert reply.status == 200
    [(_, answer)] = emulator.wait_for_responses(1)
    assert "isn't installed" in answer["text"]
    assert [c for c in emulator.calls if c.method != "upload"] == []  # no Web API call at all


def test_a_callback_without_the_installers_state_stores_nothing(
    oauth_settings, emulator, engine, clock
):
    with serving(oauth_settings, emulator, clock) as served:
        code = emulator.install(TEAM_A)
        forged = _get(f"{served.url}/slack/oauth_redirect?code={code}&state=made-up")
        assert forged.status == 400
        assert emulator.calls_to("oauth.v2.access") == []
        assert _workspace(served, TEAM_A) is None


def test_installing_again_uses_the_new_token(two_workspaces):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    old_token = emulator.calls_to("auth.test", team_id=TEAM_A)[-1].token

    assert install(served, TEAM_A).status == 200
    emulator.reset_calls()
    two_workspaces.a.event({"type": "app_home_opened", "user": "U0ANA", "tab": "home"})
    served.settle()

    [publish] = emulator.calls_to("views.publish")
    assert publish.token != old_token and emulator.team_of(publish) == TEAM_A


# -- uninstalling ------------------------------------------------------------------------------


def test_an_uninstall_stops_all_sending_to_that_workspace_at_once(two_workspaces, clock):
    served, emulator = two_workspaces.served, two_workspaces.served.emulator
    with transaction(served.sessions) as session:
        _enqueue(session, TEAM_A, "U0ANA", clock.now)
        _enqueue(session, TEAM_B, "U0BOB", clock.now)

    assert two_workspaces.a.event({"type": "app_uninstalled"}).status == 200
    emulator.uninstall(TEAM_A)
    emulator.reset_calls()
    _, report = run_once(served.sessions, served.workspaces.for_a_pass(), now=clock.now, worker="w")

    assert report.sent == 1
    assert [emulator.team_of(c) for c in emulator.calls_to("chat.postMessage")] == [TEAM_B]
    with served.session() as session:
        waiting = session.scalar(select(OutboxMessage).where(OutboxMessage.team_id == TEAM_A))
        bots = session.execute(select(SLACK_BOTS.c.team_id)).scalars().all()
    assert (waiting.status, waiting.error) == ("skipped", workspace_service.UNINSTALLED_REASON)
    assert bots == [TEAM_B]  # A's token is not kept
    assert _workspace(served, TEAM_A).status == "uninstalled"

    refused = two_workspaces.a.command("/learn", "retro", response_url=emulator.response_url())
    assert refused.status == 200
    assert emulator.calls_to("chat.postEphemeral") == []


def test_after_the_grace_period_the_workspaces_data_is_deleted_and_the_others_kept(
    two_workspaces, clock
):
    served = two_workspaces.served
    sessions = served.sessions
    with transaction(sessions) as session:
        for team in (TEAM_A, TEAM_B):
            session.add(
                Rating(team_id=team, guide_id=GUIDE, user_id="U0X", value=1, source="buttons")
            )
            _enqueue(session, team, "U0X", clock.now + dt.timedelta(days=40))
    two_workspaces.a.event({"type": "app_uninstalled"})
    served.emulator.uninstall(TEAM_A)
    grace = dt.timedelta(days=served.settings.uninstall_grace_days)

    plan(sessions, served.workspaces.for_a_pass(), clock.now + grace / 2)
    with served.session() as session:
        kept = session.scalars(select(Rating.team_id).order_by(Rating.team_id)).all()
    assert kept == [TEAM_A, TEAM_B]  # within the grace period nothing is deleted

    plan(sessions, served.workspaces.for_a_pass(), clock.now + grace)
    with served.session() as session:
        ratings = session.scalars(select(Rating.team_id)).all()
        rows = session.scalars(select(OutboxMessage.team_id)).all()
        row = session.get(WorkspaceRecord, TEAM_A)
    assert ratings == [TEAM_B] and rows == [TEAM_B]
    assert row.status == "deleted" and row.installed_by is None


def test_installing_again_within_the_grace_period_keeps_everything(two_workspaces, clock):
    served = two_workspaces.served
    sessions = served.sessions
    with transaction(sessions) as session:
        session.add(
            Rating(team_id=TEAM_A, guide_id=GUIDE, user_id="U0X", value=1, source="buttons")
        )
    two_workspaces.a.event({"type": "app_uninstalled"})
    served.emulator.uninstall(TEAM_A)

    assert install(served, TEAM_A).status == 200
    plan(sessions, served.workspaces.for_a_pass(), clock.now + dt.timedelta(days=365))

    row = _workspace(served, TEAM_A)
    assert (row.status, row.delete_after) == ("active", None)
    with served.session() as session:
        assert session.scalars(select(Rating.team_id)).all() == [TEAM_A]


@pytest.mark.parametrize(
    ("tokens", "stops"),
    [({"oauth": [], "bot": ["U0AAAAAAABOT"]}, True), ({"oauth": ["U0SOMEONE"]}, False)],
)
def test_a_revoked_bot_token_stops_the_workspace_and_a_user_token_does_not(
    two_workspaces, tokens, stops
):
    two_workspaces.a.event({"type": "tokens_revoked", "tokens": tokens})

    status = _workspace(two_workspaces.served, TEAM_A).status
    assert status == ("uninstalled" if stops else "active")
    assert _workspace(two_workspaces.served, TEAM_B).status == "active"


def test_with_a_single_token_an_uninstall_stops_sending_too(served, clock):
    sessions = served.sessions
    with transaction(sessions) as session:
        _enqueue(session, "T0INFLOW1", "U0ANA", clock.now)

    served.slack.event({"type": "app_uninstalled"})
    served.emulator.uninstall("T0INFLOW1")
    served.emulator.reset_calls()
    _, report = run_once(sessions, served.workspaces.for_a_pass(), now=clock.now, worker="w")

    assert report.sent == 0
    assert served.emulator.calls_to("chat.postMessage") == []
    with served.session() as session:
        row = session.scalar(select(OutboxMessage))
    assert (row.status, json.loads(row.message)) == ("skipped", {"text": "hello T0INFLOW1"})
