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
