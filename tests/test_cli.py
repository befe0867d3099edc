"""The `inflow` command as a newcomer or an operator meets it: one line when something is wrong,
quiet when nothing is, and help wherever they stop typing."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from bot import migrate
from bot.cli import build_parser, main
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import make_engine
from bot.logs import configure_logging
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def terminal(monkeypatch, tmp_path) -> Path:
    """A fresh directory (no .env) and an environment with nothing of inflow's in it."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "INFLOW_")) or name in ("DATABASE_URL", "LOG_LEVEL"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'inflow.db'}")
    return tmp_path


def _one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


def _inflow(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INFLOW_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**clean, "LOG_LEVEL": "INFO", **env},
        capture_output=True,
        text=True,
        timeout=30,  # a serve that does not refuse runs until then
    )


# -- one line, never a traceback -------------------------------------------------------------


def test_a_sqlite_url_with_two_slashes_is_refused_in_one_line(terminal, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "sqlite://inflow.db")

    assert main(["db", "upgrade"]) == 1

    line = _one_line(capsys.readouterr().err)
    assert line.startswith("inflow: DATABASE_URL: inflow.db is not a SQLite file")
    assert "sqlite:///inflow.db" in line
    assert list(terminal.iterdir()) == []


def test_holidays_without_a_token_say_so_before_creating_a_database(terminal, capsys):
    assert main(["holidays", "list"]) == 1

    assert _one_line(capsys.readouterr().err).startswith("inflow: SLACK_BOT_TOKEN is not set")
    assert not (terminal / "inflow.db").exists()


def _serve_refuses(terminal: Path, content_dir: Path) -> str:
    """`inflow serve` in a process of its own (it would fork gunicorn's workers from this one)."""
    served = _inflow(
        "serve",
        "--http",
        "--port",
        str(free_port()),
        cwd=terminal,
        DATABASE_URL=os.environ["DATABASE_URL"],
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        INFLOW_CONTENT_DIR=str(content_dir),
    )
    assert served.returncode == 1, served.stderr
    return _one_line(served.stderr)


def test_serve_refuses_a_content_dir_that_is_not_there(terminal):
    missing = terminal / "guides"

    line = _serve_refuses(terminal, missing)

    assert line == (
        "inflow: INFLOW_CONTENT_DIR: the library cannot be served: "
        f"{missing}:1: error: no such directory of guides"
    )
    assert not (terminal / "inflow.db").exists()


def test_serve_names_the_broken_guide_in_lints_words(terminal, capsys):
    library = shutil.copytree(DEFAULT_CONTENT_DIR, terminal / "guides")
    broken = library / "premortem.md"
    broken.write_text(broken.read_text().replace("title: ", "title: [", 1))
    assert main(["content", "lint", str(library)]) == 1
    [lints_words] = [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]

    line = _serve_refuses(terminal, library)

    assert line == f"inflow: INFLOW_CONTENT_DIR: the library cannot be served: {lints_words}"
    assert lints_words.startswith(f"{broken}:")


def test_serve_counts_the_errors_it_does_not_name(terminal):
    library = shutil.copytree(DEFAULT_CONTENT_DIR, terminal / "guides")
    for name in ("premortem.md", "five-whys.md"):
        (library / name).write_text("no front matter")

    line = _serve_refuses(terminal, library)

    assert line.endswith(
        f"must start with '---' and YAML front matter "
        f"(and 1 more: `inflow content lint {library}` lists them)"
    )


@pytest.fixture
def slack_unreachable(terminal, monkeypatch) -> Path:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")  # nobody there
    engine = make_engine(os.environ["DATABASE_URL"])
    migrate.upgrade(engine)  # a database already in use
    engine.dispose()
    pairs = terminal / "team.csv"
    pairs.write_text("manager,report\nboss@example.com,U0REPORT\n")
    (terminal / "people.csv").write_text("person\nana@example.com\n")
    return pairs


@pytest.mark.parametrize(
    "command",
    [
        ["holidays", "list"],
        ["report", "--csv", "out"],
        ["team", "import", "team.csv"],
        ["team", "import", "team.csv", "--team", "T0ONE"],  # through the workspace's client
        ["practice", "invite", "giving-feedback", "people.csv"],
        ["practice", "invite", "giving-feedback", "people.csv", "--team", "T0ONE"],
    ],
    ids=" ".join,
)
def test_slack_unreachable_is_said_at_once_in_one_line(slack_unreachable, command, capsys):
    started = time.monotonic()

    assert main(command) == 1

    assert time.monotonic() - started < 5  # not half a minute of backing off
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"inflow: cannot reach Slack at {os.environ['SLACK_API_URL']} (")
    assert line.endswith("check SLACK_API_URL and this machine's network, then run it again")


# -- quiet by default -------------------------------------------------------------------------


def test_migrating_says_one_line_and_nothing_once_current(tmp_path):
    url = f"sqlite:///{tmp_path / 'inflow.db'}"
    [head] = migrate.head_revisions(make_engine(url))

    first = _inflow("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    again = _inflow("workspaces", "list", cwd=tmp_path, DATABASE_URL=url)

    assert first.returncode == 0, first.stderr
    assert _one_line(first.stderr).endswith(
        f"INFO inflow: database migrated to {head} (from empty)"
    )
    assert first.stdout == f"database at {url} is at revision {head}\n"
    assert again.returncode == 0, again.stderr
    assert again.stderr == "0 workspaces\n"


@pytest.mark.parametrize(
    ("level", "chatter"), [("INFO", logging.WARNING), ("DEBUG", logging.DEBUG)]
)
def test_the_scheduler_and_alembic_speak_up_only_at_debug(level, chatter):
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    try:
        configure_logging(level)
        assert logging.getLogger("apscheduler.executors.default").getEffectiveLevel() == chatter
        assert logging.getLogger("alembic.runtime.migration").getEffectiveLevel() == chatter
    finally:
        configure_logging("INFO")
        root.handlers[:], root.level = handlers, root_level


def test_pytest_counts_skipped_tests_without_listing_them():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
        "addopts"
    ].split()
    [report] = [option for option in addopts if option.startswith("-r")]
    assert not set(report[2:]) & set("aAsS")  # the PostgreSQL half is ~300 skips without it


# -- help wherever one stops typing --------------------------------------------------------------


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every (path, parser) in the command tree, `inflow` itself first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def _groups() -> list[tuple[str, ...]]:
    return [
        path
        for path, parser in _commands(build_parser())
        if path and any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    ]


@pytest.mark.parametrize("group", _groups(), ids=" ".join)
def test_a_command_group_alone_prints_its_help(group, capsys):
    assert main(list(group)) == 2

    out = capsys.readouterr().out
    assert out.startswith(f"usage: inflow {' '.join(group)} ")
    [parser] = [p for path, p in _commands(build_parser()) if path == group]
    [actions] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert all(f"    {name}" in out for name in actions.choices)


def test_every_command_argument_and_option_has_help():
    missing = []
    for path, parser in _commands(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                missing += [
                    " ".join((*path, sub.dest)) for sub in action._choices_actions if not sub.help
                ]
            elif not action.help or action.help == argparse.SUPPRESS:
                name = action.option_strings[0] if action.option_strings else action.dest
                missing.append(" ".join((*path, name)))
    assert missing == []
    assert len(_groups()) >= 7  # db, content, nudges, team, holidays, workspaces, keys
