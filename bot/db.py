"""Engine and session factory, and the column types every model shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, DateTime, Engine, create_engine, event, select, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC that refuses naive datetimes and always reads back tz-aware.

    SQLite has no time zones, so values are normalised to UTC on the way in and marked UTC on the
    way out; PostgreSQL stores them as `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: inflow stores tz-aware UTC timestamps")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_engine(database_url: str, **kwargs) -> Engine:
    """The engine: SQLite with WAL and foreign keys on, PostgreSQL with a short connect timeout.

    Its errors never carry the values a statement was given (see `_without_values`).
    """
    url = make_url(database_url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 15}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks savepoints; take it over.
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _without_values)
        return engine
    # A database that does not answer must cost a request less than Slack's 3 s: connecting
    # gives up after CONNECT_TIMEOUT, waiting for a pooled connection after POOL_TIMEOUT, and
    # each request's statements and lock waits are bounded too (see `limit_request`).
    connect_args = {"connect_timeout": CONNECT_TIMEOUT}
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "handle_error", _without_values)
    return engine


def _without_values(context: ExceptionContext) -> None:
    """Keep people's words out of every database error, and so out of every log and report.

    `hide_parameters` drops SQLAlchemy's "[parameters: …]" line; PostgreSQL itself quotes
    values in the lines after its first one ("DETAIL:  Key (team_id, alias)=(T1, what someone
    typed) already exists."), which the driver's exception and SQLAlchemy's both repeat. Only
    that first line is kept: it names the problem or the constraint broken.
    """
    original = context.original_exception
    first, _, rest = str(original).partition("\n")
    if not rest:
        return
    original.args = (first,)
    wrapper = context.sqlalchemy_exception
    if wrapper is not None:
        kind = type(original)
        wrapper.args = (f"({kind.__module__}.{kind.__name__}) {first}",)


CONNECT_TIMEOUT = 1  # seconds (libpq's smallest useful value)
POOL_TIMEOUT = 1  # seconds to wait for a free pooled connection
REQUEST_STATEMENT_TIMEOUT_MS = 1500  # one statement of a request, at most
REQUEST_LOCK_TIMEOUT_MS = 1000  # a request waiting on another's row lock, at most


def limit_request(session: Session) -> None:
    """Bound every statement and lock wait of this session's transactions (PostgreSQL), so a
    hung database or a stuck transaction gives a person the kind answer within Slack's 3 s
    instead of a hung worker. Background work (planning, reports by CLI) is not bounded."""

    def on_begin(_session, _transaction, connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                f"SET LOCAL statement_timeout = {REQUEST_STATEMENT_TIMEOUT_MS}; "
                f"SET LOCAL lock_timeout = {REQUEST_LOCK_TIMEOUT_MS}"
            )

    event.listen(session, "after_begin", on_begin)


def make_reader(engine: Engine) -> Engine:
    """An engine for short reads that must never wait on, or hold up, a writer.

    On SQLite the main engine begins every transaction IMMEDIATE, taking the write lock even to
    read; this one runs each statement on its own (WAL readers take no lock). PostgreSQL's reads
    take none anyway: there it is the same engine.
    """
    if engine.dialect.name != "sqlite":
        return engine
    reader = create_engine(
        engine.url,
        connect_args={"check_same_thread": False, "timeout": 15},
        hide_parameters=True,
    )
    event.listen(reader, "connect", _sqlite_pragmas)  # autocommit: no BEGIN is ever sent
    event.listen(reader, "handle_error", _without_values)
    return reader


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
    # fails at once with SQLITE_BUSY when another writer got in first, whatever busy_timeout says.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _is_memory(dbapi_connection) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and not row[2] for row in rows)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def insert_for(session: Session, model):
    """An INSERT with `on_conflict_do_…` for the session's database (SQLite or PostgreSQL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def locked_row(session: Session, model, **key):
    """The row with this unique key, made if missing (columns left out take their defaults),
    and locked until the transaction ends. Two requests at once for the same key (a double
    click) take turns instead of one failing on the unique constraint."""
    session.execute(insert_for(session, model).values(**key).on_conflict_do_nothing())
    return session.scalars(select(model).filter_by(**key).with_for_update()).one()


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back when it raises."""
    with sessions() as session, session.begin():
        yield session


def schema_lock(connection: Connection, key: int, *, wait: bool = True) -> bool:
    """Hold PostgreSQL advisory lock `key` for this schema until the transaction ends; False
    when `wait` is off and another process holds it. Per schema, so deployments (and test runs)
    sharing a server never wait on each other. SQLite's BEGIN IMMEDIATE already serialises
    writers, so there it is always True."""
    if connection.dialect.name != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    taken = connection.execute(
        text(f"SELECT {function}(:key, hashtext(current_schema()))"), {"key": key}
    ).scalar()
    return wait or bool(taken)
