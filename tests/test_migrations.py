"""One Alembic tree that works on SQLite and PostgreSQL and agrees with the models."""

import datetime as dt
import uuid

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot import migrate
from bot.db import make_engine
from bot.models import Base
from tests.conftest import POSTGRES_URL
from tests.migrated import empty_database


def test_the_tree_has_a_single_head():
    assert len(migrate.head_revisions(make_engine("sqlite://"))) == 1


def test_upgrade_downgrade_with_data_and_upgrade_again(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO processed_events (team_id, event_id, event_type, received_at) "
                "VALUES ('T1', 'Ev1', 'app_home_opened', :at)"
            ),
            {"at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
        )

    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert migrate.current_revisions(connection) == migrate.head_revisions(engine)
    engine.dispose()


def test_models_and_migrations_agree(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_one_vote_per_person_per_guide_keeps_each_persons_latest(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine, "0015")
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO guides (id, version, title, kind, category, owner, retired, "
                "synced_at) VALUES ('five-whys', 'v1', 'Five whys', 'guide', :category, "
                "'o', :no, :at)"
            ),
            {"at": at, "no": False, "category": "learning-from-the-work"},
        )
        votes = [
            ("U1", "buttons", -1, at),
            ("U1", "msg:1", 1, at + dt.timedelta(hours=2)),  # U1's latest
            ("U1", "msg:2", -1, at + dt.timedelta(hours=1)),
            ("U2", "msg:1", -1, at),
            ("forgotten", "forgotten:7", 1, at),  # two people forgotten: two votes
            ("forgotten", "forgotten:8", -1, at),
        ]
        for user, source, value, when in votes:
            connection.execute(
                text(
                    "INSERT INTO ratings (team_id, guide_id, user_id, source_key, value, "
                    "updated_at) VALUES ('T1', 'five-whys', :user, :source, :value, :at)"
                ),
                {"user": user, "source": source, "value": value, "at": when},
            )

    migrate.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT user_id, source, value FROM ratings")).all()
    assert sorted((u.split(":")[0], s, v) for u, s, v in rows) == [
        ("U1", "emoji", 1),  # the latest of three
        ("U2", "emoji", -1),
        ("forgotten", "emoji", -1),
        ("forgotten", "emoji", 1),
    ]

    migrate.downgrade(engine, "0015")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT user_id, source_key, value FROM ratings")).all()
    assert sorted((u, s.split(":")[0], v) for u, s, v in rows) == [
        ("U1", "emoji", 1),
        ("U2", "emoji", -1),
        ("forgotten", "forgotten", -1),
        ("forgotten", "forgotten", 1),
    ]
    migrate.downgrade(engine, "base")
    engine.dispose()


def test_a_test_database_copied_from_the_template_is_the_migrated_one(engine, empty_database_url):
    migrated = make_engine(empty_database_url)
    migrate.upgrade(migrated)
    copied = _schema(engine)
    assert copied == _schema(migrated)
    # Not two empty answers: the head's tables, their keys and indexes are all there.
    assert {"workspaces", "outbox", "alembic_version"} <= copied["tables"].keys()
    assert copied["tables"]["idea_steps"]["foreign_keys"]
    assert copied["tables"]["outbox"]["indexes"]
    migrated.dispose()


def test_each_copy_counts_its_own_ids(engine, database_kind, migrated_templates, tmp_path):
    with empty_database(database_kind, tmp_path / "other", POSTGRES_URL) as other_url:
        migrated_templates.copy_into(other_url)
        other = make_engine(other_url)
        assert [_add_event(engine), _add_event(engine)] == [1, 2]
        assert _add_event(other) == 1
        other.dispose()


def _add_event(engine) -> int:
    with engine.begin() as connection:
        return connection.execute(
            text(
                "INSERT INTO processed_events (team_id, event_id, event_type, received_at) "
                "VALUES ('T1', :event, 'app_home_opened', :at) RETURNING id"
            ),
            {"event": uuid.uuid4().hex, "at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
        ).scalar_one()


def _schema(engine) -> dict:
    """What reflection sees of a database: every table's columns, keys, indexes and checks, the
    sequences, and the revision it is at."""
    inspector = inspect(engine)
    tables = {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": _sorted(inspector.get_foreign_keys(table)),
            "unique_constraints": _sorted(inspector.get_unique_constraints(table)),
            "indexes": _sorted(inspector.get_indexes(table)),
            "check_constraints": _sorted(inspector.get_check_constraints(table)),
        }
        for table in inspector.get_table_names()
    }
    sequences = inspector.get_sequence_names() if engine.dialect.name == "postgresql" else []
    with engine.connect() as connection:
        revisions = migrate.current_revisions(connection)
    return {"tables": tables, "sequences": sorted(sequences), "revisions": revisions}


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=repr)
