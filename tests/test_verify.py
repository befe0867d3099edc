"""Verify: each workspace's review list comes from its own library, with *Still accurate*, *Edit*
and *Retire* beside each guide; verifications move the workspace's review dates (never a copy of
a shipped guide); the report shows verified / due / overdue."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import report_csv
from bot.config import load_settings
from bot.db import transaction
from bot.emulator import SlackSender, _default_user
from bot.jobs import reviews
from bot.jobs.clock import Workspace, plan, run_once
from bot.library.loader import load_guides
from bot.models import GuideVerification, OutboxMessage, WorkspaceGuide
from bot.services import verifications
from bot.services import workspace_guides as store
from bot.services.report import LibraryReport, Period, build
from bot.services.verifications import LibraryHealth, Reviewable, ReviewState
from bot.slack import reviews as review_blocks
from bot.slack.ids import Action, Block, Command, ReviewAction
from bot.slack.report import home_section, report_message
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENCRYPTION_KEY,
    SIGNING_SECRET,
    TEAM_A,
    TEAM_B,
    Served,
    install,
    serving,
)
from tests.guide_files import write_guide

ANA = "U0ANAOWNR"  # owns the guides below
MALLORY = "U0MALLORY"  # owns nothing, admin nowhere
ADMIN_A = f"U{TEAM_A[1:]}ADM"  # who installed inflow in workspace A: its admin
EARLY = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)  # the planner's pass, before Ana's 09:30
HANDOVER_ID, HANDOVER = "night-shift-handover", "Night shift handover"  # workspace A's own
CLICKS = 10
_TRIGGERS = itertools.count(1)


@pytest.fixture
def library_dir(tmp_path) -> Path:
    directory = tmp_path / "shipped"
    write_guide(
        directory,
        "premortem",
        title="Premortem",
        owner="Ana@Example.com",
        review_by=dt.date(2026, 10, 1),
    )
    write_guide(directory, "five-whys", title="Five whys", owner="ana@example.com")  # not due
    return directory


@pytest.fixture
def served(database_url, emulator, engine, clock, library_dir) -> Iterator[Served]:
    """One inflow serving workspaces A and B (OAuth installs), with the small library above."""
    settings = load_settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        encryption_keys=ENCRYPTION_KEY,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        content_dir=library_dir,
    )
    with serving(settings, emulator, clock) as served:
        for team in (TEAM_A, TEAM_B):
            assert install(served, team, installer=f"U{team[1:]}ADM").status == 200
        emulator.users[ANA] = {
            **_default_user(ANA),
            "tz": "Europe/London",
            "profile": {"email": "ana@example.com", "status_text": "", "status_emoji": ""},
        }
        _SENDERS.clear()
        yield served
    _SENDERS.clear()


_SENDERS: dict[str, SlackSender] = {}  # the test's: its trigger ids keep each request unique


def _sender(served: Served, team_id: str) -> SlackSender:
    if team_id not in _SENDERS:
        url = f"{served.url}/slack/events"
        _SENDERS[team_id] = SlackSender(url, SIGNING_SECRET, team_id=team_id, settle=served.settle)
    return _SENDERS[team_id]


def _publish_handover(served: Served, tmp_path: Path, team_id: str = TEAM_A) -> None:
    source = write_guide(
        tmp_path / "own",
        HANDOVER_ID,
        title=HANDOVER,
        owner="ana@example.com",
        review_by=dt.date(2026, 9, 1),
    ).read_text(encoding="utf-8")
    with transaction(served.sessions) as db:
        store.save_version(
            db,
            team_id=team_id,
            guide_id=HANDOVER_ID,
            source=source,
            state=store.GuideState.PUBLISHED,
            by=ADMIN_A,
            now=EARLY,
        )


def _review_lists(served: Served, when: dt.datetime, library_dir: Path) -> dict[str, dict]:
    """Plan the review lists at `when` and deliver them at Ana's time: each workspace's DM."""
    workspace = Workspace(content_dir=library_dir)
    served.emulator.reset_calls()
    plan(served.sessions, served.workspaces.for_a_pass(), when, workspace)
    run_once(
        served.sessions,
        served.workspaces.for_a_pass(),
        now=when.replace(hour=9, minute=30),
        worker="w",
        workspace=workspace,
    )
    return {
        team: dm
        for team in (TEAM_A, TEAM_B)
        for dm in served.emulator.calls_to("chat.postMessage", team_id=team)
    }


def _listed(dm: dict) -> list[str]:
    """The guide ids a review list names (its guides' blocks)."""
    prefix = f"{Block.REVIEW_GUIDE}:"
    return [
        b["block_id"].removeprefix(prefix)
        for b in dm["blocks"]
        if b.get("block_id", "").startswith(prefix)
    ]


def _dm(call) -> dict:
    return {"text": call.args["text"], "blocks": call.json_arg("blocks")}


def _click(served: Served, team_id: str, action_id: str, guide_id: str, user: str, dm: dict):
    """`user` presses a button beside `guide_id` on the review list `dm` (its answer goes to a
    response_url of its own); returns Slack's reply."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team_id},
        "container": {
            "type": "message",
            "message_ts": "1764000000.000100",
            "channel_id": "D0ANA",
            "is_ephemeral": False,
        },
        "channel": {"id": "D0ANA", "name": "directmessage"},
        "trigger_id": f"{next(_TRIGGERS)}.5678.trigger",
        "response_url": served.emulator.response_url(),
        "message": {"type": "message", "ts": "1764000000.000100", "bot_id": "B0INFLOW1", **dm},
        "actions": [
            {
                "action_id": action_id,
                "block_id": review_blocks.actions_block_id(guide_id),
                "type": "button",
                "value": guide_id,
                "action_ts": "1764000001.000200",
            }
        ],
    }
    return _sender(served, team_id).interaction(payload)


def _press(served: Served, team_id: str, action_id: str, guide_id: str, user: str, dm: dict):
    """One press; returns Slack's reply and what the app answered through the response_url."""
    served.emulator.reset_calls()
    reply = _click(served, team_id, action_id, guide_id, user, dm)
    [(_, answer)] = served.emulator.wait_for_responses(1)
    return reply, answer


def _at_once(act, times: int = CLICKS) -> list:
    """`act()` from `times` threads released together (a double click, many times over)."""
    barrier = threading.Barrier(times)
    results: list = []

    def one() -> None:
        barrier.wait()
        results.append(act())

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _verifications(served: Served) -> list[GuideVerification]:
    with served.session() as session:
        return list(session.scalars(select(GuideVerification).order_by(GuideVerification.id)))


def _learn(served: Served, team_id: str, text: str) -> str:
    return json.dumps(_sender(served, team_id).command(Command.LEARN, text).json())


# -- each workspace's list comes from its own library --------------------------------------------


def test_a_workspaces_own_guide_past_review_reaches_its_owner_in_that_workspace_only(
    served, library_dir, tmp_path
):
    _publish_handover(served, tmp_path)

    lists = _review_lists(served, EARLY, library_dir)

    assert _listed(_dm(lists[TEAM_A])) == [HANDOVER_ID, "premortem"]  # longest overdue first
    assert _listed(_dm(lists[TEAM_B])) == ["premortem"]
    with served.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "review"))
        assert sorted((r.team_id, r.recipient, r.subject) for r in rows) == [
            (TEAM_A, ANA, "ana@example.com"),
            (TEAM_B, ANA, "ana@example.com"),
        ]


def test_a_discarded_draft_after_a_published_version_leaves_the_published_one_listed(
    served, library_dir, tmp_path
):
    """A draft its owners threw away is not what the workspace serves: the list still names
    the published version (a discarded row once stopped the whole pass)."""
    _publish_handover(served, tmp_path)
    with transaction(served.sessions) as db:
        for state in (store.GuideState.DRAFT, store.GuideState.DISCARDED):
            store.save_version(
                db,
                team_id=TEAM_A,
                guide_id=HANDOVER_ID,
                source="",
                state=state,
                by=ADMIN_A,
                now=EARLY,
            )

    lists = _review_lists(served, EARLY, library_dir)

    assert _listed(_dm(lists[TEAM_A])) == [HANDOVER_ID, "premortem"]


def test_a_guide_a_workspace_hid_is_not_in_its_list(served, library_dir):
    with transaction(served.sessions) as db:
        store.hide(db, team_id=TEAM_A, guide_id="premortem", by=ADMIN_A, now=EARLY)

    lists = _review_lists(served, EARLY, library_dir)

    assert TEAM_A not in lists  # nothing else of Ana's is due there
    assert _listed(_dm(lists[TEAM_B])) == ["premortem"]


def test_each_guide_in_the_list_has_still_accurate_edit_and_retire(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    [buttons] = [b for b in dm["blocks"] if b["type"] == "actions"]
    assert buttons["block_id"] == review_blocks.actions_block_id("premortem")
    assert [(e["action_id"], e["value"]) for e in buttons["elements"]] == [
        (ReviewAction.STILL_ACCURATE, "premortem"),
        (Action.GUIDE_EDIT, "premortem"),
        (ReviewAction.RETIRE, "premortem"),
    ]
    assert buttons["elements"][1]["action_id"] == "guide_edit"
    assert "confirm" in buttons["elements"][2]  # retiring asks first


def test_the_guides_owner_may_edit_it_from_the_list_and_nobody_else_may(served, library_dir):
    """Ana is neither an admin nor an author: the list's *Edit* opens the form on her guide
    for her (she owns it), and refuses Mallory, who owns nothing."""
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    reply, answer = _press(served, TEAM_A, Action.GUIDE_EDIT, "premortem", MALLORY, dm)
    assert reply.status == 200
    assert "library's owners" in answer["text"]
    assert served.emulator.calls_to("views.open") == []

    served.emulator.reset_calls()
    assert _click(served, TEAM_A, Action.GUIDE_EDIT, "premortem", ANA, dm).status == 200
    served.settle()
    [opened] = served.emulator.calls_to("views.open")
    assert "Premortem" in json.dumps(opened.json_arg("view"))


# -- Still accurate -------------------------------------------------------------------------------


def test_still_accurate_records_who_and_moves_the_review_six_months_on(
    served, library_dir, tmp_path, clock
):
    _publish_handover(served, tmp_path)
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _, answer = _press(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm)

    [verified] = _verifications(served)
    assert (verified.team_id, verified.guide_id, verified.verified_by) == (TEAM_A, "premortem", ANA)
    assert verified.next_review == dt.date(2027, 5, 23)  # six months from the app's today
    assert verified.verified_at == clock.now
    assert answer["replace_original"] is True
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert f"verified by <@{ANA}> on 23 Nov 2026 — next review 23 May 2027" in shown
    assert _listed(answer) == [HANDOVER_ID, "premortem"]  # the other guide keeps its buttons
    actions = [b["block_id"] for b in answer["blocks"] if b["type"] == "actions"]
    assert actions == [review_blocks.actions_block_id(HANDOVER_ID)]

    next_month = _review_lists(served, dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC), library_dir)
    assert _listed(_dm(next_month[TEAM_A])) == [HANDOVER_ID]  # not premortem: verified
    assert _listed(_dm(next_month[TEAM_B])) == ["premortem"]  # verified in A only


def test_verifying_a_shipped_guide_saves_no_copy_of_it(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _press(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm)

    with served.session() as session:
        assert session.scalars(select(WorkspaceGuide)).all() == []  # shipped updates still come


def test_a_double_click_on_still_accurate_verifies_once(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _, first = _press(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm)
    _, second = _press(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm)

    assert len(_verifications(served)) == 1
    assert first["blocks"] == second["blocks"]  # both say the one verification


def test_ten_clicks_at_once_on_still_accurate_verify_once_and_fail_none(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])
    served.emulator.reset_calls()

    replies = _at_once(
        lambda: _click(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm).status
    )

    assert replies == [200] * CLICKS
    answers = [body for _, body in served.emulator.wait_for_responses(CLICKS)]
    assert len(answers) == CLICKS and all(a["replace_original"] for a in answers), answers
    assert len(_verifications(served)) == 1


def test_a_click_from_someone_who_is_not_the_owner_changes_nothing(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    for action in (ReviewAction.STILL_ACCURATE, ReviewAction.RETIRE):
        reply, answer = _press(served, TEAM_A, action, "premortem", MALLORY, dm)
        assert reply.status == 200
        assert answer["replace_original"] is False  # the list stays as it was
        assert "Only the guide's owner or this workspace's inflow admins" in answer["text"]

    assert _verifications(served) == []
    with served.session() as session:
        assert session.scalars(select(WorkspaceGuide)).all() == []


def test_the_owner_of_a_list_in_one_workspace_cannot_act_in_another(served, library_dir):
    """Ana's list in A does not make her an owner in a workspace that never sent her one."""
    with transaction(served.sessions) as db:
        store.hide(db, team_id=TEAM_B, guide_id="premortem", by="U0BBBBBBBADM", now=EARLY)
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])
    with transaction(served.sessions) as db:
        store.save_version(  # B shows premortem again, but sent Ana no list for it
            db,
            team_id=TEAM_B,
            guide_id="premortem",
            source=(library_dir / "premortem.md").read_text(encoding="utf-8"),
            state=store.GuideState.PUBLISHED,
            by="U0BBBBBBBADM",
            now=EARLY,
        )

    _, answer = _press(served, TEAM_B, ReviewAction.STILL_ACCURATE, "premortem", ANA, dm)

    assert "Only the guide's owner" in answer["text"]
    assert _verifications(served) == []


def test_an_admin_may_verify_a_guide_they_do_not_own(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _, answer = _press(served, TEAM_A, ReviewAction.STILL_ACCURATE, "premortem", ADMIN_A, dm)

    assert [v.verified_by for v in _verifications(served)] == [ADMIN_A]
    assert f"verified by <@{ADMIN_A}>" in json.dumps(answer["blocks"])


# -- Retire ---------------------------------------------------------------------------------------


def test_retire_stops_serving_the_guide_in_that_workspace_only(served, library_dir, clock):
    assert "Premortem" in _learn(served, TEAM_A, "premortem")
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _, answer = _press(served, TEAM_A, ReviewAction.RETIRE, "premortem", ANA, dm)

    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert f"retired by <@{ANA}> on 23 Nov 2026 — no longer served in this workspace" in shown
    assert not [b for b in answer["blocks"] if b["type"] == "actions"]
    clock.advance(seconds=2)  # the replica's check interval; the rebuild runs after the answer
    _learn(served, TEAM_A, "premortem")
    assert "Premortem" not in _learn(served, TEAM_A, "premortem")
    assert "Premortem" in _learn(served, TEAM_B, "premortem")
    next_month = _review_lists(served, dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC), library_dir)
    assert TEAM_A not in next_month and TEAM_B in next_month


def test_a_double_click_on_retire_retires_once(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])

    _, first = _press(served, TEAM_A, ReviewAction.RETIRE, "premortem", ANA, dm)
    _, second = _press(served, TEAM_A, ReviewAction.RETIRE, "premortem", ANA, dm)

    with served.session() as session:
        hidden = session.scalars(select(WorkspaceGuide)).all()
    assert [(h.team_id, h.guide_id, h.state) for h in hidden] == [(TEAM_A, "premortem", "hidden")]
    assert first["blocks"] == second["blocks"]


def test_ten_clicks_at_once_on_retire_hide_the_guide_once_and_fail_none(served, library_dir):
    dm = _dm(_review_lists(served, EARLY, library_dir)[TEAM_A])
    served.emulator.reset_calls()

    replies = _at_once(
        lambda: _click(served, TEAM_A, ReviewAction.RETIRE, "premortem", ANA, dm).status
    )

    assert replies == [200] * CLICKS
    answers = [body for _, body in served.emulator.wait_for_responses(CLICKS)]
    assert len(answers) == CLICKS and all(a["replace_original"] for a in answers), answers
    with served.session() as session:
        assert len(session.scalars(select(WorkspaceGuide)).all()) == 1


# -- the report ----------------------------------------------------------------------------------


def test_the_report_counts_verified_due_and_overdue(served, library_dir, tmp_path, clock):
    write_guide(  # due within 30 days of the report's day, 23 Nov
        library_dir, "decision-records", title="Decision records", review_by=dt.date(2026, 12, 10)
    )
    _publish_handover(served, tmp_path)  # A's own, overdue since 1 Sep
    with transaction(served.sessions) as db:
        shipped = load_guides(library_dir)
        [premortem] = [g for g in shipped if g.id == "premortem"]
        verifications.verify(
            db, team_id=TEAM_A, guide=premortem, by=ANA, admins=[ANA], now=clock.now
        )
        report = build(
            db,
            team_id=TEAM_A,
            period=Period.last(30, now=clock.now),
            guides=store.workspace_library(db, TEAM_A, shipped),
        )

    assert (report.health.verified, report.health.due, report.health.overdue) == (2, 1, 1)
    assert [(g.guide_id, g.title, g.owner) for g in report.health.overdue_guides] == [
        (HANDOVER_ID, HANDOVER, "ana@example.com")
    ]
    assert [s.guide_id for s in report.stale] == [HANDOVER_ID]  # premortem is verified
    health = "2 verified (reviewed within their window) · 1 due in the next 30 days · 1 overdue"
    assert f"*Library health*\n{health}" in _texts(report_message(report)["blocks"])
    assert f"*Library health:* {health}\n" in "".join(_texts(home_section(report)))


def test_learn_report_in_slack_shows_library_health(served, library_dir, tmp_path):
    _publish_handover(served, tmp_path)

    answer = _sender(served, TEAM_A).command(Command.LEARN, "report", user_id=ADMIN_A).json()

    [health] = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("*Library health*")
    ]
    assert health.endswith(
        "1 verified (reviewed within their window) · 0 due in the next 30 days · 2 overdue"
    )
    [due] = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("*Due for review*")
    ]
    assert f"*{HANDOVER}* (`{HANDOVER_ID}`)" in due and "owner ana@example.com" in due


def _texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_an_admins_home_tab_shows_the_library_health(served, library_dir):
    served.emulator.reset_calls()
    _sender(served, TEAM_A).event(
        {"type": "app_home_opened", "user": ADMIN_A, "channel": "D0HOME", "tab": "home"}
    )

    [call] = served.emulator.calls_to("views.publish", team_id=TEAM_A)
    shown = "".join(_texts(call.json_arg("view")["blocks"]))
    health = "1 verified (reviewed within their window) · 0 due in the next 30 days · 1 overdue"
    assert f"*Library health:* {health}" in shown


# -- the builders and rules, without Slack ---------------------------------------------------------


def _guides(tmp_path: Path, **review_by: dt.date):
    for guide_id, day in review_by.items():
        guide_id = guide_id.replace("_", "-")
        write_guide(tmp_path / "g", guide_id, title=f"The {guide_id} guide", review_by=day)
    return {g.id: g for g in load_guides(tmp_path / "g")}


def test_the_review_list_stays_within_a_messages_50_blocks(tmp_path):
    guides = _guides(tmp_path, **{f"g{n:02d}": dt.date(2026, 1, n + 1) for n in range(25)})

    message = review_blocks.review_list([Reviewable.of(g) for g in guides.values()])

    assert len(message["blocks"]) <= 50
    assert len(_listed(message)) == review_blocks.LISTED
    assert "…and 5 more" in message["blocks"][-1]["elements"][0]["text"]
    assert message["text"] == "25 of your guides are due for review"


def test_after_a_press_only_that_guides_line_changes(tmp_path):
    guides = _guides(tmp_path, alpha=dt.date(2026, 1, 1), beta=dt.date(2026, 2, 1))
    message = review_blocks.review_list([Reviewable.of(g) for g in guides.values()])

    line = "*The alpha guide* (`alpha`): verified by <@U1> on 1 Dec 2026 — next review 1 Jun 2027"
    after = review_blocks.after_press(message, "alpha", line)

    assert after["replace_original"] is True
    assert after["blocks"][1] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": line},
        "block_id": review_blocks.guide_block_id("alpha"),
    }
    assert [b.get("block_id") for b in after["blocks"] if b["type"] == "actions"] == [
        review_blocks.actions_block_id("beta")
    ]
    assert after["blocks"][2:4] == message["blocks"][3:5]  # beta's line and buttons, as they were
    alone = review_blocks.after_press(None, "alpha", line)  # the clicked message is not known
    assert alone == {"text": line, "replace_original": False, "response_type": "ephemeral"}


def test_the_verified_line_says_who_when_and_the_next_review():
    verified = verifications.Verified(
        "Premortem", "U0ANA", dt.date(2026, 12, 1), dt.date(2027, 6, 1), new=True
    )

    line = review_blocks.verified_line("premortem", verified)

    assert line == (
        "*Premortem* (`premortem`): verified by <@U0ANA> on 1 Dec 2026 — next review 1 Jun 2027"
    )


def test_a_title_is_escaped_in_the_list_and_the_lines():
    retired = verifications.Retired("<!channel> & co", "U1", dt.date(2026, 12, 1), new=True)

    assert "&lt;!channel&gt; &amp; co" in review_blocks.retired_line("x", retired)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 12, 1), 6, dt.date(2027, 6, 1)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 23), 1, dt.date(2026, 12, 23)),
    ],
)
def test_months_later(day, months, expected):
    assert verifications.months_later(day, months) == expected


def test_a_verification_counts_for_the_version_it_verified(tmp_path):
    guide = _guides(tmp_path, alpha=dt.date(2026, 10, 1))["alpha"]
    verification = GuideVerification(
        guide_id="alpha", guide_version=guide.version, next_review=dt.date(2027, 5, 1)
    )

    def date(verification):
        return verifications.review_date(guide.meta.review_by, guide.version, verification)

    assert date(verification) == dt.date(2027, 5, 1)
    assert date(None) == dt.date(2026, 10, 1)
    verification.guide_version = "another-text"  # an edit, or a changed shipped file
    assert date(verification) == dt.date(2026, 10, 1)
    verification.guide_version = guide.version
    verification.next_review = dt.date(2026, 9, 1)  # a later review_by wins
    assert date(verification) == dt.date(2026, 10, 1)


def test_health_sorts_served_guides_into_verified_due_and_overdue(tmp_path):
    today = dt.date(2026, 12, 1)
    guides = _guides(
        tmp_path,
        old=dt.date(2026, 6, 1),
        yesterday=dt.date(2026, 11, 30),
        today=today,
        in_30_days=today + dt.timedelta(days=30),
        in_31_days=today + dt.timedelta(days=31),
    )

    health = verifications.health(guides.values(), today)

    assert (health.verified, health.due, health.overdue) == (1, 2, 2)
    assert [g.guide_id for g in health.overdue_guides] == ["old", "yesterday"]
    assert [g.days_overdue for g in health.overdue_guides] == [183, 1]
    assert verifications.state_of(today, today) is ReviewState.DUE
    assert verifications.health([], today) == LibraryHealth()


def test_the_review_lists_library_agrees_with_what_the_workspace_serves(db, tmp_path):
    """ReviewLibraries reads the same served library as workspace_library, in a few fields."""
    guides = _guides(
        tmp_path,
        alpha=dt.date(2026, 1, 1),
        beta=dt.date(2026, 2, 1),
        gamma=dt.date(2026, 3, 1),
    )
    shipped = list(guides.values())
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    def save(guide_id: str, source: str, state: store.GuideState) -> None:
        store.save_version(
            db, team_id=TEAM_A, guide_id=guide_id, source=source, state=state, by=ANA, now=now
        )

    edited = write_guide(
        tmp_path / "edits", "beta", title="Beta, our way", review_by=dt.date(2027, 1, 1)
    ).read_text(encoding="utf-8")
    save("beta", edited, store.GuideState.PUBLISHED)  # an edited copy wins
    save("gamma", "", store.GuideState.HIDDEN)  # hidden: not served
    save("alpha", edited.replace("id: beta", "id: alpha"), store.GuideState.DRAFT)  # no change
    save("delta", "---\nbroken: [\n---\n", store.GuideState.PUBLISHED)  # unparseable: not served
    verifications.verify(db, team_id=TEAM_A, guide=guides["alpha"], by=ANA, admins=[ANA], now=now)
    libraries = reviews.ReviewLibraries()

    served = libraries.served(db, TEAM_A, [Reviewable.of(g) for g in shipped])

    expected = verifications.applied(
        store.workspace_library(db, TEAM_A, shipped), verifications.newest(db, TEAM_A)
    )
    assert served == [Reviewable.of(g) for g in expected]
    assert [(g.id, g.title, g.review_by) for g in served] == [
        ("alpha", "The alpha guide", dt.date(2027, 6, 1)),  # verified on 1 Dec
        ("beta", "Beta, our way", dt.date(2027, 1, 1)),
    ]
    assert libraries.served(db, TEAM_B, [Reviewable.of(g) for g in shipped]) == [
        Reviewable.of(g) for g in shipped
    ]


def test_the_csv_has_the_library_health(tmp_path):
    report = LibraryReport(
        team_id=TEAM_A,
        period=Period.last(30, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
        health=LibraryHealth(verified=4, due=2, overdue=1),
    )

    header, rows = report_csv.tables(report)["library_health"]

    assert dict(zip(header, rows[0], strict=True)) == {
        "verified": 4,
        "due": 2,
        "overdue": 1,
        "due_within_days": 30,
    }


def test_a_new_process_reads_workspaces_guides_over_several_passes(db, tmp_path):
    """At most `parses_per_pass` versions are parsed a pass; a workspace not read yet waits."""
    for n in range(3):
        source = write_guide(tmp_path / "own", f"own-{n}", title=f"Own guide {n}").read_text(
            encoding="utf-8"
        )
        store.save_version(
            db,
            team_id=TEAM_A,
            guide_id=f"own-{n}",
            source=source,
            state=store.GuideState.PUBLISHED,
            by=ANA,
            now=EARLY,
        )
    libraries = reviews.ReviewLibraries(parses_per_pass=2)

    assert libraries.served(db, TEAM_A, []) is None  # two parsed, one left
    assert libraries.served(db, TEAM_B, []) == []  # nothing of its own to parse
    libraries.end_pass()
    served = libraries.served(db, TEAM_A, [])

    assert served is not None and [g.id for g in served] == ["own-0", "own-1", "own-2"]


def test_a_new_version_brings_its_own_review_date_until_it_is_verified(db, tmp_path):
    """A verification vouches for the text it verified: an edit (or a changed shipped file)
    goes by its own review_by again, with nothing reset by hand."""
    [premortem] = _guides(tmp_path, premortem=dt.date(2026, 10, 1)).values()
    now = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    verifications.verify(db, team_id=TEAM_A, guide=premortem, by=ANA, admins=[ANA], now=now)
    libraries = reviews.ReviewLibraries()

    def review_by() -> dt.date | None:
        served = libraries.served(db, TEAM_A, [Reviewable.of(premortem)])
        return served[0].review_by if served else None

    assert review_by() == dt.date(2027, 5, 23)
    edited = (tmp_path / "g" / "premortem.md").read_text(encoding="utf-8") + "\nOne more step.\n"
    store.save_version(
        db,
        team_id=TEAM_A,
        guide_id="premortem",
        source=edited,
        state=store.GuideState.PUBLISHED,
        by=ANA,
        now=now,
    )
    assert review_by() == dt.date(2026, 10, 1)  # the edit's own date: due again
