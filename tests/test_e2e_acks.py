"""Slack is answered in time even while other listeners wait on Slack after their ack."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from bot.app import LISTENER_THREADS
from tests.conftest import RunningBot

pytestmark = pytest.mark.needs_contract
BOLT_DEFAULT_THREADS = 5
SLOW_HOMES = 8  # more than Bolt's default number of listener threads, fewer than ours


def test_a_command_is_answered_while_slack_is_slow_to_publish_other_homes(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SLOW_HOMES < LISTENER_THREADS
    publish = bot.slack._answer_views_publish
    release, waiting = threading.Event(), threading.Semaphore(0)

    def slow_publish(args: dict[str, Any]) -> dict[str, Any]:
        waiting.release()
        release.wait(10)
        return publish(args)

    monkeypatch.setattr(bot.slack, "_answer_views_publish", slow_publish)
    try:
        for n in range(SLOW_HOMES):
            bot.slack.add_user(f"U0HOME{n}")
            opened = bot.driver.event(
                {
                    "type": "app_home_opened",
                    "user": f"U0HOME{n}",
                    "channel": f"D0HOME{n}",
                    "tab": "home",
                    "event_ts": f"1.{n}",
                }
            )
            assert opened.status_code == 200
        for _ in range(BOLT_DEFAULT_THREADS):  # as many listeners as Bolt would run wait on Slack
            assert waiting.acquire(timeout=5)
        response = bot.driver.command("U0ALICE", "help")
        assert response.status_code == 200
        assert "/mentoring status" in response.json()["text"]
    finally:
        release.set()
    published = bot.slack.wait_for("views.publish", count=SLOW_HOMES)
    assert {c.args["user_id"] for c in published} == {f"U0HOME{n}" for n in range(SLOW_HOMES)}
