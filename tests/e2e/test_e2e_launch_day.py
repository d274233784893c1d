"""Launch day: a crowd types `/mentoring join` at once. Slack honours a trigger for 3 seconds
(the fake Slack refuses a later views.open, as Slack does), so every form must open in time,
every sign-up complete, and each person be confirmed once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.localslack.emulator import new_trigger_id
from models import Participant
from tests.conftest import RunningBot
from tests.flows import MENTEE_FORM
from tests.support import eventually

PEOPLE = 30


def _modal_of(bot: RunningBot, user: str) -> dict[str, Any] | None:
    stack = bot.slack.state.stacks.get(user) or []
    return bot.slack.views.get(stack[-1]) if stack else None


def _sign_up(bot: RunningBot, user: str, start: threading.Barrier) -> float:
    """One person through the real form; returns seconds from the command to the form."""
    start.wait()
    sent = time.monotonic()
    assert bot.driver.command(user, "join").status_code == 200
    form = eventually(lambda: _modal_of(bot, user), timeout=10, what=f"{user}'s form")
    opened = time.monotonic() - sent
    topics = MENTEE_FORM["learn_topics"]
    bot.driver.view_action(user, form, "learn_topics", {"learn_topics": topics})
    form = eventually(
        lambda: (v := _modal_of(bot, user)) and v["hash"] != form["hash"] and v,
        timeout=10,
        what=f"{user}'s form with a rating per topic",
    )
    inputs = {**MENTEE_FORM, **{f"rating:{t}": "2" for t in topics}}
    assert bot.driver.submit_view(user, form, inputs).status_code == 200
    return opened


def test_a_crowd_signs_up_at_once_and_every_form_opens_in_time(bot: RunningBot) -> None:
    people = [f"U0CROWD{n:02d}" for n in range(PEOPLE)]
    for user in people:
        bot.slack.add_user(user, tz="Europe/London")
    start = threading.Barrier(PEOPLE)
    with ThreadPoolExecutor(PEOPLE) as crowd:
        opened = list(crowd.map(lambda user: _sign_up(bot, user, start), people))

    # No form came after its trigger expired, and each opened once.
    assert [c.response.get("error") for c in bot.slack.calls_to("views.open") if not c.ok] == []
    assert len(bot.slack.calls_to("views.open")) == PEOPLE
    assert max(opened) < 3
    # Every sign-up completed, and each person is confirmed exactly once.
    with bot.session_factory() as db_session:
        joined = db_session.scalar(select(func.count()).select_from(Participant))
    assert joined == PEOPLE
    for user in people:
        confirmations = eventually(
            lambda user=user: [
                c
                for c in bot.slack.dms_to(user)
                if "signed up for reverse mentoring" in c.args.get("text", "")
            ],
            timeout=10,
            what=f"{user}'s confirmation",
        )
        assert len(confirmations) == 1, user


def test_a_form_whose_trigger_expired_asks_the_person_to_try_again(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = new_trigger_id(999_999, time.time() - 4)  # Slack issued it 4 s ago
    monkeypatch.setattr(bot.driver, "_trigger_id", lambda user_id=None: stale)
    bot.slack.add_user("U0LATE")
    assert bot.driver.command("U0LATE", "join").status_code == 200
    answer = bot.slack.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "That took too long — please run `/mentoring join` again."
    assert [c.response.get("error") for c in bot.slack.calls_to("views.open")] == [
        "expired_trigger_id"
    ]
