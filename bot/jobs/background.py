"""Work that happens after Slack has its answer: a busy workspace never makes Slack wait.

Event listeners acknowledge at once and hand the rest (matching, limits, posting) to this pool.
Failures are logged, never raised at Slack. Tests `join()` it to see what the work did, rather
than sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def refusal(error: SlackApiError) -> str:
    """Slack's error code for a refused call (never the call's arguments)."""
    response = error.response
    return str(response.get("error") or f"http_{response.status_code}")


class Background:
    def __init__(self, workers: int = 8):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inflow-bg")
        # Work a person is waiting to see (a modal whose trigger lasts 3 s) never queues behind
        # deliveries, each of which may take seconds on a slow day.
        self._prompt = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inflow-now")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        self.failures: list[str] = []  # work that raised, Slack's refusals aside (tests fail)

    def submit(self, name: str, work: Callable[[], None], *, prompt: bool = False) -> None:
        def run() -> None:
            try:
                work()
            except SlackApiError as error:  # Slack said no (not in the channel, say): expected
                log.warning("background work %s: Slack refused: %s", name, refusal(error))
            except Exception:
                log.exception("background work %s failed", name)
                self.failed(name)

        future = (self._prompt if prompt else self._pool).submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def failed(self, name: str) -> None:
        with self._lock:
            self.failures.append(name)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def join(self, timeout: float = 10.0) -> None:
        """Wait until everything submitted so far has finished (for tests and shutdown)."""
        with self._lock:
            pending = set(self._pending)
        wait(pending, timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
        self._prompt.shutdown(wait=True)
