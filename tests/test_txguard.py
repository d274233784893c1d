"""The suite's guard against Slack calls made inside a database transaction catches them, on
the test's thread and on the bot's own, and lets calls made after the commit through."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import Ack
from slack_sdk import WebClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from models import Workspace
from tests.conftest import RunningBot
from tests.fakeslack import FakeSlack
from tests.txguard import SlackCallInTransactionError, TransactionGuard

pytestmark = pytest.mark.needs_contract


def test_a_call_inside_an_orm_transaction_is_refused_before_it_reaches_slack(
    session_factory: sessionmaker[Session],
    client: WebClient,
    slack: FakeSlack,
    transaction_guard: TransactionGuard,
) -> None:
    with pytest.raises(SlackCallInTransactionError), session_factory.begin() as db_session:
        db_session.scalars(select(Workspace)).all()
        client.chat_postMessage(channel="U0ANYONE", text="sent while the transaction is open")
    assert slack.calls_to("chat.postMessage") == []
    [found] = transaction_guard.take_violations()
    assert "chat.postMessage while an ORM session's transaction was open" in found
    assert "test_txguard.py" in found  # where it happened

    # After the commit, the same call goes through.
    with session_factory.begin() as db_session:
        db_session.scalars(select(Workspace)).all()
    client.chat_postMessage(channel="U0ANYONE", text="sent after the commit")
    assert [c.args["text"] for c in slack.calls_to("chat.postMessage")] == ["sent after the commit"]


def test_a_transaction_begun_on_a_connection_counts_too(
    session_factory: sessionmaker[Session],
    client: WebClient,
    transaction_guard: TransactionGuard,
) -> None:
    engine = session_factory.kw["bind"]
    with pytest.raises(SlackCallInTransactionError), engine.begin() as connection:
        connection.execute(text("SELECT 1"))
        client.users_info(user="U0ANYONE")
    assert "users.info while a connection's transaction" in transaction_guard.take_violations()[0]


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
