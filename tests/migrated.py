"""The migration head, built once per test session and copied into each test's database.

Running Alembic for every test cost seconds a test (loading the revision scripts, then the
DDL). Instead each kind of database is migrated once, into a template, and each test gets a copy:

- SQLite: the migrated file, its write-ahead log folded in, copied byte for byte.
- PostgreSQL: while the template schema is migrated, every statement Alembic sends is recorded;
  a test's fresh schema replays them in one transaction. The copy is the migration itself without
  Alembic's Python: the same names for indexes and constraints, foreign keys, sequences owned by
  their columns, `alembic_version` and any rows a migration seeds. (`CREATE TABLE ... LIKE` would
  rename indexes, drop foreign keys and leave serial columns drawing on the template's sequences;
  `CREATE DATABASE ... TEMPLATE` took as long per test and stalls on checkpoints when dropped.)

`tests/test_migrations.py` holds every copy to a freshly migrated database.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from bot import migrate
from bot.db import make_engine


@contextlib.contextmanager
def empty_database(kind: str, directory: Path, postgres_url: str | None) -> Iterator[str]:
    """A new, empty database of `kind`: a SQLite file in `directory`, or a PostgreSQL schema
    (dropped, with all it holds, when the block ends)."""
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{directory / 'inflow.db'}"
        return
    assert postgres_url, "PostgreSQL databases need TEST_DATABASE_URL"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class _Statement:
    sql: str
    parameters: Any
    many: bool


@dataclass
class MigratedTemplates:
    """One database per kind, migrated to head on first use; `copy_into` gives a test its own."""

    directory: Path
    postgres_url: str | None
    _sqlite_file: Path | None = None
    _postgres_statements: list[_Statement] | None = None
    _closing: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def copy_into(self, database_url: str) -> None:
        """Bring the empty database at `database_url` to the migration head."""
        if make_url(database_url).get_backend_name() == "sqlite":
            shutil.copyfile(self._sqlite_template(), make_url(database_url).database)
            return
        engine = make_engine(database_url)
        try:
            with engine.begin() as connection:
                cursor = connection.connection.cursor()
                for statement in self._postgres_template():
                    run = cursor.executemany if statement.many else cursor.execute
                    run(statement.sql, statement.parameters)
        finally:
            engine.dispose()

    def close(self) -> None:
        """Drop the templates."""
        self._closing.close()

    def _sqlite_template(self) -> Path:
        if self._sqlite_file is None:
            url = self._closing.enter_context(
                empty_database("sqlite", self.directory / "sqlite", None)
            )
            engine = make_engine(url)
            try:
                migrate.upgrade(engine)
            finally:
                engine.dispose()
            self._sqlite_file = Path(make_url(url).database)
            # Everything in the one file: a copy without its -wal would miss the schema.
            with contextlib.closing(sqlite3.connect(self._sqlite_file)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self._sqlite_file

    def _postgres_template(self) -> list[_Statement]:
        if self._postgres_statements is None:
            url = self._closing.enter_context(
                empty_database("postgresql", self.directory, self.postgres_url)
            )
            self._postgres_statements = _recorded_migration(make_engine(url))
        return self._postgres_statements


def _recorded_migration(engine: Engine) -> list[_Statement]:
    """Migrate `engine`'s empty schema to head; every statement sent on the way, in order."""
    with engine.connect():
        pass  # the dialect's first-connect queries are not the migration's

    recorded: list[_Statement] = []

    def record(_connection, _cursor, sql, parameters, _context, many) -> None:
        recorded.append(_Statement(sql, parameters, many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        migrate.upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    return recorded
