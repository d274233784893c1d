"""A modal call Slack answers with 429 is tried once more when Slack's Retry-After still fits the
3 seconds a trigger lives, and not otherwise; no other call is retried this way."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack_retry import with_modal_retry
from tests.conftest import BOT_TOKEN, RunningBot
from tests.fakeslack import Failure, FakeSlack, new_trigger_id

pytestmark = pytest.mark.needs_contract

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "A form"},
    "blocks": [{"type": "divider"}],
}


def test_a_rate_limited_form_opens_on_the_second_try_inside_the_trigger_window(
    bot: RunningBot,
) -> None:
    bot.slack.add_user("U0ALICE")
    bot.slack.fail("views.open", Failure(status=429, retry_after=1))
    sent = time.time()
    assert bot.driver.command("U0ALICE", "join").status_code == 200
    opened = bot.slack.wait_for("views.open")[-1]
    calls = bot.slack.calls_to("views.open")
    assert [c.status for c in calls] == [429, 200]
    assert 1.0 <= opened.at - sent < 3.0  # waited out Retry-After, and the trigger still held
    assert opened.view["title"]["text"] == "Join reverse mentoring"


def test_a_retry_after_longer_than_the_window_is_not_waited_for(bot: RunningBot) -> None:
    bot.slack.add_user("U0ALICE")
    bot.slack.fail("views.open", Failure(status=429, retry_after=5))
    assert bot.driver.command("U0ALICE", "join").status_code == 200
    apology = bot.slack.wait_for_response()
    assert "Sorry, something went wrong on our side" in apology["text"]
    assert [c.status for c in bot.slack.calls_to("views.open")] == [429]


def test_messages_are_left_to_their_caller(slack: FakeSlack) -> None:
    client = with_modal_retry(WebClient(token=BOT_TOKEN, base_url=slack.api_url))
    slack.fail("chat.postMessage", Failure(status=429, retry_after=1))
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U0ALICE", text="hello")
    assert len(slack.calls_to("chat.postMessage")) == 1
    # views.update outside any request: the window counts from the call itself.
    view = client.views_open(
        trigger_id=new_trigger_id(1),
        view=MODAL,
    )["view"]
    slack.fail("views.update", Failure(status=429, retry_after=1))
    client.views_update(
        view_id=view["id"],
        view=MODAL,
    )
    assert [c.status for c in slack.calls_to("views.update")] == [429, 200]
