"""Who manages whom: /learn team, the Home tab, the CSV import, the manager suggested in forms."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.cli import main
from bot.emulator import _default_user
from bot.models import ManagerReport
from bot.slack.ids import Command, HomeAction, Shortcut
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

MANAGER, ANA, BEN = "U0ASKER01", "U0ANA0001", "U0BEN0001"


def _pairs(engine) -> set[tuple[str, str, str]]:
    from bot.db import make_sessionmaker

    with make_sessionmaker(engine)() as session:
        return {
            (p.manager_id, p.report_id, p.source) for p in session.scalars(select(ManagerReport))
        }


def test_a_manager_names_their_reports(served):
    answer = served.slack.command(Command.LEARN, f"team <@{ANA}|ana> <@{BEN}|ben>").json()

    assert answer["text"].startswith(f"Your reports: <@{ANA}>, <@{BEN}>")
    assert _pairs(served.engine) == {(MANAGER, ANA, "slack"), (MANAGER, BEN, "slack")}


def test_learn_team_alone_explains(served):
    assert (
        "haven't named your reports" in served.slack.command(Command.LEARN, "team").json()["text"]
    )


def test_reports_see_who_lists_them_and_managers_edit_on_home(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}> <@{BEN}>")
    served.slack.event(
        {"type": "app_home_opened", "user": ANA, "channel": "D0", "tab": "home", "event_ts": "1.2"}
    )
    home = served.emulator.calls_to("views.publish")[-1].json_arg("view")
    assert f"listed as a report of <@{MANAGER}>" in json.dumps(home["blocks"])

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
    picker = json.dumps(served.emulator.calls_to("views.publish")[-1].json_arg("view")["blocks"])
    assert f'"initial_users": ["{BEN}"]' in picker


def test_the_mistake_moment_form_suggests_the_manager(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>", user_id=MANAGER)
    served.slack.shortcut(Shortcut.MISTAKE_MOMENT, user_id=ANA)
    view = served.emulator.calls_to("views.open")[0].json_arg("view")
    colleague = next(b for b in view["blocks"] if b.get("block_id") == "colleague")
    assert colleague["element"]["initial_user"] == MANAGER


def test_the_pitch_form_suggests_the_manager_as_sponsor(served):
    served.slack.command(Command.LEARN, f"team <@{ANA}>", user_id=MANAGER)
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
