"""What people type stays out of logs and error reports, and no character they can type makes
the database fail (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, select, text

from bot.logs import TextFormatter
from bot.models import ContentGap, MistakeMoment
from bot.slack.ids import Command, Field, View

PRIVATE = "quokka zeppelin Priyankas divorce"  # nothing in the library answers it
AUTHOR, COLLEAGUE = "U0AUTHOR1", "U0COLLEAG1"


def _moment_form(what: str) -> dict:
    return {
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": what},
        Field.COLLEAGUE: {"type": "users_select", "selected_user": COLLEAGUE},
        Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": "now"}},
    }


def test_a_database_error_logs_none_of_the_words_a_person_typed(served, caplog):
    # A constraint the words break, as a unique key would: the database refuses the second
    # query, and SQLAlchemy (its parameters) and PostgreSQL (its DETAIL line) would quote it.
    with served.engine.begin() as connection:
        connection.execute(text("CREATE UNIQUE INDEX one_query ON content_gaps (team_id, query)"))
    caplog.set_level(logging.INFO)

    served.slack.command(Command.LEARN, PRIVATE)
    refused = served.slack.command(Command.LEARN, PRIVATE)

    assert "something went wrong" in refused.json()["text"]
    failure = next(r for r in caplog.records if r.exc_info)
    assert "one_query" in caplog.text or "UNIQUE" in caplog.text  # the error itself is logged
    shown = caplog.text + TextFormatter().format(failure) + str(failure.exc_info[1])
    for word in PRIVATE.split():
        assert word not in shown


def test_a_nul_in_a_mistake_moment_is_kept_without_it(served):
    reply = served.slack.submit(
        View.MISTAKE_MOMENT, _moment_form("I sent the\x00 wrong file\x1b[2J"), user_id=AUTHOR
    )

    assert reply.status == 200 and reply.text == ""  # the modal closes as usual
    with served.session() as session:
        [moment] = session.scalars(select(MistakeMoment))
    assert moment.what_happened == "I sent the wrong file[2J"
    ask = served.emulator.calls_to("chat.postMessage")[0]
    assert "\x00" not in str(ask.args) and "I sent the wrong file" in str(ask.args)


def test_a_nul_in_a_learn_query_is_answered_as_if_it_was_not_there(served):
    reply = served.slack.command(Command.LEARN, "quokka\x00 zeppelin")

    assert reply.json()["text"] == "No guide for that"
    with served.session() as session:
        [gap] = session.scalars(select(ContentGap))
    assert gap.query == "quokka zeppelin"


def test_half_a_character_pair_is_dropped_not_an_error(served):
    # JSON can carry half of a UTF-16 pair ("\\ud83d"); UTF-8 cannot store it.
    reply = served.slack.submit(
        View.MISTAKE_MOMENT, _moment_form("I sent \ud83d the wrong file"), user_id=AUTHOR
    )

    assert reply.status == 200 and reply.text == ""
    with served.session() as session:
        [moment] = session.scalars(select(MistakeMoment))
    assert moment.what_happened == "I sent  the wrong file"


def test_a_log_line_hides_values_from_an_engine_that_shows_them(tmp_path):
    """The log formatters' own net, for errors from anywhere else (a third-party engine)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (a TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES (:a)"), {"a": PRIVATE})
        try:
            connection.execute(text("INSERT INTO t VALUES (:a)"), {"a": PRIVATE})
        except Exception as error:
            failure = error
    record = logging.LogRecord(
        "bot.app", logging.ERROR, __file__, 1, "failed", (), (type(failure), failure, None)
    )
    assert PRIVATE in str(failure)  # what this engine would have printed

    line = TextFormatter("%(message)s").format(record)

    assert PRIVATE not in line and "[parameters: (hidden)" in line
    engine.dispose()
