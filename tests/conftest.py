"""The world every test builds on: a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), the Slack emulator, and inflow served over real HTTP against both."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socketserver
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import app as app_module
from bot.config import Settings, load_settings
from bot.db import make_engine, make_sessionmaker
from bot.emulator import SlackEmulator, SlackSender
from bot.jobs.background import Background
from bot.library import loader
from bot.library.loader import fingerprint
from bot.library.loader import load_guides as loader_load_guides
from bot.library.matcher import Library
from bot.server import SlackWSGI, build_wsgi
from bot.slack import people
from tests.migrated import MigratedTemplates, empty_database
from tests.slack_spec import problems_with

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
        ),
    ]
)
def database_kind(request) -> str:
    """Each kind of database the suite runs on."""
    return request.param


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory) -> Iterator[MigratedTemplates]:
    """The migration head, built once per session for each kind of database (tests/migrated.py)."""
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated"), POSTGRES_URL)
    yield templates
    templates.close()


@pytest.fixture
def database_url(database_kind, migrated_templates, tmp_path) -> Iterator[str]:
    """A database of each kind at the migration head, the test's own: a SQLite file or a
    PostgreSQL schema, copied from the session's migrated template."""
    with empty_database(database_kind, tmp_path, POSTGRES_URL) as url:
        migrated_templates.copy_into(url)
        yield url


@pytest.fixture
def empty_database_url(database_kind, tmp_path) -> Iterator[str]:
    """An empty database of each kind, for tests of the migrations themselves."""
    with empty_database(database_kind, tmp_path / "empty", POSTGRES_URL) as url:
        yield url


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """A database at the migration head."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture(scope="session")
def slack_emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(slack_emulator) -> SlackEmulator:
    slack_emulator.reset()
    slack_emulator.users.clear()
    people.forget_all()  # what one test's Slack said about someone is not the next test's
    return slack_emulator


@pytest.fixture(autouse=True)
def _slack_answers_in_time(monkeypatch):
    """The emulator always answers users.info, but on a loaded CI machine not always within
    the 50 ms a request waits for it; tests that want Slack too slow say so themselves."""
    monkeypatch.setattr(people, "WAIT", 5.0)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="session", autouse=True)
def _library_indexed_once() -> Iterator[None]:
    """Parse and index each library once per test session, not once per served test.

    A served app loads the guides (0.4 s) and indexes them (1.3 s) when it is built: most of a
    short test's time. Both are read-only once built, so tests serving the same unchanged files
    share them; a test that writes guide files has another directory or fingerprint, and its own.
    """
    parsed: dict[tuple, list] = {}
    indexed: dict[int, tuple[list, Library]] = {}

    def load_guides(directory):
        key = (str(directory), fingerprint(directory))
        if key not in parsed:
            parsed[key] = loader_load_guides(directory)
        return parsed[key]

    def index(guides, *args, **kwargs):
        if args or kwargs:
            return Library(guides, *args, **kwargs)
        if id(guides) not in indexed:  # the list object stays alive in `parsed`
            indexed[id(guides)] = (guides, Library(guides))
        return indexed[id(guides)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "load_guides", load_guides)
        patch.setattr(app_module, "Library", index)
        yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))  # a Monday


@pytest.fixture
def settings(database_url, emulator, tmp_path) -> Settings:
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
    )


class _Threaded(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # tests send 20 requests at once; gunicorn's backlog is 2048


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Served:
    """inflow answering real HTTP on a free port, and a sender that signs like Slack."""

    url: str
    wsgi: SlackWSGI
    slack: SlackSender
    emulator: SlackEmulator
    engine: Engine
    background: Background

    def session(self) -> Session:
        return make_sessionmaker(self.engine)()

    @property
    def sessions(self):
        return self.wsgi.sessions

    @property
    def workspaces(self):
        """Which workspaces the app serves, and a client for each (bot.workspaces)."""
        return self.wsgi.workspaces

    @property
    def settings(self) -> Settings:
        return self.wsgi.settings

    def settle(self) -> None:
        """Wait for the work the app does after its answers (no sleeping: a join)."""
        self.background.join()


@contextlib.contextmanager
def serving(settings: Settings, emulator: SlackEmulator, clock) -> Iterator[Served]:
    """inflow built from `settings`, answering real HTTP on a free port until the block ends."""
    background = Background()
    wsgi = build_wsgi(settings, clock=clock, background=background)
    server = make_server("127.0.0.1", 0, wsgi, _Threaded, _Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield Served(
            url=url,
            wsgi=wsgi,
            slack=SlackSender(f"{url}/slack/events", SIGNING_SECRET, settle=background.join),
            emulator=emulator,
            engine=wsgi.engine,
            background=background,
        )
    finally:
        background.shutdown()
        server.shutdown()
        server.server_close()
        wsgi.workspaces.close()
        wsgi.engine.dispose()
    assert problems_with(emulator.calls) == [], "the app called Slack outside its published API"
    assert background.failures == [], "work the app did after its answer raised"


@pytest.fixture
def served(settings, emulator, engine, clock) -> Iterator[Served]:
    with serving(settings, emulator, clock) as served:
        yield served


# -- many workspaces: OAuth installs --------------------------------------------------------------

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
ENCRYPTION_KEY = "mZ3iBq0cGgAjDP9Gt8QNa0Qe2W1n7rYpsYH9aXW3t8o="  # a Fernet key for tests only
TEAM_A, TEAM_B = "T0AAAAAAA", "T0BBBBBBB"


@pytest.fixture
def oauth_settings(database_url, emulator) -> Settings:
    """A deployment that workspaces install through OAuth: no SLACK_BOT_TOKEN at all."""
    return load_settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        encryption_keys=ENCRYPTION_KEY,
        slack_api_url=emulator.api_url,
        database_url=database_url,
    )


def install(
    served: Served, team_id: str, *, installer: str = "U0INSTALLER", back_to: str | None = None
) -> Page:
    """Install inflow in a workspace the way a browser does: open /slack/install (which sets the
    state cookie), approve on "Slack" (the emulator), follow the redirect back with the code, to
    `back_to` (another replica's URL) or the same server."""
    page = _get(f"{served.url}/slack/install")
    assert page.status == 200, page.body
    cookie = page.headers["Set-Cookie"].split(";")[0]
    authorize = urllib.parse.urlsplit(_authorize_url(page.body))
    state = urllib.parse.parse_qs(authorize.query)["state"][0]
    code = served.emulator.install(team_id, installer=installer)
    query = urllib.parse.urlencode({"code": code, "state": state})
    return _get(f"{back_to or served.url}/slack/oauth_redirect?{query}", headers={"Cookie": cookie})


@dataclass
class Page:
    status: int
    headers: Any  # http.client.HTTPMessage: names in any case
    body: str


def _get(url: str, headers: dict | None = None) -> Page:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.headers, error.read().decode())


def _authorize_url(html: str) -> str:
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', html)
    assert found, html
    return found.group(1).replace("&amp;", "&")


@dataclass
class Workspaces:
    """One inflow serving two workspaces, each installed through OAuth, and a sender for each."""

    served: Served
    a: SlackSender
    b: SlackSender


@pytest.fixture
def two_workspaces(oauth_settings, emulator, engine, clock) -> Iterator[Workspaces]:
    with serving(oauth_settings, emulator, clock) as served:
        for team in (TEAM_A, TEAM_B):
            assert install(served, team, installer=f"U{team[1:]}ADM").status == 200
        events = f"{served.url}/slack/events"
        yield Workspaces(
            served,
            SlackSender(events, SIGNING_SECRET, team_id=TEAM_A, settle=served.settle),
            SlackSender(events, SIGNING_SECRET, team_id=TEAM_B, settle=served.settle),
        )
