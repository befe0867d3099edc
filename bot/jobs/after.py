"""What a request causes besides its answer, carried out after its transaction commits.

Slack waits at most 3 s for an answer, and on a bad day one Web API call takes longer than that.
So a listener never calls Slack for a side effect while Slack waits: it states the effect on
`after` (a listener argument, like `db`), acknowledges, and the app carries the effect out once
the request's transaction has committed.

- `after.send(...)`: a message a person caused (a DM, a post in a channel, a group DM). It is
  written to the outbox in the request's own transaction, so a rolled-back request sends
  nothing, and a request Slack delivers twice adds nothing (the outbox key is unique). It is
  delivered right after the commit; if the process dies first, a deliverer pass (every 30 s in
  any replica, and at once when a process starts) sends it, once, looking for it in the
  conversation before any second try.
- `after.then(...)`: what only makes sense now: open a modal (its trigger lasts 3 s), update the
  clicked message, answer through the response_url, publish a Home tab. Run after the commit
  too, after the request's messages are delivered (so an answer can say whether they went);
  lost with the process, which the person sees and can repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.outbox import OutboxKind


@dataclass
class After:
    """The effects one request has stated so far."""

    session: Session
    team_id: str
    now: dt.datetime
    request_id: str = ""
    rows: list[int] = field(default_factory=list)
    work: list[tuple[str, Callable[[], object]]] = field(default_factory=list)
    # After delivery, before the work: each row's outcome ("sent", or Slack's reason it wasn't)
    outcomes: dict[int, str] = field(default_factory=dict)
    carried_out: bool = False  # set once the commit happened and its work began

    def send(
        self,
        to: str | list[str],
        message: dict,
        *,
        about: str,
        part: str = "",
        on_sent: tuple[str, Any] | None = None,
        on_failed: tuple[str, Any] | None = None,
    ) -> int | None:
        """Send `message` after the commit: to a person (their DM with inflow), a channel, or
        several people (a group DM with inflow). `about` and `part` name it for good (say
        "strength:42" and "receiver"): the same names twice are one message. `on_sent` names
        a hook in `bot.jobs.deliverer.ON_SENT` and the id it records the message's place on;
        `on_failed` one in `ON_FAILED` that puts things back when Slack refuses it for good.

        Returns the outbox row's id (see `sent`), or None when this message was already stated
        (a repeated request)."""
        recipient = ",".join(sorted(to)) if isinstance(to, list) else to
        stored = dict(message)
        if on_sent is not None:
            stored["_on_sent"] = list(on_sent)
        if on_failed is not None:
            stored["_on_failed"] = list(on_failed)
        row = outbox.insert(
            self.session,
            team_id=self.team_id,
            recipient=recipient,
            kind=OutboxKind.REPLY,
            subject=about,
            occurrence=part or recipient,
            due_at=self.now,
            message=stored,
        )
        if row is not None:
            self.rows.append(row)
        return row

    def sent(self, row: int | None) -> bool:
        """Whether a message went (for `then` work, which runs after delivery)."""
        return row is not None and self.outcomes.get(row) == "sent"

    def notice(self, to: str, message: dict) -> None:
        """A message about this request alone (an error on the Home tab, say): one per request."""
        self.send(to, message, about="notice", part=self.request_id or f"{self.now:%H%M%S%f}")

    def then(self, name: str, work: Callable[[], object]) -> None:
        """Run `work` after the commit (and only if the request committed)."""
        self.work.append((name, work))

    @property
    def empty(self) -> bool:
        return not self.rows and not self.work
