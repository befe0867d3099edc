"""Who manages whom: /learn team, the Home tab, the CSV import, the manager suggested in forms."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from bot.cli import main
from bot.emulator import _default_user
from bot.models import ManagerReport, OutboxMessage
from bot.slack.ids import Command, HomeAction, Shortcut, TeamAction
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

MANAGER, ANA, BEN = "U0ASKER01", "U0ANA0001", "U0BEN0001"


def _pairs(engine) -> set[tuple[str, str, str]]:
    from bot.db import make_sessionmaker

    with make_sessionmaker(engine)() as session:
        return {
            (p.manager_id, p.report_id, p.source) for p in session.scalars(select(ManagerReport))
        }


def _pairs_with_status(engine) -> dict[str, str]:
    from bot.db import make_sessionmaker
    from bot.services.teams import status_of

    with make_sessionmaker(engine)() as session:
        return {p.report_id: status_of(p) for p in session.scalars(select(ManagerReport))}


def _asks(served) -> dict[str, dict]:
    """The confirmation requests inflow sent, by report: their DM's text and link id."""
    asks = {}
    for call in served.emulator.calls_to("chat.postMessage"):
        blocks = json.dumps(call.json_arg("blocks") or [])
        if TeamAction.CONFIRM in blocks:
            channel = call.args["channel"]
            [report] = [u for u in (ANA, BEN, MANAGER) if served.emulator.dm_of(u) == channel]
            actions = next(b for b in call.json_arg("blocks") if b["type"] == "actions")
            asks[report] = {"text": call.args["text"], "link": actions["elements"][0]["value"]}
    return asks


def _answer(served, report: str, action: str, link: str) -> dict:
    served.slack.click(action, link, user_id=report, response_url=served.emulator.response_url())
    return served.emulator.wait_for_responses(1)[-1][1]


def _confirm(served, *reports: str) -> None:
    asks = _asks(served)
    for report in reports:
        served.emulator.responses.clear()
        _answer(served, report, TeamAction.CONFIRM, asks[report]["link"])


def test_a_manager_names_their_reports_and_each_is_asked_to_confirm(served):
    answer = served.slack.command(Command.LEARN, f"team <@{ANA}|ana> <@{BEN}|ben>").json()

    assert f"Waiting for them to confirm: <@{ANA}>, <@{BEN}>" in answer["text"]
    assert "Your reports:" not in answer["text"]
    assert _pairs(served.engine) == {(MANAGER, ANA, "slack"), (MANAGER, BEN, "slack")}
    asks = _asks(served)
    assert set(asks) == {ANA, BEN}
    assert asks[ANA]["text"] == f"<@{MANAGER}> says they manage you. Is that right?"


def test_naming_someone_twice_asks_them_once(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    assert len(_asks(served)) == 1
    assert len(served.emulator.calls_to("chat.postMessage")) == 1


def test_a_report_confirms_and_the_manager_is_told(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    link = _asks(served)[ANA]["link"]

    said = _answer(served, ANA, TeamAction.CONFIRM, link)

    assert said["text"] == f"Thanks: <@{MANAGER}> is now listed as your manager in inflow."
    assert _pairs_with_status(served.engine) == {ANA: "confirmed"}
    told = served.emulator.calls_to("chat.postMessage")[-1]
    assert told.args["channel"] == served.emulator.dm_of(MANAGER)
    assert told.args["text"].startswith(f"<@{ANA}> confirmed you manage them")
    answer = served.slack.command(Command.LEARN, "team").json()
    assert answer["text"].startswith(f"Your reports: <@{ANA}>.")


def test_not_my_manager_declines_for_good(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    link = _asks(served)[ANA]["link"]

    said = _answer(served, ANA, TeamAction.DECLINE, link)
    served.slack.command(Command.LEARN, f"team <@{ANA}>")  # asking again

    assert "isn't listed as your manager, and can't ask again" in said["text"]
    assert _pairs_with_status(served.engine) == {ANA: "declined"}
    assert len(_asks(served)) == 1  # not asked a second time
    answer = served.slack.command(Command.LEARN, "team").json()
    assert f"Said you don't manage them: <@{ANA}>" in answer["text"]


def test_only_the_report_answers_and_a_double_click_answers_once(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    link = _asks(served)[ANA]["link"]

    stranger = _answer(served, BEN, TeamAction.CONFIRM, link)
    assert stranger["text"] == "That question was for someone else."
    assert _pairs_with_status(served.engine) == {ANA: "waiting"}

    served.emulator.responses.clear()
    _answer(served, ANA, TeamAction.CONFIRM, link)
    _answer(served, ANA, TeamAction.CONFIRM, link)
    told = [
        c for c in served.emulator.calls_to("chat.postMessage") if "confirmed you" in c.args["text"]
    ]
    assert len(told) == 1


def test_an_unconfirmed_link_shares_nothing_about_the_report(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>", user_id=MANAGER)
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=ANA)
    served.slack.command(Command.PITCH, "a reading group for new nurses", user_id=ANA)

    for view in (c.json_arg("view") for c in served.emulator.calls_to("views.open")):
        assert MANAGER not in json.dumps(view)  # neither form suggests the self-declared manager


def test_reports_see_who_they_confirmed_and_managers_edit_on_home(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}> <@{BEN}>")
    _confirm(served, ANA)
    served.slack.event(
        {"type": "app_home_opened", "user": ANA, "channel": "D0", "tab": "home", "event_ts": "1.2"}
    )
    home = served.emulator.calls_to("views.publish")[-1].json_arg("view")
    assert f"You confirmed you're a report of <@{MANAGER}>" in json.dumps(home["blocks"])

    served.slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": MANAGER, "team_id": "T0INFLOW1"},
            "view": {"id": "V0HOME", "type": "home"},
            "actions": [
                {"action_id": HomeAction.TEAM, "selected_users": [BEN], "action_ts": "1.2"}
            ],
        }
    )
    assert _pairs(served.engine) == {(MANAGER, BEN, "slack")}
    shown = json.dumps(served.emulator.calls_to("views.publish")[-1].json_arg("view")["blocks"])
    assert f'"initial_users": ["{BEN}"]' in shown
    assert f"Waiting for <@{BEN}> to confirm" in shown


def test_the_mistake_moment_form_suggests_the_confirmed_manager(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>", user_id=MANAGER)
    _confirm(served, ANA)
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=ANA)
    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    colleague = next(b for b in view["blocks"] if b.get("block_id") == "colleague")
    assert colleague["element"]["initial_user"] == MANAGER


def test_the_pitch_form_suggests_the_confirmed_manager_as_sponsor(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>", user_id=MANAGER)
    _confirm(served, ANA)
    served.slack.command(Command.PITCH, "a reading group for new nurses", user_id=ANA)
    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    sponsor = next(b for b in view["blocks"] if b.get("block_id") == "sponsor")
    assert sponsor["element"]["initial_user"] == MANAGER


def test_csv_import_takes_ids_and_emails_and_reports_bad_rows(
    database_url, engine, emulator, tmp_path, monkeypatch, capsys
):
    emulator.users[ANA] = {**_default_user(ANA), "profile": {"email": "ana@example.com"}}
    csv_file = tmp_path / "org.csv"
    csv_file.write_text(
        "Manager,Report\n"
        f"{MANAGER},{BEN}\n"
        f"{MANAGER},ana@example.com\n"
        f"{MANAGER},nobody@example.com\n"
        "not-a-person,U0BEN0001\n"
        f"{BEN},{BEN}\n"
    )
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["team", "import", str(csv_file)]) == 1

    out, err = capsys.readouterr()
    assert f"{csv_file}:4: no Slack user has the email nobody@example.com" in err
    assert f"{csv_file}:5: 'not-a-person' is neither a Slack user id" in err
    assert f"{csv_file}:6: a person cannot be their own report" in err
    assert out.startswith("2 pairs added, 0 already known, 3 problems")
    assert _pairs(engine) == {(MANAGER, BEN, "import"), (MANAGER, ANA, "import")}

    assert main(["team", "import", str(csv_file)]) == 1
    assert "0 pairs added, 2 already known" in capsys.readouterr().out


def test_csv_without_the_columns_is_refused(
    database_url, engine, emulator, tmp_path, monkeypatch, capsys
):
    (tmp_path / "bad.csv").write_text("boss,person\nU1,U2\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["team", "import", str(tmp_path / "bad.csv")]) == 1
    assert "the header needs the columns manager, report" in capsys.readouterr().err
    assert _pairs(engine) == set()


def test_coaching_prompts_wait_for_the_report_to_confirm(served):
    from bot.db import make_sessionmaker
    from bot.jobs import planner
    from bot.slack.client import make_client

    sessions = make_sessionmaker(served.engine)
    client = make_client(BOT_TOKEN, served.emulator.api_url, retries=0)
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)

    def coaching() -> list[OutboxMessage]:
        with sessions() as session:
            return list(
                session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "coaching"))
            )

    served.slack.command(Command.LEARN, f"team <@{ANA}>")
    planner.plan(sessions, client, now=now)
    assert coaching() == []

    _confirm(served, ANA)
    planner.plan(sessions, client, now=now)
    assert {(row.recipient, row.subject) for row in coaching()} == {
        (MANAGER, "spot-weekly"),
        (MANAGER, "coaching-question"),
    }
