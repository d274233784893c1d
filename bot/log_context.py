"""Which Slack request and workspace a log line belongs to.

The WSGI layer binds a request id and the workspace's team id for each `/slack/events`
request; a logging filter copies them onto every record logged while they are bound. Bolt
runs listeners in a thread pool after the ack, and threads do not inherit context variables,
so the app's listener pool (`ContextCopyingExecutor`) runs each task in a copy of the context
of the thread that submitted it: the request's own lines and its listeners' lines carry the ids.
The dispatcher binds the team id of each message it sends.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "mentorbot_request_id", default=None
)
TEAM_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "mentorbot_team_id", default=None
)
# When the request reached us (time.monotonic()): what is left of Slack's 3-second windows.
REQUEST_STARTED: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "mentorbot_request_started", default=None
)

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def bound(*, request_id: str | None = None, team_id: str | None = None) -> Iterator[None]:
    """Attach these ids to every line logged inside the block (ids left None keep theirs);
    with a request id, the request's arrival is bound too (REQUEST_STARTED)."""
    tokens: list[tuple[contextvars.ContextVar[str | None], contextvars.Token[str | None]]] = []
    for var, value in ((REQUEST_ID, request_id), (TEAM_ID, team_id)):
        if value is not None:
            tokens.append((var, var.set(value)))
    started = REQUEST_STARTED.set(time.monotonic()) if request_id is not None else None
    try:
        yield
    finally:
        if started is not None:
            REQUEST_STARTED.reset(started)
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Puts `request_id` and `team_id` on each record (None when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        if getattr(record, "team_id", None) is None:
            record.team_id = TEAM_ID.get()
        return True


class ContextCopyingExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the context of the thread that submitted them."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()

        def run() -> T:
            return context.run(fn, *args, **kwargs)

        return super().submit(run)
