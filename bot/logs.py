"""Logging: one line per record, as text or JSON, never with secrets."""

from __future__ import annotations

import json
import logging
import re
import sys

# Fields passed with `extra=` that belong in the line.
FIELDS = ("request_id", "method", "path", "status", "ms", "kind", "team_id", "bytes")

# What a database error would quote of the values it was given: SQLAlchemy's parameters and
# PostgreSQL's DETAIL line. bot.db's engines never put them there; this catches any other.
_VALUES = re.compile(r"^(\[parameters: |DETAIL: ).*$", re.MULTILINE)


def without_values(text: str) -> str:
    """A traceback or message with any quoted statement values cut out."""
    return _VALUES.sub(lambda found: f"{found.group(1)}(hidden)", text)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = without_values(super().format(record))
        extras = " ".join(
            f"{name}={getattr(record, name)}" for name in FIELDS if hasattr(record, name)
        )
        return f"{line} {extras}" if extras else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": without_values(record.getMessage()),
        }
        entry.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exc"] = without_values(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Bolt and the SDK print request bodies at DEBUG; those can carry tokens and people's words.
    for noisy in ("slack_bolt", "slack_sdk", "inflow.bolt", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.INFO))
    # What every command or every half minute would repeat (Alembic's set-up and each
    # migration's name, APScheduler's "Running job"): WARNING and up, all of it again at DEBUG.
    # bot.migrate says in one line what a migration did.
    chatter = logging.DEBUG if logging.getLevelName(level) == logging.DEBUG else logging.WARNING
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(chatter)
