"""A form opens while every ordinary listener thread is busy saving submissions: listeners
that may spend a trigger_id run on threads of their own (Slack honours a trigger for 3 s)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from bot.acks import KeptAck, ListenerPool, spends_trigger

COMMAND = {"command": "/mentoring", "text": "join", "trigger_id": "1.2.3", "user_id": "U1"}
BUTTON = {"type": "block_actions", "trigger_id": "1.2.4", "actions": [{"action_id": "x"}]}
SUBMISSION = {"type": "view_submission", "trigger_id": "1.2.5", "view": {"id": "V1"}}


def test_commands_and_buttons_may_spend_a_trigger_and_submissions_never_do() -> None:
    assert spends_trigger(COMMAND) and spends_trigger(BUTTON)
    assert not spends_trigger(SUBMISSION)
    assert not spends_trigger({"type": "view_closed", "trigger_id": "1.2.6"})
    assert not spends_trigger({"type": "event_callback", "event": {"type": "app_home_opened"}})


def test_a_form_opens_while_every_ordinary_listener_thread_is_busy() -> None:
    pool = ListenerPool(max_workers=2, trigger_workers=1)
    release = threading.Event()
    try:
        # Two slow submissions hold both ordinary threads; a third waits behind them.
        busy = [pool.submit(release.wait, 30) for _ in range(3)]
        started = time.monotonic()
        pool.expect(KeptAck(), triggered=spends_trigger(COMMAND))
        opened = pool.submit(lambda: "form opened")
        assert opened.result(timeout=2) == "form opened"
        assert time.monotonic() - started < 2
        assert not any(job.done() for job in busy)
    finally:
        release.set()
        pool.shutdown()


def test_without_the_trigger_flag_the_form_would_wait_behind_them() -> None:
    """The same pool, the command handed over as a submission is: it waits its turn."""
    pool = ListenerPool(max_workers=1, trigger_workers=1)
    release = threading.Event()
    try:
        pool.submit(release.wait, 30)
        waiting = pool.submit(lambda: "form opened")
        with pytest.raises(FutureTimeout):
            waiting.result(timeout=0.3)
        release.set()
        assert waiting.result(timeout=2) == "form opened"
    finally:
        release.set()
        pool.shutdown()
