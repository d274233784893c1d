"""One more try after Slack's 429 for the calls that answer a person in a modal.

`views.open` and `views.push` spend a trigger, which Slack honours for 3 seconds from the
person's click; `views.update` shows them the outcome of what they just did. When Slack answers
one of these with 429, waiting out its Retry-After is worth it only if the answer still arrives
in that window: counted from when the request reached us (bound per request, see
bot.log_context), or from the call itself outside a request. Every other call, and every other
failure, is left to its caller (the outbox dispatcher has its own retries and backoff).
"""

from __future__ import annotations

import time

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import log_context

MODAL_METHODS = frozenset({"views.open", "views.push", "views.update"})
TRIGGER_SECONDS = 3.0
MARGIN_SECONDS = 0.5  # the retry's own round trip


def _method(request: HttpRequest) -> str:
    return request.url.split("?", 1)[0].rsplit("/", 1)[-1]


def _retry_after(response: HttpResponse) -> float | None:
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            try:
                return float(values[0])
            except (IndexError, ValueError):
                return None
    return None


class TriggerWindowRetryHandler(RetryHandler):
    """slack_sdk retry handler: a modal call's 429 is retried once, if Retry-After fits."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429 or _method(request) not in MODAL_METHODS:
            return False
        wait = _retry_after(response)
        if wait is None:
            return False
        started = log_context.REQUEST_STARTED.get()
        elapsed = time.monotonic() - started if started is not None else 0.0
        if elapsed + wait > TRIGGER_SECONDS - MARGIN_SECONDS:
            return False
        state.custom_values = {"wait": wait}
        return True

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(float((state.custom_values or {}).get("wait", 0.0)))
        state.increment_current_attempt()


def with_modal_retry(client: WebClient) -> WebClient:
    """The client, retrying modal calls once on 429 (Bolt copies this to each request's)."""
    if not any(isinstance(h, TriggerWindowRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(TriggerWindowRetryHandler())
    return client
