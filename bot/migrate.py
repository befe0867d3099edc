"""Alembic driven from code, so `inflow db upgrade` works from any directory and any install."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

import bot.migrations as migrations
from bot.db import schema_lock

log = logging.getLogger("inflow")

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
MIGRATION_LOCK = 0x1F11  # PostgreSQL advisory lock: one migrating process at a time


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database to `revision` (the newest by default); return where it now is.

    Says in one line what changed, nothing when the database was already there: Alembic's own
    line per migration is quiet unless LOG_LEVEL is DEBUG (bot.logs).
    """
    config = alembic_config(engine)
    with engine.begin() as connection:
        _one_at_a_time(connection)
        before = current_revisions(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = current_revisions(connection)
    now = ", ".join(after) or "none"
    if after != before:
        log.info("database migrated to %s (from %s)", now, ", ".join(before) or "empty")
    return now


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        _one_at_a_time(connection)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _one_at_a_time(connection: Connection) -> None:
    """Wait for any other process migrating this schema, until this transaction ends.

    Every replica runs the migrations on start; started together against a new database, all
    but one would otherwise fail creating the same tables. The one that waited then finds the
    schema at head and has nothing to do. SQLite's BEGIN IMMEDIATE already serialises them.
    """
    schema_lock(connection, MIGRATION_LOCK)


def head_revisions(engine: Engine) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def current_revisions(connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())
