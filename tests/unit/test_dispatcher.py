"""The dispatcher against a misbehaving Slack: rate limits, outages, permanent errors, crashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.dispatcher import dispatch
from bot.services import outbox
from models import OutboxMessage, Pair
from models.enums import OutboxState
from tests.conftest import BOT_TOKEN
from tests.factories import BOOKED_AT, DAY_BEFORE, MENTEE_USER, SeededPair, book, seed_pair
from tests.fakeslack import Failure, FakeSlack

T0 = DAY_BEFORE


def delivered(slack: FakeSlack, user: str) -> int:
    return len(slack.dms_to(user))


def row_for(session_factory: sessionmaker[Session], user: str) -> OutboxMessage:
    with session_factory.begin() as db_session:
        row = db_session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == user, OutboxMessage.dedupe_key.like("reminder:24h:%")
            )
        ).one()
        db_session.expunge(row)
        return row


def test_429_retry_after_2_is_obeyed_and_delivers_once(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    book(session_factory, pair)
    slack.fail("chat.postMessage", Failure(status=429, retry_after=2))
    dispatch(session_factory, client, now=T0)
    # Refused with 429: the workspace's other message waits as long, instead of being refused.
    assert len(slack.calls_to("chat.postMessage")) == 1
    refused = slack.calls_to("chat.postMessage")[0]
    assert refused.status == 429
    user = refused.args["channel"]
    other = pair.mentee_user if user == pair.mentor_user else pair.mentor_user
    dispatch(session_factory, client, now=T0 + timedelta(seconds=1))
    assert len(slack.calls_to("chat.postMessage")) == 1  # not before 2 s
    dispatch(session_factory, client, now=T0 + timedelta(seconds=2))
    assert delivered(slack, user) == 1 and delivered(slack, other) == 1
    dispatch(session_factory, client, now=T0 + timedelta(seconds=30))
    assert delivered(slack, user) == 1 and delivered(slack, other) == 1
    assert row_for(session_factory, user).state == OutboxState.SENT
    assert row_for(session_factory, other).attempts == 1  # waiting used no attempt


def queue_nudge(session_factory: sessionmaker[Session], seeded: SeededPair, n: int = 0) -> None:
    with session_factory.begin() as db_session:
        outbox.enqueue(
            db_session,
            team_id=seeded.team_id,
            dedupe_key=f"nudge:test:{n}",
            kind="nudge",
            channel=seeded.channel,
            payload={"pair_id": seeded.pair_id, "days": 20 + n},
            due_at=T0,
            now=T0,
            pair_id=seeded.pair_id,
        )


def test_500_twice_then_ok_delivers_once_with_backoff(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    queue_nudge(session_factory, pair)
    slack.fail("chat.postMessage", Failure(status=500), Failure(status=500))

    def tries_at(seconds: float) -> int:
        dispatch(session_factory, client, now=T0 + timedelta(seconds=seconds))
        return len(slack.calls_to("chat.postMessage"))

    assert tries_at(0) == 1  # 500
    assert tries_at(4.9) == 1  # backing off 5 s
    assert tries_at(5) == 2  # 500 again
    assert tries_at(14.9) == 2  # backing off 10 s
    assert tries_at(15) == 3  # delivered
    assert tries_at(600) == 3
    ok = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    assert len(ok) == 1 and ok[0].args["channel"] == pair.channel


def test_user_not_found_is_not_retried_and_flags_the_pair(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    book(session_factory, pair)
    slack.fail("chat.postMessage", Failure(error="user_not_found"))
    dispatch(session_factory, client, now=T0)
    refused = [c for c in slack.calls_to("chat.postMessage") if not c.ok]
    assert len(refused) == 1
    user = refused[0].args["channel"]
    for later in (1, 60, 3600):
        dispatch(session_factory, client, now=T0 + timedelta(seconds=later))
    retried = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == user]
    assert len(retried) == 1
    row = row_for(session_factory, user)
    assert row.state == OutboxState.FAILED and row.last_error == "user_not_found"
    with session_factory.begin() as db_session:
        flagged = db_session.get(Pair, pair.pair_id)
        assert flagged is not None and flagged.delivery_problem is not None
        assert "user_not_found" in flagged.delivery_problem


def test_a_dispatcher_killed_between_claim_and_send_is_taken_over_once(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    book(session_factory, pair)
    with session_factory.begin() as db_session:
        claimed = outbox.claim_due(db_session, now=T0)
    assert len(claimed) == 2
    # ...and that process died here, before sending. Its claims hold until the lease lapses.
    dispatch(session_factory, client, now=T0 + timedelta(seconds=10))
    assert slack.calls_to("chat.postMessage") == []
    dispatch(session_factory, client, now=T0 + outbox.LEASE)
    assert delivered(slack, MENTEE_USER) == 1
    dispatch(session_factory, client, now=T0 + outbox.LEASE * 3)
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_never_more_than_one_message_a_second_to_one_channel(
    session_factory: sessionmaker[Session], slack: FakeSlack, client: WebClient
) -> None:
    seeded = seed_pair(session_factory, now=BOOKED_AT)
    for n in range(3):
        queue_nudge(session_factory, seeded, n)
    dispatch(session_factory, client, now=T0)
    assert len(slack.calls_to("chat.postMessage")) == 1
    dispatch(session_factory, client, now=T0 + timedelta(milliseconds=999))
    assert len(slack.calls_to("chat.postMessage")) == 1
    dispatch(session_factory, client, now=T0 + timedelta(seconds=1))
    dispatch(session_factory, client, now=T0 + timedelta(seconds=2))
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_timeouts_and_refused_connections_are_retried(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack
) -> None:
    book(session_factory, pair)
    unreachable = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=1)
    report = dispatch(session_factory, unreachable, now=T0)
    assert report.retried == 2 and report.sent == 0
    good = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    dispatch(session_factory, good, now=T0 + timedelta(minutes=1))
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_sent_rows_record_when(
    session_factory: sessionmaker[Session], pair: SeededPair, client: WebClient
) -> None:
    book(session_factory, pair)
    dispatch(session_factory, client, now=T0)
    with session_factory.begin() as db_session:
        sent = db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENT)
        ).all()
        assert len(sent) == 2
        assert all(r.sent_at == T0 and r.message_ts for r in sent)
    assert T0.tzinfo is UTC and datetime.now(UTC) != T0
