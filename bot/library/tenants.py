"""The library each workspace is served, kept per process and fresh within seconds.

The protocol, for any number of replicas on one database:
1. The shipped library is indexed once per process (`LibraryHolder`); a workspace that changed
   nothing is served that very object.
2. A workspace's changes are rows (bot.services.workspace_guides). Each process remembers, per
   workspace, the library it built and the signature of the rows it was built from.
3. At most every `check_every` seconds per workspace, a request asks the database for the
   signature (one small query); only when it differs is that workspace's library rebuilt.
4. A workspace's library is the shipped index with small indexes of its own on top
   (bot.library.overlay): a rebuild after an edit indexes only what changed since its bulk was
   indexed (milliseconds; bench/tenant_library.py), and runs in the background while requests
   are served the library built before.
5. At start, every workspace with changes is built in the background (`warm`), so that its first
   request does not wait for its index; one that arrives before its build is done waits for that
   build, not for another.
So a change saved through any replica, or `inflow content import`, is served by every replica
within `check_every` seconds plus the rebuild, without a restart.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.library.matcher import Library
from bot.library.overlay import overlaid
from bot.library.schema import Guide
from bot.models import WorkspaceGuide
from bot.services import workspace_guides as store

log = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(seconds=2)  # how stale a replica may serve a workspace's library


@dataclass
class _Built:
    base: Library  # the shipped library it was built on (a reload of the files rebuilds it)
    signature: store.Signature
    library: Library
    checked_at: dt.datetime
    pending: store.Signature | None = None  # a rebuild for this signature is under way


class WorkspaceLibraries:
    """Each workspace's Library in this process: the shipped one, or its own when it has changes."""

    def __init__(
        self,
        shipped: Callable[[], Library],
        clock: Callable[[], dt.datetime],
        *,
        sessions: Callable[[], AbstractContextManager[Session]],
        run_later: Callable[[Callable[[], None]], None],
        check_every: dt.timedelta = CHECK_EVERY,
        build: Callable[[Library, Mapping[str, Guide], Library | None], Library] = overlaid,
    ):
        """`sessions` opens a session for a rebuild; `run_later` runs one in the background;
        `build` makes a workspace's library from the shipped one, the guides it serves (by id)
        and the library built for it before (whose indexes it may reuse)."""
        self._shipped = shipped
        self._clock = clock
        self._sessions = sessions
        self._run_later = run_later
        self._check_every = check_every
        self._build = build
        self._built: dict[str, _Built] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()
        self._parsed: dict[int, Guide | None] = {}  # row id -> its guide: rows never change

    def library(self, db: Session, team_id: str) -> Library:
        """The workspace's library, checked against the database at most every `check_every`."""
        base = self._shipped()
        built = self._fresh(team_id, base)
        if built is not None:
            return built.library
        with self._lock_of(team_id):  # one rebuild per workspace at a time; others wait for it
            built = self._fresh(team_id, base)
            if built is not None:
                return built.library
            return self._refresh(db, team_id, base)

    def _fresh(self, team_id: str, base: Library) -> _Built | None:
        built = self._built.get(team_id)
        if built is None or built.base is not base:
            return None
        elapsed = self._clock() - built.checked_at
        return built if dt.timedelta(0) <= elapsed < self._check_every else None

    def _lock_of(self, team_id: str) -> threading.RLock:
        with self._guard:  # reentrant: a rebuild run at once (tests) swaps under the same lock
            return self._locks.setdefault(team_id, threading.RLock())

    def _refresh(self, db: Session, team_id: str, base: Library) -> Library:
        now = self._clock()
        previous = self._built.get(team_id)
        try:
            signature = store.signature(db, team_id)
            if previous is None:  # never served here (nor warmed): build it now, the request waits
                rows = store.served_versions(db, team_id) if signature[0] else []
                library = self._library_of(team_id, base, rows, None)
                self._built[team_id] = _Built(base, signature, library, now)
                return library
        except SQLAlchemyError as error:
            # The request will meet the same database; serve what we had meanwhile.
            log.warning("workspace %s: library not checked: %s", team_id, error)
            return previous.library if previous is not None else base
        previous.checked_at = now
        unchanged = previous.base is base and previous.signature == signature
        if not unchanged and previous.pending != signature:
            previous.pending = signature
            self._run_later(lambda: self._rebuild(team_id, base))
        return previous.library  # until the rebuild is done

    def _rebuild(self, team_id: str, base: Library) -> None:
        """Build the workspace's library anew and swap it in (in the background)."""
        before = self._built.get(team_id)
        try:
            # The rows are read, then the session closed before indexing: on SQLite a
            # session holds the write lock, which requests must not wait for.
            with self._sessions() as db:
                signature = store.signature(db, team_id)
                rows = store.served_versions(db, team_id) if signature[0] else []
            previous = before.library if before is not None else None
            library = self._library_of(team_id, base, rows, previous)
        except Exception:
            log.exception("workspace %s: library not rebuilt; serving the one before", team_id)
            with self._lock_of(team_id):
                if (built := self._built.get(team_id)) is not None:
                    built.pending = None  # the next check tries again
            return
        with self._lock_of(team_id):
            self._built[team_id] = _Built(base, signature, library, self._clock())

    def warm(self) -> None:
        """Build, in the background, the library of every workspace with changes (at start):
        one after another, in one thread, so that requests meanwhile keep the rest."""
        try:
            with self._sessions() as db:
                teams = store.changed_workspaces(db)
        except SQLAlchemyError as error:
            log.warning("workspace libraries not warmed: %s", error)
            return
        if teams:
            self._run_later(functools.partial(self._warm, teams))

    def _warm(self, teams: list[str]) -> None:
        for team_id in teams:
            if team_id in self._built:
                continue  # a request got there first
            base = self._shipped()
            # Not under the workspace's lock: a request holding it may hold SQLite's write lock
            # too, which this session waits for. A request meanwhile builds it itself.
            try:
                with self._sessions() as db:
                    signature = store.signature(db, team_id)
                    rows = store.served_versions(db, team_id) if signature[0] else []
                library = self._library_of(team_id, base, rows, None)
            except Exception:
                log.exception("workspace %s: library not warmed", team_id)
                continue  # its first request builds it
            with self._lock_of(team_id):
                if team_id not in self._built:
                    self._built[team_id] = _Built(base, signature, library, self._clock())

    def _library_of(
        self,
        team_id: str,
        base: Library,
        rows: list[WorkspaceGuide],
        previous: Library | None,
    ) -> Library:
        changes = []
        for row in rows:
            state = store.GuideState(row.state)
            guide = None
            if state is store.GuideState.PUBLISHED:
                if row.id not in self._parsed:
                    self._parsed[row.id] = store.guide_of(row)
                guide = self._parsed[row.id]
            changes.append((row.guide_id, state, guide))
        if not changes:  # only drafts: nothing served differs
            return base
        log.info("workspace %s: library rebuilt with %d changes", team_id, len(changes))
        return self._build(base, store.served_guides(base.guides, changes), previous)
