"""Who someone is, from `users.info`: remembered for an hour, and never waited on for long.

Checking a person picked in a form (a bot? deactivated? from another workspace?) is the one Web
API read a request makes before it answers. On a bad day Slack takes seconds to answer it, and
Slack gives up on inflow after 3. So a request waits at most `WAIT` for the answer; without one
the person gets the benefit of the doubt: a message to a bot or a deactivated account then fails
for good at delivery, and whoever sent it is told (the `tell` hook of bot.jobs.deliverer). The
answer, when it comes, is remembered for the next request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

WAIT = 0.05  # seconds a request waits for users.info before it goes on without the answer
KEPT_FOR = 3600.0  # seconds an answer is trusted
KEPT = 10_000  # answers remembered per process
NOT_FOUND = {"deleted": True, "not_found": True}

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inflow-users")
_known: OrderedDict[tuple[str, str], tuple[float, dict]] = OrderedDict()
_lock = threading.Lock()


def lookup(client: WebClient, user_id: str, *, wait: float | None = None) -> dict | None:
    """Slack's `user` object for `user_id` as `client`'s workspace sees it; None when Slack did
    not answer within `wait` seconds (WAIT by default; the answer is remembered when it comes)."""
    key = (client.token or "", user_id)
    with _lock:
        found = _known.get(key)
        if found is not None and time.monotonic() - found[0] < KEPT_FOR:
            _known.move_to_end(key)
            return found[1]
    return within(lambda: _fetch(client, key), wait=wait)


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
        if error.response.get("error") not in ("user_not_found", "account_inactive"):
            raise
        user = NOT_FOUND
    with _lock:
        _known[key] = (time.monotonic(), user)
        _known.move_to_end(key)
        while len(_known) > KEPT:
            _known.popitem(last=False)
    return user
