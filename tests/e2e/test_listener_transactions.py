"""The suite's guard against Slack calls made inside a database transaction catches them on
the bot's own threads too: a listener's call fails the test that made the bot run it."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import Ack
from slack_sdk import WebClient
from sqlalchemy import select

from models import Workspace
from tests.conftest import RunningBot
from tests.txguard import TransactionGuard

pytestmark = pytest.mark.needs_contract


def test_a_listener_calling_slack_inside_its_transaction_is_caught(
    bot: RunningBot, transaction_guard: TransactionGuard
) -> None:
    """On the bot's own threads too: the listener's error handler turns the refusal into an
    apology, and the guard still has it on record for the test to fail."""

    def careless(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with bot.session_factory.begin() as db_session:
            db_session.scalars(select(Workspace)).all()
            client.chat_postMessage(channel=body["user"]["id"], text="inside a transaction")

    bot.app.action("careless_button")(careless)
    assert bot.driver.block_action("U0ALICE", "careless_button").status_code == 200
    apology = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0ALICE")
    assert "something went wrong on our side" in apology[0].args["text"]
    assert not [c for c in bot.slack.calls_to("chat.postMessage") if "inside" in c.args["text"]]
    bot.app.listener_runner.listener_executor.shutdown(wait=True)
    found = transaction_guard.take_violations()
    assert len(found) == 1 and "chat.postMessage" in found[0]
