"""Answering Slack with the ack: as soon as a listener gives it, and never taking it back.

Bolt (1.30, process_before_response off, as here) hands each listener to its executor and has
the request thread look for the ack every 10 ms. Each ack then waits for the next look, and
under load the request threads, waking a hundred times a second each, compete with the
listeners for the interpreter. Here the request thread waits instead on an event that the ack
sets (or that the listener's end sets, if it never acks), so Bolt's first look finds the ack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.log_context import ContextCopyingExecutor

P = ParamSpec("P")
T = TypeVar("T")

# As long as Bolt waits for an ack (a listener's ack_timeout) before giving up on it.
ACK_WAIT_SECONDS = 3.0


class KeptAck(Ack):
    """An ack that, once given, stays given, and says when it is given.

    When a listener fails after calling ack(), Bolt's thread runner sets `ack.response` back to
    None once the error handler has run. Had the request thread not looked yet, it would never
    see the ack, wait out Slack's 3 seconds and answer 404 "unhandled request", which Slack
    shows the person as an error on top of our own explanation.
    """

    def __init__(self) -> None:
        self._given: BoltResponse | None = None
        self.given = threading.Event()
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._given

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self._given is None:
            self._given = value
        if value is not None:
            self.given.set()


class ListenerPool(ContextCopyingExecutor):
    """The threads listeners run on; handing a listener over returns once it has acked.

    `background` runs work that outlives its request (a matching solve) on threads of its own,
    so it never holds up listeners. `later` runs what a listener leaves once it has answered
    and that can wait (a confirmation DM, an App Home refresh): on a few threads of its own, so
    that under a crowd the listeners stay free for what cannot wait, a form to open on a
    trigger that Slack honours for 3 seconds. Shutting the pool down waits for all three.
    """

    def __init__(
        self,
        max_workers: int,
        background_workers: int = 2,
        later_workers: int = 4,
        trigger_workers: int = 8,
    ) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._expected = threading.local()
        # Listeners that may spend a trigger_id (a command, a shortcut, a button) run on
        # threads of their own: a form must open within Slack's 3 seconds, so it never waits
        # for a thread behind submissions being saved.
        self.triggered = ContextCopyingExecutor(
            max_workers=trigger_workers, thread_name_prefix="triggered"
        )
        self.background = ContextCopyingExecutor(
            max_workers=background_workers, thread_name_prefix="background"
        )
        self.later = ContextCopyingExecutor(max_workers=later_workers, thread_name_prefix="later")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.triggered.shutdown(wait=wait, cancel_futures=cancel_futures)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self.later.shutdown(wait=wait, cancel_futures=cancel_futures)
        self.background.shutdown(wait=wait, cancel_futures=cancel_futures)

    def expect(self, ack: KeptAck, *, triggered: bool = False) -> None:
        """The ack of the listener that the calling (request) thread hands over next, and
        whether its request carries a trigger_id the listener may spend."""
        self._expected.ack = ack
        self._expected.triggered = triggered

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ack: KeptAck | None = getattr(self._expected, "ack", None)
        triggered = getattr(self._expected, "triggered", False)
        self._expected.ack, self._expected.triggered = None, False
        if triggered:
            future = self.triggered.submit(fn, *args, **kwargs)
        else:
            future = super().submit(fn, *args, **kwargs)
        if ack is not None:
            future.add_done_callback(lambda _done: ack.given.set())
            ack.given.wait(ACK_WAIT_SECONDS)
        return future


def register(app: App, pool: ListenerPool) -> None:
    @app.middleware
    def keep_acks(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        ack = KeptAck()
        context["ack"] = ack
        # This middleware runs on the request thread, just before the handover.
        pool.expect(ack, triggered=spends_trigger(body))
        return next()


def spends_trigger(body: dict[str, Any]) -> bool:
    """A request whose listener may open a form on its trigger_id (a submission's answer is
    the ack itself, so it never needs one)."""
    return "trigger_id" in body and body.get("type") not in ("view_submission", "view_closed")
