"""The suite's guard against Slack calls made inside a database transaction catches them and
lets calls made after the commit through (on the bot's own threads:
tests/e2e/test_listener_transactions.py)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from models import Workspace
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
