"""`inflow team import FILE.csv`: load who manages whom from an HR export."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.services import teams

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
COLUMNS = ("manager", "report")


@dataclass
class ImportReport:
    added: int = 0
    known: int = 0
    problems: list[str] = field(default_factory=list)  # "line N: message"


class _Resolver:
    """Slack user ids as they are; emails looked up once each."""

    def __init__(self, client: WebClient):
        self.client = client
        self.cache: dict[str, str | None] = {}

    def __call__(self, value: str) -> tuple[str | None, str | None]:
        value = value.strip()
        if USER_ID.match(value):
            return value, None
        if "@" not in value:
            return None, f"{value!r} is neither a Slack user id (U…) nor an email"
        email = value.lower()
        if email not in self.cache:
            try:
                self.cache[email] = self.client.users_lookupByEmail(email=email)["user"]["id"]
            except SlackApiError as error:
                if error.response.get("error") != "users_not_found":
                    raise
                self.cache[email] = None
        found = self.cache[email]
        return (found, None) if found else (None, f"no Slack user has the email {email}")


def import_csv(
    path: Path,
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    now: dt.datetime,
) -> ImportReport:
    """Add every valid row; report every invalid one with its line. Re-importing is harmless."""
    report = ImportReport()
    resolve = _Resolver(client)
    pairs: list[tuple[int, str, str]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            report.problems.append(f"line 1: the header needs the columns {', '.join(COLUMNS)}")
            return report
        for row in reader:
            line = reader.line_num
            manager_raw = (row.get(header["manager"]) or "").strip()
            report_raw = (row.get(header["report"]) or "").strip()
            if not manager_raw and not report_raw:
                continue
            manager, problem_m = resolve(manager_raw) if manager_raw else (None, "manager is empty")
            person, problem_r = resolve(report_raw) if report_raw else (None, "report is empty")
            problems = [p for p in (problem_m, problem_r) if p]
            if not problems and manager == person:
                problems.append("a person cannot be their own report")
            if problems or manager is None or person is None:
                report.problems.extend(f"line {line}: {p}" for p in problems)
                continue
            pairs.append((line, manager, person))
    with transaction(sessions) as session:
        for _line, manager, person in pairs:
            added = teams.add(
                session,
                team_id=team_id,
                manager_id=manager,
                report_id=person,
                source="import",
                now=now,
            )
            report.added += added
            report.known += not added
    return report
