"""The world every test builds on: a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), the Slack emulator, and inflow served over real HTTP against both."""

from __future__ import annotations

import datetime as dt
import os
import socketserver
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot import migrate
from bot.background import Background
from bot.config import Settings, load_settings
from bot.db import make_engine, make_sessionmaker
from bot.emulator import SlackEmulator, SlackSender
from bot.server import SlackWSGI, build_wsgi
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
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each kind: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'inflow.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """A database at the migration head."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
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
    return slack_emulator


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


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

    def settle(self) -> None:
        """Wait for the work the app does after its answers (no sleeping: a join)."""
        self.background.join()


@pytest.fixture
def served(settings, emulator, engine, clock) -> Iterator[Served]:
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
            slack=SlackSender(f"{url}/slack/events", SIGNING_SECRET),
            emulator=emulator,
            engine=wsgi.engine,
            background=background,
        )
    finally:
        background.shutdown()
        server.shutdown()
        server.server_close()
        wsgi.engine.dispose()
    assert problems_with(emulator.calls) == [], "the app called Slack outside its published API"
