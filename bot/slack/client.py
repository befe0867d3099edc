"""The Web API client every part of inflow uses: pointed at SLACK_API_URL, with retry handlers."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)


def make_client(
    token: str | None, base_url: str, *, timeout: int = 10, retries: int = 2
) -> WebClient:
    """A WebClient that honours Retry-After on 429 and backs off on 5xx and network errors.

    Requests answer people, so they retry little; the deliverer, which has time, retries more.
    """
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
