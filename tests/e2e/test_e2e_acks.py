"""Slack is answered in time even while other listeners wait on Slack after their ack."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt.listener import thread_runner

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


def test_the_request_thread_is_handed_the_ack_rather_than_polling_for_it(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bolt's request thread would look for the ack every 10 ms; it is woken by the ack
    instead, so its first look finds it (for commands, buttons and events alike)."""
    looks: list[float] = []
    monkeypatch.setattr(
        thread_runner, "time", SimpleNamespace(time=time.time, sleep=lambda s: looks.append(s))
    )
    bot.slack.add_user("U0ALICE")
    assert "/mentoring status" in bot.driver.command("U0ALICE", "help").json()["text"]
    assert "You haven't joined" in bot.driver.command("U0ALICE", "status").text
    assert bot.driver.block_action("U0ALICE", "pause", value="2").status_code == 200
    event = {"type": "app_home_opened", "user": "U0ALICE", "tab": "home", "event_ts": "1.1"}
    assert bot.driver.event({**event, "channel": "D0ALICE"}).status_code == 200
    bot.slack.wait_for("views.publish")
    assert looks == []
