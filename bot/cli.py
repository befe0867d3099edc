"""The `inflow` command."""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.error import URLError

from bot.config import ConfigError, Settings, load_settings, revealed
from bot.logs import configure_logging

log = logging.getLogger("inflow")


class _CsvReport(Protocol):
    problems: list[str]


_R = TypeVar("_R", bound=_CsvReport)


class CommandError(Exception):
    """A failure the command explains in one line and exits non-zero for."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        # `inflow` or a group such as `inflow db` alone: say what it offers.
        (getattr(args, "group", None) or parser).print_help()
        return 2
    try:
        return args.handler(args) or 0
    except ConfigError as error:
        for line in str(error).splitlines():
            print(f"inflow: {line}", file=sys.stderr)
        return 1
    except CommandError as error:
        print(f"inflow: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        return 130


def _group(commands, name: str, helped: str) -> argparse._SubParsersAction:
    """A command that only groups actions (`inflow db upgrade`): alone, it prints its help."""
    parser = commands.add_parser(name, help=helped, description=helped)
    parser.set_defaults(group=parser)
    return parser.add_subparsers(title="actions", metavar="ACTION")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inflow", description="inflow: learning in the flow of work, in Slack."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the Slack app (Socket Mode or HTTP)")
    serve.add_argument(
        "--http", action="store_true", help="serve HTTP even if SLACK_APP_TOKEN is set"
    )
    serve.add_argument(
        "--emulator",
        action="store_true",
        help="try inflow without Slack: serve HTTP against a local Slack emulator",
    )
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: INFLOW_WORKERS or 2)"
    )
    serve.add_argument(
        "--threads", type=int, help="threads per worker (default: INFLOW_THREADS or 8)"
    )
    serve.set_defaults(handler=_serve)

    db = _group(commands, "db", "manage the database")
    upgrade = db.add_parser("upgrade", help="migrate the database to the newest schema")
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_db_upgrade)

    content_commands = _group(commands, "content", "check and search the library of guides")
    lint = content_commands.add_parser(
        "lint", help="check every guide file and the practice paths beside them; non-zero on errors"
    )
    lint.add_argument("directory", nargs="?", type=Path, help="default: INFLOW_CONTENT_DIR")
    lint.add_argument("--strict", action="store_true", help="treat warnings as errors")
    lint.add_argument("--today", type=dt.date.fromisoformat, help="date for review checks")
    lint.set_defaults(handler=_content_lint)
    search = content_commands.add_parser(
        "search", help="match queries (one per line on stdin) the way /learn does"
    )
    search.add_argument("--json", action="store_true", help="one JSON object per line")
    search.add_argument("--limit", type=int, default=3, help="matches per query (default 3)")
    search.add_argument("--explain", action="store_true", help="say why each match scored")
    search.add_argument("--dir", type=Path, help="guides directory (default: INFLOW_CONTENT_DIR)")
    search.add_argument(
        "--team",
        help="search this workspace's own library, ranked with its votes (from DATABASE_URL)",
    )
    search.set_defaults(handler=_content_search)
    suggest = content_commands.add_parser(
        "suggest",
        help="decide, for channel messages (one per line on stdin), which guide to offer",
    )
    suggest.add_argument("--json", action="store_true", help="one JSON object per line")
    suggest.add_argument("--dir", type=Path, help="guides directory (default: INFLOW_CONTENT_DIR)")
    suggest.set_defaults(handler=_content_suggest)
    draft = content_commands.add_parser(
        "draft", help="write a draft guide (draft: true, not served) from a closed debrief"
    )
    draft.add_argument(
        "--from-debrief",
        type=int,
        required=True,
        metavar="ID",
        dest="debrief",
        help="the closed debrief to draft from",
    )
    draft.add_argument("--dir", type=Path, help="guides directory (default: INFLOW_CONTENT_DIR)")
    draft.add_argument(
        "--owner",
        help="the guide's owner, an email (default: the owner most guides in the directory have)",
    )
    draft.set_defaults(handler=_content_draft)
    export = content_commands.add_parser(
        "export",
        help="write a workspace's library (shipped guides, its own, minus hidden) as guide files",
    )
    export.add_argument(
        "directory", type=Path, help="where to write the files (made if missing; no .md in it)"
    )
    export.add_argument(
        "--team", help="workspace id (default: SLACK_BOT_TOKEN's workspace; needed with OAuth)"
    )
    export.set_defaults(handler=_content_export)
    import_ = content_commands.add_parser(
        "import",
        help="lint a directory of guide files, then publish them in a workspace's library",
    )
    import_.add_argument("directory", type=Path, help="the guide files (as export writes them)")
    import_.add_argument(
        "--team", help="workspace id (default: SLACK_BOT_TOKEN's workspace; needed with OAuth)"
    )
    import_.set_defaults(handler=_content_import)

    nudges = _group(commands, "nudges", "scheduled messages")
    run_once = nudges.add_parser(
        "run-once", help="plan and deliver everything due at one instant, then exit"
    )
    run_once.add_argument(
        "--now", type=_instant, help="the instant, ISO 8601 (default: now); naive means UTC"
    )
    run_once.set_defaults(handler=_nudges_run_once)

    report = commands.add_parser(
        "report", help="the library owners' report as CSV files, one per section"
    )
    report.add_argument("--csv", type=Path, required=True, metavar="DIR", help="where to write")
    report.add_argument("--team", help="workspace id (default: the bot token's workspace)")
    report.add_argument(
        "--days", type=int, default=30, help="the period: the days before --now (default 30)"
    )
    report.add_argument(
        "--now", type=_instant, help="the end of the period, ISO 8601 (default: now)"
    )
    report.set_defaults(handler=_report)

    team = _group(commands, "team", "who manages whom")
    team_import = team.add_parser(
        "import", help="load manager,report pairs (Slack user ids or emails) from a CSV file"
    )
    team_import.add_argument(
        "file", type=Path, help="a CSV file with the columns manager,report (a header row)"
    )
    team_import.add_argument(
        "--team", help="workspace id (default: SLACK_BOT_TOKEN's workspace; needed with OAuth)"
    )
    team_import.set_defaults(handler=_team_import)

    practice = _group(commands, "practice", "practice paths: weeks of practice after a workshop")
    practice_invite = practice.add_parser(
        "invite", help="invite the people in a CSV file (column person: user ids or emails)"
    )
    practice_invite.add_argument("path", help="the practice path's id, e.g. giving-feedback")
    practice_invite.add_argument(
        "file", type=Path, help="a CSV file with a `person` column of Slack user ids or emails"
    )
    practice_invite.add_argument(
        "--team", help="workspace id (default: SLACK_BOT_TOKEN's workspace; needed with OAuth)"
    )
    practice_invite.set_defaults(handler=_practice_invite)

    days_off = _group(commands, "holidays", "the workspace's days off: no nudges for anyone")
    for action, helped in (
        ("add", "mark a day off (YYYY-MM-DD)"),
        ("remove", "unmark a day off"),
        ("list", "list the days off from today on"),
    ):
        holiday = days_off.add_parser(action, help=helped)
        if action != "list":
            holiday.add_argument("day", type=_day, help="the day, YYYY-MM-DD")
        if action == "add":
            holiday.add_argument("--name", default="", help="what the day is, e.g. 'New Year'")
        holiday.add_argument("--team", help="workspace id (default: the bot token's workspace)")
        holiday.set_defaults(handler=_holidays, action=action)

    spaces = _group(commands, "workspaces", "the Slack workspaces inflow serves")
    spaces.add_parser(
        "list", help="each workspace: id, name, status, when installed, when its data goes"
    ).set_defaults(handler=_workspaces_list)

    keys = _group(commands, "keys", "the INFLOW_ENCRYPTION_KEY that encrypts installations' tokens")
    keys.add_parser("new", help="print a new key (keep it secret)").set_defaults(handler=_keys_new)
    keys.add_parser(
        "rotate",
        help="re-encrypt every stored token with the first key of INFLOW_ENCRYPTION_KEY",
    ).set_defaults(handler=_keys_rotate)

    emulator = commands.add_parser(
        "emulator", help="run the local Slack Web API emulator (for trying inflow out offline)"
    )
    emulator.add_argument(
        "--port", type=int, default=8089, help="where it listens on 127.0.0.1 (default 8089)"
    )
    emulator.set_defaults(handler=_emulator)
    return parser


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _migrate(settings: Settings, revision: str = "head") -> str:
    """Migrate the database (one log line if anything changed); return its revision."""
    from sqlalchemy.exc import OperationalError

    from bot import migrate
    from bot.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        return migrate.upgrade(engine, revision)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise CommandError(
            f"cannot reach the database at {settings.redacted_database_url()} ({reason}); "
            "check DATABASE_URL and that the database server is running"
        ) from None
    finally:
        engine.dispose()


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings()
    now = _migrate(settings, args.revision)
    print(f"database at {settings.redacted_database_url()} is at revision {now}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from bot import server

    settings = _settings()
    if args.emulator:
        settings = _with_emulator(settings)
    socket_mode = settings.socket_mode and not (args.http or args.emulator)
    settings.require_slack(http=not socket_mode)
    _servable_library(settings.content_dir)
    _migrate(settings)
    port = args.port or settings.port
    host = "127.0.0.1" if args.emulator else "0.0.0.0"
    playground = None
    if args.emulator:
        playground = _seeded_playground(settings)
    if args.emulator:
        print(
            f"inflow on http://{host}:{port}/slack/events against the Slack emulator at "
            f"{settings.slack_api_url}; signing secret "
            f"{revealed(settings.slack_signing_secret, 'SLACK_SIGNING_SECRET')!r} "
            "(see README: Try it); "
            f"a database of its own at {settings.database_url}, deleted on exit. "
            f"The playground: http://{host}:{port}/",
            file=sys.stderr,
        )
    if socket_mode:
        server.serve_socket_mode(settings, port=port)
    else:
        log.info("serving HTTP on %s:%s (POST %s)", host, port, server.EVENTS_PATH)
        server.serve_http(
            settings,
            port=port,
            workers=args.workers or settings.workers,
            threads=args.threads or settings.threads,
            host=host,
            playground=playground,
        )
    return 0


def _servable_library(directory: Path) -> None:
    """Refuse to serve a library no worker could load, naming its first error as lint does.

    Each worker loads the library on boot; a broken one would otherwise be seen only as the
    workers' tracebacks after "Listening".
    """
    from bot.library.loader import read_guides

    _, problems = read_guides(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = " ".join(str(errors[0]).split())
        more = (
            f" (and {len(errors) - 1} more: `inflow content lint {directory}` lists them)"
            if len(errors) > 1
            else ""
        )
        raise CommandError(f"INFLOW_CONTENT_DIR: the library cannot be served: {first}{more}")


EMULATOR_SIGNING_SECRET = "emulator-signing-secret"


def _with_emulator(settings: Settings) -> Settings:
    """Settings that point inflow at an in-process Slack emulator instead of Slack, with a
    database of its own: the emulator's workspace must not join DATABASE_URL's real ones."""
    from pydantic import SecretStr

    from bot.emulator import SlackEmulator
    from bot.playground.team import seed_users

    emulator = SlackEmulator().start()  # runs in this (the master) process until it exits
    seed_users(emulator)  # the playground's team: Ana manages Ben and Chen
    return settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-emulator"),
            "slack_signing_secret": SecretStr(EMULATOR_SIGNING_SECRET),
            "slack_app_token": None,
            "slack_api_url": emulator.api_url,
            "database_url": f"sqlite:///{_emulator_directory() / 'inflow-emulator.db'}",
        }
    )


def _seeded_playground(settings: Settings) -> str:
    """The emulator's base URL for the playground, its team's manager links in the database."""
    from bot.db import make_engine, make_sessionmaker
    from bot.playground.team import seed_links

    engine = make_engine(settings.database_url)
    try:
        seed_links(make_sessionmaker(engine))
    finally:
        engine.dispose()
    return (settings.slack_api_url or "").removesuffix("/api/")


def _emulator_directory() -> Path:
    """A temporary directory, removed when this process exits. gunicorn's workers are forks
    of it and run the same exit handlers: only the process that made it removes it."""
    import atexit
    import os
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="inflow-emulator-"))
    maker = os.getpid()

    def remove() -> None:
        if os.getpid() == maker:
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(remove)
    return directory


def _content_lint(args: argparse.Namespace) -> int:
    from bot.library.lint import lint
    from bot.library.paths import paths_directory

    directory = args.directory or load_settings().content_dir
    problems = lint(directory, today=args.today or dt.date.today())
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error" or args.strict]
    guides = len(list(directory.glob("*.md"))) if directory.is_dir() else 0
    paths = paths_directory(directory)
    checked = f"{guides} guides"
    if paths.is_dir():
        count = len(list(paths.glob("*.md")))
        checked += f" and {count} practice path{'' if count == 1 else 's'}"
    print(
        f"{checked} checked: {len(errors)} errors, {len(problems) - len(errors)} warnings",
        file=sys.stderr,
    )
    return 1 if errors else 0


def _content_search(args: argparse.Namespace) -> int:
    import json

    from bot.library.loader import LibraryError, load_guides
    from bot.library.matcher import Library

    if args.limit < 1:
        raise CommandError("--limit must be at least 1", code=2)
    settings = load_settings()
    try:
        guides = load_guides(args.dir or settings.content_dir)
    except LibraryError as error:
        raise CommandError(f"the library has errors; run `inflow content lint`:\n{error}") from None
    ratings = None
    if args.team:  # the workspace's own library, ranked with its votes, as the bot serves it
        guides, ratings = _workspace_library(settings, args.team, guides)
    library = Library(guides)
    for line in sys.stdin:
        query = line.rstrip("\n")
        result = library.search(query, limit=args.limit, ratings=ratings, explain=args.explain)
        matches = [
            {"id": m.guide.id, "score": m.score, **({"why": m.explain} if args.explain else {})}
            for m in result.matches
        ]
        if args.json:
            out = {"query": query, "outcome": result.outcome.value, "matches": matches}
            if args.explain and not matches:
                out["considered"] = [
                    {"id": m.guide.id, "score": m.score, "why": m.explain}
                    for m in result.candidates
                ]
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            found = ", ".join(f"{m['id']} ({m['score']:.2f})" for m in matches)
            print(f"{query}\t{result.outcome.value}\t{found or '-'}", flush=True)
    return 0


def _content_suggest(args: argparse.Namespace) -> int:
    import json

    from bot.library.loader import LibraryError, load_guides
    from bot.library.matcher import Library
    from bot.library.suggest import suggest

    settings = load_settings()
    try:
        library = Library(load_guides(args.dir or settings.content_dir))
    except LibraryError as error:
        raise CommandError(f"the library has errors; run `inflow content lint`:\n{error}") from None
    for line in sys.stdin:
        text = line.rstrip("\n")
        if text.startswith("{"):  # a JSON line such as {"text": …} from a labelled file
            with contextlib.suppress(ValueError, AttributeError):
                text = str(json.loads(text).get("text", text))
        found = suggest(library, text)
        if args.json:
            out = {"text": text, "suggestion": found.guide.id if found else None}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            print(f"{text}\t{found.guide.id if found else '-'}", flush=True)
    return 0


def _workspace_library(settings: Settings, team_id: str, shipped: list) -> tuple[list, dict]:
    """The guides a workspace is served (shipped with its own changes) and its votes."""
    from bot.db import make_engine, make_sessionmaker
    from bot.services.library import ratings_by_guide
    from bot.services.workspace_guides import workspace_library

    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            guides = workspace_library(session, team_id, shipped)
            return guides, ratings_by_guide(session, team_id)
    finally:
        engine.dispose()


def _content_draft(args: argparse.Namespace) -> int:
    from bot.db import make_engine, make_sessionmaker, utcnow
    from bot.drafts import default_owner, draft_text, write_draft
    from bot.errors import InflowError
    from bot.library.lint import lint
    from bot.library.loader import read_guides
    from bot.services.report import closed_debrief

    settings = _settings()
    directory = args.dir or settings.content_dir
    if not directory.is_dir():
        raise CommandError(f"{directory}: no such directory of guides", code=2)
    library, _ = read_guides(directory)
    owner = args.owner or default_owner(library)
    if not owner:
        raise CommandError("say who owns the draft: --owner EMAIL", code=2)
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            debrief = closed_debrief(session, args.debrief)
    except InflowError as error:
        raise CommandError(error.user_message) from None
    finally:
        engine.dispose()
    today = utcnow().date()
    guide_id, content = draft_text(debrief, owner=owner, today=today, library=library)
    try:
        path = write_draft(directory, guide_id, content)
    except FileExistsError:
        raise CommandError(
            f"{directory / (guide_id + '.md')} already exists: edit it, or move it away first"
        ) from None
    errors = [
        p for p in lint(directory, today=today) if p.path == str(path) and p.severity == "error"
    ]
    if errors:  # never leave a file that breaks the library
        path.unlink()
        raise CommandError("the draft did not pass lint:\n" + "\n".join(map(str, errors)))
    print(
        f"{path}: a draft guide from debrief {args.debrief} (owner {owner}); it is not served "
        "until you edit it and remove `draft: true`"
    )
    return 0


def _content_export(args: argparse.Namespace) -> int:
    from bot import content_files
    from bot.db import make_engine, make_sessionmaker

    settings = _settings()
    shipped = _shipped_guides(settings)
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            written = content_files.export_library(
                session, team_id=team_id, shipped=shipped, directory=args.directory
            )
    except FileExistsError:
        raise CommandError(
            f"{args.directory} already holds guide files: export into an empty directory", code=2
        ) from None
    except OSError as error:
        raise CommandError(f"{args.directory}: cannot write there ({error.strerror})") from None
    finally:
        engine.dispose()
    print(f"{len(written)} guides of {team_id} written to {args.directory}")
    return 0


def _content_import(args: argparse.Namespace) -> int:
    from bot import content_files
    from bot.db import make_engine, make_sessionmaker, transaction, utcnow

    settings = _settings()
    shipped = _shipped_guides(settings)
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    engine = make_engine(settings.database_url)
    now = utcnow()
    try:
        with transaction(make_sessionmaker(engine)) as session:
            report = content_files.import_directory(
                session,
                team_id=team_id,
                shipped=shipped,
                directory=args.directory,
                today=now.date(),
                now=now,
            )
    except content_files.Refused as refused:
        for line in refused.lines:
            print(line, file=sys.stderr)
        raise CommandError(
            f"nothing imported: {len(refused.lines)} errors in {args.directory}"
        ) from None
    finally:
        engine.dispose()
    for word, ids in (
        ("added", report.added),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
    ):
        print(
            f"{word}: {len(ids)}" + (f" ({', '.join(ids)})" if ids and word != "unchanged" else "")
        )
    return 0


def _shipped_guides(settings: Settings):
    from bot.library.loader import LibraryError, load_guides

    try:
        return load_guides(settings.content_dir)
    except LibraryError as error:
        raise CommandError(f"the library has errors; run `inflow content lint`:\n{error}") from None


def _report(args: argparse.Namespace) -> int:
    from bot import report_csv
    from bot.db import make_engine, make_sessionmaker, utcnow
    from bot.errors import InflowError
    from bot.library.loader import LibraryError, load_guides
    from bot.services import report
    from bot.services.workspace_guides import workspace_library

    settings = _settings()
    try:
        period = report.Period.last(args.days, now=args.now or utcnow())
        guides = load_guides(settings.content_dir)
    except InflowError as error:
        raise CommandError(error.user_message, code=2) from None
    except LibraryError as error:
        raise CommandError(f"the library has errors; run `inflow content lint`:\n{error}") from None
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            served = workspace_library(session, team_id, guides)  # what the workspace serves
            built = report.build(session, team_id=team_id, period=period, guides=served)
    finally:
        engine.dispose()
    written = report_csv.write(built, args.csv)
    print(f"{len(written)} CSV files in {args.csv} for {team_id}, {period.words}")
    return 0


def _bot_team(settings: Settings) -> str:
    """The workspace the bot token belongs to (with OAuth there are many: --team says which)."""
    from bot.slack.client import make_client

    settings.require_slack(http=False)
    if settings.slack_bot_token is None:
        raise CommandError(
            "give --team: inflow serves every workspace that installed it; "
            "`inflow workspaces list` shows their ids",
            code=2,
        )
    token = settings.slack_bot_token.get_secret_value()
    with _slack(settings):
        client = make_client(token, settings.slack_api_url, observer=None, **CLI_CLIENT)
        return client.auth_test()["team_id"]


# A person waits at the terminal: one call gets a few seconds, and a connection that fails is
# not tried again with backing off (half a minute of silence), but said at once (_slack).
# Rate limits are still waited for, as Slack asks.
CLI_CLIENT = {"timeout": 10, "network_retries": 0}


@contextlib.contextmanager
def _slack(settings: Settings) -> Iterator[None]:
    """Slack unreachable, or refusing the token, said in one line; the SDK's own lines held."""
    from slack_sdk.errors import SlackApiError

    sdk = logging.getLogger("slack_sdk")
    level = sdk.level
    sdk.setLevel(logging.CRITICAL)
    try:
        yield
    except (URLError, ConnectionError, TimeoutError) as error:
        raise CommandError(
            f"cannot reach Slack at {settings.slack_api_url} ({getattr(error, 'reason', error)}); "
            "check SLACK_API_URL and this machine's network, then run it again"
        ) from None
    except SlackApiError as error:
        if error.response.get("error") not in ("invalid_auth", "not_authed", "account_inactive"):
            raise
        raise ConfigError(
            f"SLACK_BOT_TOKEN: Slack refused it ({error.response.get('error')}); copy the "
            "Bot User OAuth Token again from the app's 'OAuth & Permissions' page"
        ) from None
    finally:
        sdk.setLevel(level)


def _workspace_client(settings: Settings, sessions, team_id: str):
    """The bot's client in one workspace, or a CommandError saying inflow isn't there."""
    from bot.workspaces import from_settings

    with _slack(settings):
        client = from_settings(settings, sessions, client_options=CLI_CLIENT).client(team_id)
    if client is None:
        raise CommandError(
            f"inflow is not installed in workspace {team_id} (or was uninstalled); "
            "`inflow workspaces list` shows where it is"
        )
    return client


def _instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _nudges_run_once(args: argparse.Namespace) -> int:
    import json

    from bot.db import make_engine, make_sessionmaker, utcnow
    from bot.jobs.clock import Workspace, run_once
    from bot.workspaces import from_settings

    settings = _settings()
    settings.require_slack(http=False)
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with _slack(settings):  # says in one line that Slack cannot be reached
            sessions = make_sessionmaker(engine)
            workspaces = from_settings(settings, sessions)
            now = args.now or utcnow()
            workspaces.record_token_workspace(now)
            planned, report = run_once(
                sessions,
                workspaces.for_a_pass(),
                now=now,
                workspace=Workspace.of(settings),
            )
    finally:
        engine.dispose()
    print(json.dumps({"planned": planned, **report.as_dict()}))
    return 0


def _team_import(args: argparse.Namespace) -> int:
    from bot.team_import import import_csv

    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file", code=2)
    settings = _settings()
    settings.require_slack(http=False)
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    report = _from_csv(
        args.file,
        settings,
        team_id,
        lambda sessions, client, now: import_csv(
            args.file, sessions=sessions, client=client, team_id=team_id, now=now
        ),
    )
    print(
        f"{report.added} pairs added, {report.known} already known, "
        f"{len(report.problems)} problems (rows with problems were not imported)"
    )
    return 1 if report.problems else 0


def _practice_invite(args: argparse.Namespace) -> int:
    from bot.library.loader import LibraryError, load_guides
    from bot.library.paths import load_paths, paths_directory
    from bot.practice_invite import invite_csv

    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file", code=2)
    settings = _settings()
    try:
        guides = {guide.id for guide in load_guides(settings.content_dir)}
        paths = {p.id: p for p in load_paths(paths_directory(settings.content_dir), guides)}
    except LibraryError as error:
        raise CommandError(f"the library or its practice paths have errors:\n{error}") from None
    if args.path not in paths:
        known = ", ".join(sorted(paths)) or "none"
        raise CommandError(f"no practice path {args.path!r}; the paths are: {known}", code=2)
    settings.require_slack(http=False)
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    report = _from_csv(
        args.file,
        settings,
        team_id,
        lambda sessions, client, now: invite_csv(
            args.file,
            practice_path=paths[args.path],
            sessions=sessions,
            client=client,
            team_id=team_id,
            now=now,
        ),
    )
    print(
        f"{report.invited} invited ({report.sent} DMs sent), {report.already} already on the "
        f"path or invited, {len(report.problems)} problems"
    )
    return 1 if report.problems else 0


def _from_csv(file: Path, settings: Settings, team_id: str, run: Callable[..., _R]) -> _R:
    """`run(sessions, client, now)` over a CSV file for one workspace: an unreadable file or
    Slack out of reach said in one line; each problem row printed as `FILE:LINE: problem`."""
    from bot.db import make_engine, make_sessionmaker, utcnow

    engine = make_engine(settings.database_url)
    try:
        sessions = make_sessionmaker(engine)
        with _slack(settings):
            report = run(sessions, _workspace_client(settings, sessions, team_id), utcnow())
    except (UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{file}: not a readable CSV file ({error})") from None
    finally:
        engine.dispose()
    for problem in report.problems:
        print(f"{file}:{problem.removeprefix('line ')}", file=sys.stderr)
    return report


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-25") from None


def _holidays(args: argparse.Namespace) -> int:
    from bot.db import make_engine, make_sessionmaker, transaction, utcnow
    from bot.errors import InflowError
    from bot.services import holidays

    settings = _settings()
    team_id = args.team or _bot_team(settings)  # before the database is touched
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            if args.action == "add":
                added = holidays.add(session, team_id=team_id, day=args.day, name=args.name)
                print(f"{args.day}: {'added' if added else 'already a holiday'}")
            elif args.action == "remove":
                holidays.remove(session, team_id=team_id, day=args.day)
                print(f"{args.day}: removed")
            else:
                for holiday in holidays.listed(session, team_id=team_id, since=utcnow().date()):
                    print(f"{holiday.day}\t{holiday.name}")
    except InflowError as error:
        raise CommandError(error.user_message) from None
    finally:
        engine.dispose()
    return 0


def _workspaces_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.db import make_engine, make_sessionmaker
    from bot.models import WorkspaceRecord

    settings = _settings()
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = list(session.scalars(select(WorkspaceRecord).order_by(WorkspaceRecord.team_id)))
    finally:
        engine.dispose()
    for row in rows:
        data_goes = row.delete_after.isoformat(timespec="minutes") if row.delete_after else "-"
        print(
            "\t".join(
                [
                    row.team_id,
                    row.name or "-",
                    row.status,
                    row.installed_at.isoformat(timespec="minutes"),
                    data_goes,
                ]
            )
        )
    print(f"{len(rows)} workspaces", file=sys.stderr)
    return 0


def _keys_new(args: argparse.Namespace) -> int:
    from bot.installations import KeyRing

    print(KeyRing.new_key())
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every stored token with the current (first) key, in one transaction."""
    from bot.db import make_engine
    from bot.installations import KeyRing, rotate_tokens

    settings = _settings()
    if not settings.encryption_keys:
        raise CommandError(
            "INFLOW_ENCRYPTION_KEY is not set: put the new key first and the old one after it, "
            "separated by a comma",
            code=2,
        )
    _migrate(settings)
    keys = KeyRing([key.get_secret_value() for key in settings.encryption_keys])
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            rewritten, unreadable = rotate_tokens(connection, keys)
    finally:
        engine.dispose()
    print(f"{rewritten} tokens re-encrypted with the first key")
    if unreadable:
        print(
            "inflow: no key opens the tokens of "
            + ", ".join(unreadable)
            + ": those workspaces must install inflow again (or add the key they were sealed "
            "with to INFLOW_ENCRYPTION_KEY and rotate again)",
            file=sys.stderr,
        )
        return 1
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from bot.emulator import SlackEmulator

    configure_logging()
    with SlackEmulator(port=args.port) as emulator:
        print(f"Slack emulator on {emulator.api_url}; set SLACK_API_URL to that. Ctrl-C stops it.")
        emulator.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
