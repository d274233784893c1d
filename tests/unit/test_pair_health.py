"""Cancellation flags, missed sessions and silent pairs, with `now` passed in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.dispatcher import dispatch
from bot.services import sessions as session_rules
from bot.services.checkins import CheckInInput, record_outcome
from bot.services.pair_health import (
    after_session_outcome,
    check_silent_pairs,
    close_missed_sessions,
)
from models import MentoringSession, Pair
from models.enums import CheckInOutcome, PairStatus, SessionStatus
from tests import factories
from tests.conftest import COORDINATOR
from tests.factories import (
    BOOKED_AT,
    INTRO_CHANNEL,
    MENTEE_USER,
    MENTOR_USER,
    SeededPair,
)
from tests.fakeslack import FakeSlack

CONFIGURED = frozenset({COORDINATOR})
SECRET = "my partner seems bored, I am unsure what to do"


def book(session_factory: sessionmaker[Session], pair: SeededPair, starts: datetime) -> int:
    return factories.book(session_factory, pair, starts, agenda="")


def cancel(session_factory: sessionmaker[Session], session_id: int, user: str) -> str | None:
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user)
        session_rules.cancel(
            db_session, session=session, user_id=user, reason="busy", now=BOOKED_AT
        )
        return after_session_outcome(
            db_session, pair=session.pair, configured=CONFIGURED, now=BOOKED_AT
        )


def happened(session_factory: sessionmaker[Session], session_id: int, note: str = "") -> None:
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=MENTEE_USER)
        record_outcome(
            db_session,
            session=session,
            user_id=MENTEE_USER,
            outcome=CheckInOutcome.HAPPENED,
            values=CheckInInput(rating=2, private_note=note),
            now=session.starts_at + timedelta(hours=1),
        )


def status(session_factory: sessionmaker[Session], pair: SeededPair) -> PairStatus:
    with session_factory.begin() as db_session:
        found = db_session.get(Pair, pair.pair_id)
        assert found is not None
        return found.status


def week(n: int) -> datetime:
    return BOOKED_AT + timedelta(days=7 * n, hours=2)


def test_two_cancellations_in_a_row_flag_the_pair_and_tell_coordinators_which_side(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    first, second = book(session_factory, pair, week(1)), book(session_factory, pair, week(2))
    happened(session_factory, book(session_factory, pair, week(0)), note=SECRET)
    assert cancel(session_factory, first, MENTEE_USER) is None
    assert status(session_factory, pair) == PairStatus.ACTIVE
    reason = cancel(session_factory, second, MENTOR_USER)
    assert reason is not None and "2 sessions in a row" in reason
    assert status(session_factory, pair) == PairStatus.AT_RISK

    dispatch(session_factory, client, now=BOOKED_AT)
    [alert] = slack.dms_to(COORDINATOR)
    text = alert.args["text"]
    assert "Pair at risk" in text and f"<@{MENTOR_USER}>" in text and f"<@{MENTEE_USER}>" in text
    assert "cancelled by the reverse mentor: 1" in text
    assert "cancelled by the mentee: 1" in text
    assert SECRET not in json.dumps([c.args for c in slack.calls])
    # Partners are not told about the flag.
    assert slack.dms_to(MENTOR_USER) == [] and slack.dms_to(MENTEE_USER) == []

    # Re-checking the same state alerts nobody twice.
    with session_factory.begin() as db_session:
        found = db_session.get(Pair, pair.pair_id)
        assert found is not None
        after_session_outcome(db_session, pair=found, configured=CONFIGURED, now=BOOKED_AT)
    dispatch(session_factory, client, now=BOOKED_AT + timedelta(minutes=1))
    assert len(slack.dms_to(COORDINATOR)) == 1


def test_three_in_the_program_flag_even_when_not_in_a_row(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    ids = [book(session_factory, pair, week(n)) for n in range(5)]
    assert cancel(session_factory, ids[0], MENTEE_USER) is None
    happened(session_factory, ids[1])
    assert cancel(session_factory, ids[2], MENTEE_USER) is None
    happened(session_factory, ids[3])
    reason = cancel(session_factory, ids[4], MENTEE_USER)
    assert reason is not None and "3 sessions cancelled or missed in the program" in reason
    assert "cancelled by the mentee: 3" in reason


def test_a_session_nobody_checks_in_on_becomes_missed_and_counts(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    first, second = book(session_factory, pair, week(1)), book(session_factory, pair, week(2))
    with session_factory.begin() as db_session:
        assert (
            close_missed_sessions(
                db_session, configured=CONFIGURED, now=week(1) + timedelta(days=2)
            )
            == []
        )
    with session_factory.begin() as db_session:
        closed = close_missed_sessions(
            db_session, configured=CONFIGURED, now=week(2) + timedelta(days=4)
        )
    assert closed == [first, second]
    with session_factory.begin() as db_session:
        session = db_session.get(MentoringSession, first)
        assert session is not None and session.status == SessionStatus.MISSED
        found = db_session.get(Pair, pair.pair_id)
        assert found is not None and found.status == PairStatus.AT_RISK
        assert found.at_risk_reason and "missed with no check-in: 2" in found.at_risk_reason


def test_a_rescheduled_session_does_not_count_as_cancelled(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    first, second = book(session_factory, pair, week(1)), book(session_factory, pair, week(2))
    for session_id in (first, second):
        with session_factory.begin() as db_session:
            session = session_rules.session_for(
                db_session, session_id=session_id, user_id=MENTOR_USER
            )
            record_outcome(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                outcome=CheckInOutcome.RESCHEDULED,
                now=session.starts_at + timedelta(hours=1),
            )
            after_session_outcome(
                db_session, pair=session.pair, configured=CONFIGURED, now=BOOKED_AT
            )
    assert status(session_factory, pair) == PairStatus.ACTIVE


def test_a_silent_pair_is_nudged_then_marked_at_risk(
    session_factory: sessionmaker[Session], pair: SeededPair, slack: FakeSlack, client: WebClient
) -> None:
    introduced = BOOKED_AT - timedelta(days=7)  # biweekly program: 14 days + 3 of grace
    monday = introduced + timedelta(days=17)
    with session_factory.begin() as db_session:
        assert check_silent_pairs(
            db_session, configured=CONFIGURED, now=monday - timedelta(hours=1)
        ) == ([], [])
    with session_factory.begin() as db_session:
        nudged, _ = check_silent_pairs(db_session, configured=CONFIGURED, now=monday)
    assert nudged == [pair.pair_id]
    dispatch(session_factory, client, now=monday + timedelta(days=1))
    [nudge] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == INTRO_CHANNEL]
    assert "Schedule next session" in json.dumps(nudge.blocks)
    with session_factory.begin() as db_session:  # the same silence is nudged once
        assert check_silent_pairs(
            db_session, configured=CONFIGURED, now=monday + timedelta(days=2)
        ) == ([], [])
    with session_factory.begin() as db_session:
        _, at_risk = check_silent_pairs(
            db_session, configured=CONFIGURED, now=introduced + timedelta(days=31)
        )
    assert at_risk == [pair.pair_id]
    assert status(session_factory, pair) == PairStatus.AT_RISK
    dispatch(session_factory, client, now=introduced + timedelta(days=31))
    assert "silent" in slack.dms_to(COORDINATOR)[0].args["text"]


def test_a_booked_session_keeps_a_pair_from_being_nudged(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    book(session_factory, pair, BOOKED_AT + timedelta(days=30))
    with session_factory.begin() as db_session:
        assert check_silent_pairs(
            db_session, configured=CONFIGURED, now=BOOKED_AT + timedelta(days=20)
        ) == ([], [])


def test_a_cancelled_session_does_not_count_as_booked(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    session_id = book(session_factory, pair, BOOKED_AT + timedelta(days=30))
    cancel(session_factory, session_id, MENTOR_USER)
    introduced = BOOKED_AT - timedelta(days=7)
    with session_factory.begin() as db_session:
        nudged, _ = check_silent_pairs(
            db_session, configured=CONFIGURED, now=introduced + timedelta(days=18)
        )
    assert nudged == [pair.pair_id]


def test_finished_outbox_rows_are_forgotten_after_90_days(
    session_factory: sessionmaker[Session], pair: SeededPair, client: WebClient
) -> None:
    from bot.services.outbox import pending, purge_finished

    book(session_factory, pair, BOOKED_AT + timedelta(days=2))
    dispatch(session_factory, client, now=BOOKED_AT + timedelta(days=1))
    with session_factory.begin() as db_session:
        assert purge_finished(db_session, now=BOOKED_AT + timedelta(days=80)) == 0
    with session_factory.begin() as db_session:
        left = len(pending(db_session))
        assert purge_finished(db_session, now=BOOKED_AT + timedelta(days=200)) == 2
        assert len(pending(db_session)) == left  # unsent rows are never purged
