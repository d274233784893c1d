"""Sessions, reminders and check-in prompts through the outbox, with time passed in as `now`.

The pair: the reverse mentor in New York, the mentee in London. The session: Tuesday
24 November 2026, 15:00 in New York (20:00 UTC), 45 minutes (tests/factories.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.dispatcher import dispatch
from bot.services import sessions as session_rules
from bot.services.sessions import SessionInput, validate_session
from models import MentoringSession, OutboxMessage
from models.enums import OutboxState, SessionStatus
from tests.factories import (
    BOOKED_AT,
    DAY_BEFORE,
    MENTEE_USER,
    MENTOR_USER,
    STARTS,
    SeededPair,
    book,
    held,
)
from tests.fakeslack import FakeSlack

HOUR_BEFORE = STARTS - timedelta(hours=1)


def run(session_factory: sessionmaker[Session], client: WebClient, when: datetime) -> list[str]:
    """One dispatcher pass at `when`; the texts it sent."""
    report = dispatch(session_factory, client, now=when)
    assert not report.failed, report.errors
    return [f"{m['channel']}: {m['text']}" for m in _sent(session_factory, when)]


def _sent(session_factory: sessionmaker[Session], when: datetime) -> list[dict[str, str]]:
    with session_factory.begin() as db_session:
        rows = db_session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.state == OutboxState.SENT, OutboxMessage.sent_at == when
            )
        ).all()
        return [{"channel": r.channel, "text": r.kind} for r in rows]


def texts_to(slack: FakeSlack, user: str) -> list[str]:
    return [c.args["text"] for c in slack.dms_to(user)]


def test_a_new_york_session_is_entered_and_read_in_each_persons_zone() -> None:
    values = SessionInput(day=date(2026, 11, 24), clock=time(15, 0), minutes=45)
    errors, starts = validate_session(values, zone_name="America/New_York", now=BOOKED_AT)
    assert errors == {}
    assert starts == STARTS
    late = SessionInput(day=date(2026, 11, 19), clock=time(15, 0), minutes=45)
    assert "passed" in validate_session(late, zone_name="America/New_York", now=BOOKED_AT)[0]["day"]
    long = SessionInput(day=date(2026, 11, 24), clock=time(15, 0), minutes=500)
    assert "minutes" in validate_session(long, zone_name="UTC", now=BOOKED_AT)[0]


def test_reminders_arrive_24h_and_1h_before_with_local_times(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    book(session_factory, pair)
    run(session_factory, client, DAY_BEFORE - timedelta(seconds=1))
    assert slack.calls_to("chat.postMessage") == []

    run(session_factory, client, DAY_BEFORE)
    [mentor_24h] = texts_to(slack, MENTOR_USER)
    [mentee_24h] = texts_to(slack, MENTEE_USER)
    assert "tomorrow" in mentor_24h and "Tue 24 Nov, 15:00 EST" in mentor_24h
    assert f"<@{MENTEE_USER}>" in mentor_24h
    assert "Tue 24 Nov, 20:00 GMT" in mentee_24h and f"<@{MENTOR_USER}>" in mentee_24h

    run(session_factory, client, HOUR_BEFORE - timedelta(seconds=1))
    assert len(texts_to(slack, MENTOR_USER)) == 1
    run(session_factory, client, HOUR_BEFORE)
    assert "in an hour, 15:00 EST" in texts_to(slack, MENTOR_USER)[1]
    assert "in an hour, 20:00 GMT" in texts_to(slack, MENTEE_USER)[1]

    # Passes after that send nothing more.
    run(session_factory, client, HOUR_BEFORE + timedelta(minutes=5))
    assert len(texts_to(slack, MENTOR_USER)) == 2


def test_cancelling_after_the_24h_reminder_stops_the_1h_one_and_the_check_in(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    session_id = book(session_factory, pair)
    run(session_factory, client, DAY_BEFORE)
    assert len(slack.calls_to("chat.postMessage")) == 2
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=MENTEE_USER)
        session_rules.cancel(
            db_session, session=session, user_id=MENTEE_USER, reason="", now=DAY_BEFORE
        )
    for when in (HOUR_BEFORE, STARTS + timedelta(hours=1), STARTS + timedelta(days=3)):
        run(session_factory, client, when)
    assert len(slack.calls_to("chat.postMessage")) == 2
    with session_factory.begin() as db_session:
        session = db_session.get(MentoringSession, session_id)
        assert session is not None
        assert session.status == SessionStatus.CANCELLED
        assert session.cancelled_by is not None and session.cancelled_by.value == "mentee"


def test_moving_a_session_retargets_both_reminders(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    session_id = book(session_factory, pair)
    later = STARTS + timedelta(days=2)  # Thursday, same time
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=MENTOR_USER)
        session_rules.move(db_session, session=session, starts_at=later, minutes=60, now=BOOKED_AT)
    for when in (DAY_BEFORE, HOUR_BEFORE, STARTS):
        run(session_factory, client, when)
    assert slack.calls_to("chat.postMessage") == []
    run(session_factory, client, later - timedelta(hours=24))
    assert "Thu 26 Nov, 15:00 EST (60 min)" in texts_to(slack, MENTOR_USER)[0]
    run(session_factory, client, later - timedelta(hours=1))
    assert "in an hour, 20:00 GMT (60 min)" in texts_to(slack, MENTEE_USER)[1]
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_a_reminder_already_queued_is_dropped_if_the_session_changed_meanwhile(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    """Belt and braces: even a row that escaped withdrawal is checked again at send time."""
    session_id = book(session_factory, pair)
    with session_factory.begin() as db_session:
        session = db_session.get(MentoringSession, session_id)
        assert session is not None
        session.status = SessionStatus.CANCELLED  # as if cancelled by a path that forgot
    run(session_factory, client, DAY_BEFORE)
    assert slack.calls_to("chat.postMessage") == []


def test_check_in_arrives_after_the_end_out_of_quiet_hours_and_is_re_asked_once(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    book(session_factory, pair)
    ends = STARTS + timedelta(minutes=45)
    run(session_factory, client, DAY_BEFORE)
    run(session_factory, client, HOUR_BEFORE)
    run(session_factory, client, ends)
    assert len(texts_to(slack, MENTOR_USER)) == 2  # no check-in before the end
    run(session_factory, client, ends + timedelta(minutes=15))
    mentor = texts_to(slack, MENTOR_USER)
    assert mentor[-1].startswith("How did your session with")
    # 21:00 in London is quiet: the mentee is asked at 08:00 the next morning.
    assert len(texts_to(slack, MENTEE_USER)) == 2
    london_morning = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    run(session_factory, client, london_morning - timedelta(seconds=1))
    assert len(texts_to(slack, MENTEE_USER)) == 2
    run(session_factory, client, london_morning)
    assert texts_to(slack, MENTEE_USER)[-1].startswith("How did your session with")
    prompt = slack.dms_to(MENTEE_USER)[-1]
    buttons = [
        e["text"]["text"] for b in prompt.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["It happened", "We rescheduled", "It was cancelled"]

    # 48 h later, one gentle re-ask each; then nothing, ever.
    run(session_factory, client, ends + timedelta(minutes=15, hours=48))
    assert texts_to(slack, MENTOR_USER)[-1].startswith("A gentle nudge")
    run(session_factory, client, london_morning + timedelta(hours=48))
    assert texts_to(slack, MENTEE_USER)[-1].startswith("A gentle nudge")
    for days in (3, 5, 9, 30):
        run(session_factory, client, ends + timedelta(days=days))
    assert len(texts_to(slack, MENTOR_USER)) == 4
    assert len(texts_to(slack, MENTEE_USER)) == 4


def test_no_re_ask_for_someone_who_checked_in(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    session_id = book(session_factory, pair)
    ends = STARTS + timedelta(minutes=45)
    held(session_factory, session_id, at=ends)
    for days in (0.02, 1, 2.1, 4):
        run(session_factory, client, ends + timedelta(days=days))
    assert not any("session with" in t and "go?" in t for t in texts_to(slack, MENTOR_USER))
    assert any(t.startswith("A gentle nudge") for t in texts_to(slack, MENTEE_USER))


def test_two_schedulers_queue_each_reminder_once(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    session_id = book(session_factory, pair)
    with session_factory.begin() as db_session:
        session = session_rules.session_with_pair(db_session, session_id=session_id)
        assert session is not None
        session_rules.plan_messages(db_session, session=session, now=BOOKED_AT)  # planned again
        rows = db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.session_id == session_id)
        ).all()
    # 2 reminders + check-in + re-ask, for each of two people.
    assert len(rows) == 8
    assert len({r.dedupe_key for r in rows}) == 8
