"""Several dispatchers on one database send each message once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.dispatcher import dispatch
from bot.services import outbox
from models import OutboxMessage
from models.db import make_engine, make_session_factory
from models.enums import OutboxState
from tests.conftest import BOT_TOKEN
from tests.factories import BOOKED_AT, seed_pair
from tests.fakeslack import FakeSlack

MESSAGES = 1000
WORKERS = 4


def all_at_once(
    engine: Engine,
    slack: FakeSlack,
    work: Callable[[sessionmaker[Session], WebClient], None],
    *,
    timeout: float,
) -> None:
    """`work` on WORKERS threads started together, each with its own engine (its own
    connections, like a separate process); fails with what any of them raised."""
    url = engine.url.render_as_string(hide_password=False)
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def worker() -> None:
        own_engine = make_engine(url)
        try:
            client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
            start.wait()
            work(make_session_factory(own_engine), client)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            own_engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == []


def test_four_dispatchers_on_postgres_send_1000_messages_exactly_once(
    engine: Engine, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED claims are a Postgres matter; SQLite serialises writers")
    seeded = seed_pair(session_factory, now=BOOKED_AT - timedelta(days=30))
    now = BOOKED_AT
    with session_factory.begin() as db_session:
        for n in range(MESSAGES):
            outbox.enqueue(
                db_session,
                team_id=seeded.team_id,
                dedupe_key=f"nudge:load:{n}",
                kind="nudge",
                channel=f"U{n:07d}",
                payload={"pair_id": seeded.pair_id, "days": 20},
                due_at=now,
                now=now,
                pair_id=seeded.pair_id,
            )

    def drain(factory: sessionmaker[Session], client: WebClient) -> None:
        while dispatch(factory, client, now=now, batch=20, max_batches=1).handled:
            pass

    all_at_once(engine, slack, drain, timeout=120)
    per_channel = Counter(c.args["channel"] for c in slack.calls_to("chat.postMessage"))
    assert len(per_channel) == MESSAGES
    assert set(per_channel.values()) == {1}
    with session_factory.begin() as db_session:
        sent = db_session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.state == OutboxState.SENT)
        )
    assert sent == MESSAGES


def test_four_dispatchers_never_send_two_messages_to_one_channel_in_a_second(
    engine: Engine, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent claims are a Postgres matter; SQLite serialises writers")
    seeded = seed_pair(session_factory, now=BOOKED_AT - timedelta(days=30))
    with session_factory.begin() as db_session:
        for n in range(20):
            outbox.enqueue(
                db_session,
                team_id=seeded.team_id,
                dedupe_key=f"nudge:one-channel:{n}",
                kind="nudge",
                channel=seeded.channel,
                payload={"pair_id": seeded.pair_id, "days": 20},
                due_at=BOOKED_AT,
                now=BOOKED_AT,
                pair_id=seeded.pair_id,
            )

    def claim_five_times(factory: sessionmaker[Session], client: WebClient) -> None:
        for _ in range(5):  # all at the same instant
            dispatch(factory, client, now=BOOKED_AT, batch=1)

    all_at_once(engine, slack, claim_five_times, timeout=60)
    assert len(slack.calls_to("chat.postMessage")) == 1
