"""The Web API client every part of inflow uses: pointed at SLACK_API_URL, with retry handlers."""

from __future__ import annotations

import json
import re
import time
from typing import Protocol
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

# Slack's method names and error codes are short snake_case words; anything else is not put
# into a metric label (labels must stay few, and must never carry a person's words).
_WORD = re.compile(r"[A-Za-z0-9_.]{1,64}")


class WebApiObserver(Protocol):
    """Told about the Web API's error answers and rate-limit waits (bot.metrics.Metrics is one)."""

    def slack_api_error(self, method: str, error: str) -> None: ...

    def rate_limit_waited(self, method: str, seconds: float) -> None: ...


def make_client(
    token: str | None,
    base_url: str,
    *,
    timeout: int = 10,
    retries: int = 2,
    network_retries: int | None = None,
    observer: WebApiObserver | None = None,
) -> WebClient:
    """A WebClient that honours Retry-After on 429 and backs off on 5xx and network errors.

    Requests answer people, so they retry little; the deliverer, which has time, retries more.
    `network_retries` (default: `retries`) bounds the tries after a lost connection: a command
    at a terminal says at once that Slack cannot be reached instead of backing off for half a
    minute.
    With an `observer`, every error answer and every rate-limit wait is reported to it. Bolt
    copies these handlers into the client it makes for each request, so listeners' calls are
    observed too.
    """
    rate_limits = (
        TimedRateLimitRetryHandler(observer, max_retry_count=retries)
        if observer is not None
        else RateLimitErrorRetryHandler(max_retry_count=retries)
    )
    handlers: list[RetryHandler] = [
        OnlyIfRepeatable(
            ConnectionErrorRetryHandler(
                max_retry_count=retries if network_retries is None else network_retries
            )
        ),
        rate_limits,
        OnlyIfRepeatable(ServerErrorRetryHandler(max_retry_count=retries)),
    ]
    if observer is not None:
        # First in the list: the SDK asks the handlers in order and stops at the first that
        # retries, so only the first one sees every answer.
        handlers.insert(0, ErrorWatcher(observer))
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


# Calls that do something new each time: after a 5xx or a broken connection Slack may have
# done it, so they are never repeated blindly (the outbox looks for the message first).
NOT_REPEATABLE = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "files.completeUploadExternal",
        "views.open",
        "views.push",
    }
)


class OnlyIfRepeatable(RetryHandler):
    """A retry handler's judgement, for calls that are safe to make twice only.

    A 429 is Slack saying it did nothing, so rate limits are retried for every call (by the
    rate-limit handler); a 5xx or a lost connection may come after Slack carried the call out.
    """

    def __init__(self, inner: RetryHandler):
        super().__init__(
            max_retry_count=inner.max_retry_count, interval_calculator=inner.interval_calculator
        )
        self.inner = inner

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if method_of(request) in NOT_REPEATABLE:
            return False
        return self.inner._can_retry(state=state, request=request, response=response, error=error)

    def prepare_for_next_attempt(self, **kwargs) -> None:
        self.inner.prepare_for_next_attempt(**kwargs)


class ErrorWatcher(RetryHandler):
    """Never retries; reports each answer that is not `ok` (and each network failure)."""

    def __init__(self, observer: WebApiObserver):
        super().__init__(max_retry_count=0)
        self.observer = observer

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None:
            if error is not None:
                self.observer.slack_api_error(method_of(request), "network")
            return False
        reason = _error_of(response)
        if reason is not None:
            self.observer.slack_api_error(method_of(request), reason)
        return False

    def _can_retry(self, **_kwargs) -> bool:
        return False


class TimedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Slack's own Retry-After handling, timing each wait for the observer."""

    def __init__(self, observer: WebApiObserver, **kwargs):
        super().__init__(**kwargs)
        self.observer = observer

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        started = time.monotonic()
        try:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
        finally:
            self.observer.rate_limit_waited(method_of(request), time.monotonic() - started)


def method_of(request: HttpRequest) -> str:
    """`chat.postMessage` from `https://slack.com/api/chat.postMessage?…`."""
    name = urlsplit(request.url).path.rsplit("/", 1)[-1]
    return name if _WORD.fullmatch(name) else "other"


def _error_of(response: HttpResponse) -> str | None:
    body = response.body or {}
    if not body and response.data and response.data[:1] == b"{":
        try:
            body = json.loads(response.data)
        except ValueError:
            body = {}
    if response.status_code < 400 and body.get("ok", True):
        return None
    error = body.get("error")
    if isinstance(error, str) and _WORD.fullmatch(error):
        return error
    return f"http_{response.status_code}"
