"""What listeners are given besides the request: `Deps`, and `/learn <word>` subcommands.

Its own module, so that `bot.app` imports the handlers (to register them) and the handlers
import this, with no import circle between the two.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import utcnow
from bot.jobs.background import Background
from bot.library.loader import LibraryHolder
from bot.services import workspaces as workspace_service
from bot.services.workspaces import WorkspaceSettings
from bot.workspaces import Workspaces


@dataclass(frozen=True)
class Subcommand:
    """A `/learn <word>` handled by another module.

    `form` is what may follow the word (a regular expression matched in full, ignoring case), so
    `/learn report` runs the report while `/learn report writing` is a question for the library.
    `run` is called as run(ack=, command=, client=, db=, rest=), and `after=` too when
    `needs_after` (a subcommand that sends messages after the commit).
    """

    form: str
    run: Callable[..., None]
    needs_after: bool = False

    def accepts(self, rest: str) -> bool:
        return re.fullmatch(self.form, rest.strip(), re.IGNORECASE) is not None


@dataclass
class Deps:
    """What listeners need besides the request: settings, the database, the library, the clock."""

    settings: Settings
    sessions: sessionmaker[Session]
    library: LibraryHolder
    clock: Callable[[], dt.datetime] = field(default=utcnow)
    # `/learn <word> …` handled elsewhere, each only on its exact form (anything else is a query)
    learn_subcommands: dict[str, Subcommand] = field(default_factory=dict)
    background: Background = field(default_factory=Background)  # work after the ack
    workspaces: Workspaces | None = None  # the bot token of each workspace inflow serves

    def workspace(self, db: Session, team_id: str) -> WorkspaceSettings:
        """What this workspace's admins chose, with the environment's defaults for the rest."""
        return workspace_service.settings_of(db, team_id, self.settings)
