"""Who someone is, from `users.info`: remembered for an hour, and never waited on for long.

Checking a person picked in a form (a bot? deactivated? from another workspace?) is the one Web
API read a request makes before it answers. On a bad day Slack takes seconds to answer it, and
Slack gives up on inflow after 3. So a request waits at most `WAIT` for the answer; without one
the person gets the benefit of the doubt: a message to a bot or a deactivated account then fails
for good at delivery, and whoever sent it is told (the `tell` hook of bot.jobs.deliverer). The
answer, when it comes, is remembered for the next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

WAIT = 0.05  # seconds a request waits for users.info before it goes on without the answer
KEPT_FOR = 3600.0  # seconds an answer is trusted
KEPT = 10_000  # answers remembered per process
NOT_FOUND = {"deleted": True, "not_found": True}
# users.info's answers for someone this workspace's inflow cannot pick: gone, or out of sight
# (another organisation's guest, say).
NOT_FOUND_ERRORS = ("user_not_found", "user_not_visible", "account_inactive")

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inflow-users")
_known: OrderedDict[tuple[str, str], tuple[float, dict]] = OrderedDict()
_lock = threading.Lock()


def lookup(client: WebClient, user_id: str, *, wait: float | None = None) -> dict | None:
    """Slack's `user` object for `user_id` as `client`'s workspace sees it; None when Slack did
    not answer within `wait` seconds (WAIT by default; the answer is remembered when it comes)
    or would not say."""
    key = (client.token or "", user_id)
    with _lock:
        found = _known.get(key)
        if found is not None and time.monotonic() - found[0] < KEPT_FOR:
            _known.move_to_end(key)
            return found[1]
    try:
        return within(lambda: _fetch(client, key), wait=wait)
    except (SlackApiError, SlackClientError, OSError) as error:
        # Slack refused to say (rate-limited, a hiccup) or could not be reached: as if it were
        # slow. A message to someone who cannot get it then fails at delivery, and is told.
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        log.warning("users.info %s gave no answer: %s", user_id, reason)
        return None


def within(work, *, wait: float | None = None):
    """`work()`'s result if it comes within `wait` seconds (WAIT by default), else None; it goes
    on in the background either way. For a Web API read a request would like, not need."""
    future = _pool.submit(work)
    try:
        return future.result(timeout=WAIT if wait is None else wait)
    except FutureTimeout:
        return None


def forget_all() -> None:
    """Forget every answer (tests)."""
    with _lock:
        _known.clear()


def _fetch(client: WebClient, key: tuple[str, str]) -> dict:
    try:
        user = client.users_info(user=key[1])["user"]
    except SlackApiError as error:
        if error.response.get("error") not in NOT_FOUND_ERRORS:
            raise
        user = NOT_FOUND
    with _lock:
        _known[key] = (time.monotonic(), user)
        _known.move_to_end(key)
        while len(_known) > KEPT:
            _known.popitem(last=False)
    return user
