"""One Alembic tree that works on SQLite and PostgreSQL and agrees with the models."""

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot import migrate
from bot.db import make_engine
from bot.models import Base


def test_the_tree_has_a_single_head():
    assert len(migrate.head_revisions(make_engine("sqlite://"))) == 1


def test_upgrade_downgrade_with_data_and_upgrade_again(database_url):
    engine = make_engine(database_url)
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


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_one_vote_per_person_per_guide_keeps_each_persons_latest(database_url):
    engine = make_engine(database_url)
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
