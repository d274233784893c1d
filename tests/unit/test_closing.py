"""The end of a program, with the clock moved across its end date: pairs completed, one
close-out each, then silence but for the final survey."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.scheduler import run_once
from bot.services import sessions as session_rules
from bot.services.checkins import CheckInInput
from bot.services.closing import agree_to_recognition, close_program, programs_to_close
from bot.services.dashboard import Dashboard
from bot.services.enrollment import save_profile
from bot.services.pair_results import Board, close_out, participation_board
from bot.services.pairs import create_pair
from bot.services.participation import StatusReport
from bot.services.surveys import SurveyInput, save_response
from bot.views.home import home_view
from models import OutboxMessage, Pair, Participant, Program
from models.enums import (
    OutboxState,
    PairStatus,
    ProgramStatus,
    SurveyKind,
)
from tests.conftest import COORDINATOR
from tests.factories import (
    INTRO_CHANNEL,
    MENTEE,
    MENTEE_USER,
    MENTOR,
    MENTOR_USER,
    NOW,
    STARTS,
    TEAM,
    SeededPair,
    book,
    held,
)
from tests.fakeslack import FakeSlack

LAST_DAY = date(2026, 12, 10)  # the program's end date
AFTER_THE_END = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)  # a Friday afternoon
LATE_SESSION = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)  # booked, but after the end
PRIVATE = "PRIVATE-NOTE: she talks too fast"
QUIET_KINDS = ("reminder", "checkin", "nudge", "at_risk_alert")


def end_program_on(session_factory: sessionmaker[Session], program_id: int, day: date) -> None:
    with session_factory.begin() as db_session:
        program = db_session.get(Program, program_id)
        assert program is not None
        program.ends_on = day


def hold_first_session(session_factory: sessionmaker[Session], pair: SeededPair) -> None:
    """The first session happens; the reverse mentor checks in with a private note."""
    session_id = book(session_factory, pair)
    values = CheckInInput(rating=5, topics=["generative_ai"], private_note=PRIVATE)
    held(session_factory, session_id, values=values, at=STARTS + timedelta(hours=1))


def posts_to_pair(slack: FakeSlack) -> list[str]:
    return [
        c.args.get("text", "")
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == INTRO_CHANNEL
    ]


def run_jobs(
    settings: Settings, session_factory: sessionmaker[Session], client: WebClient, at: datetime
) -> None:
    run_once(settings, session_factory, client, clock=lambda: at)


def test_crossing_the_end_date_completes_the_pair_once_and_then_only_the_final_survey_follows(
    settings: Settings,
    session_factory: sessionmaker[Session],
    pair: SeededPair,
    slack: FakeSlack,
    client: WebClient,
) -> None:
    end_program_on(session_factory, pair.program_id, LAST_DAY)
    hold_first_session(session_factory, pair)
    book(session_factory, pair, LATE_SESSION)  # its reminders must never go out

    run_jobs(settings, session_factory, client, datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    with session_factory.begin() as db_session:
        assert db_session.get(Pair, pair.pair_id).status == PairStatus.ACTIVE  # its last day
    assert not [t for t in posts_to_pair(slack) if "has come to an end" in t]

    for day in range(6):  # the day after the end, and on past the late session
        run_jobs(settings, session_factory, client, AFTER_THE_END + timedelta(days=day))
    assert not [c for c in slack.dms_to(COORDINATOR) if "Program results" in json.dumps(c.args)]
    for day in range(6, 9):  # a week after the close, the coordinators get the results
        run_jobs(settings, session_factory, client, AFTER_THE_END + timedelta(days=day))
    [results] = [c for c in slack.dms_to(COORDINATOR) if "Program results" in json.dumps(c.args)]
    assert "1 of 1 pair* completed the program (100%), holding 1 session" in json.dumps(
        results.args, ensure_ascii=False
    )

    with session_factory.begin() as db_session:
        completed = db_session.get(Pair, pair.pair_id)
        assert completed.status == PairStatus.COMPLETED
        assert completed.ended_at == AFTER_THE_END
        sent_after = db_session.scalars(
            select(OutboxMessage.kind).where(
                OutboxMessage.pair_id == pair.pair_id,
                OutboxMessage.state == OutboxState.SENT,
                OutboxMessage.updated_at >= AFTER_THE_END,
            )
        ).all()
        pending = db_session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.pair_id == pair.pair_id, OutboxMessage.state == OutboxState.PENDING
            )
        ).all()
    # The final survey went out at noon on the last day, as surveys do; after the end only the
    # close-out (once) and surveys may go.
    assert sent_after.count("closeout") == 1 and set(sent_after) <= {"closeout", "survey"}
    assert pending == []
    [closeout] = [t for t in posts_to_pair(slack) if "has come to an end" in t]
    assert "1 session" in closeout
    for user in (MENTOR_USER, MENTEE_USER):
        finals = [c for c in slack.dms_to(user) if f"{pair.pair_id}:final" in json.dumps(c.args)]
        assert len(finals) == 1, f"{user} gets the final survey once"
    assert PRIVATE not in json.dumps([c.args for c in slack.calls])


def test_a_program_finished_by_a_coordinator_closes_before_its_end_date(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    end_program_on(session_factory, pair.program_id, LAST_DAY)
    before_the_end = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with session_factory.begin() as db_session:
        assert programs_to_close(db_session, now=before_the_end) == []
        program = db_session.get(Program, pair.program_id)
        assert program is not None
        program.status = ProgramStatus.FINISHED
    with session_factory.begin() as db_session:
        assert programs_to_close(db_session, now=before_the_end) == [pair.program_id]
        assert close_program(db_session, program_id=pair.program_id, now=before_the_end) == [
            pair.pair_id
        ]
    with session_factory.begin() as db_session:
        # Done: nothing left to close, and closing again queues nothing more.
        assert programs_to_close(db_session, now=before_the_end) == []
        assert close_program(db_session, program_id=pair.program_id, now=before_the_end) == []
        queued = db_session.scalars(
            select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)
        ).all()
    # One close-out, and the final survey for each person that no survey job had queued yet.
    assert queued == [
        f"closeout:{pair.pair_id}",
        f"survey:final:{pair.pair_id}:{pair.mentor_participant_id}",
        f"survey:final:{pair.pair_id}:{pair.mentee_participant_id}",
    ]


@pytest.mark.parametrize("answered", [SurveyKind.MIDPOINT, SurveyKind.FINAL])
def test_the_closeout_counts_what_the_pair_did_and_each_person_grows_by_their_own_ratings(
    session_factory: sessionmaker[Session], pair: SeededPair, answered: SurveyKind
) -> None:
    hold_first_session(session_factory, pair)
    with session_factory.begin() as db_session:
        found = db_session.get(Pair, pair.pair_id)
        mentee = db_session.get(Participant, pair.mentee_participant_id)
        assert found is not None and mentee is not None
        save_response(
            db_session,
            pair=found,
            person=mentee,
            kind=answered,
            values=SurveyInput(effectiveness=5, would_recommend=True, ratings={"generative_ai": 4}),
            now=AFTER_THE_END,
        )
        close_program(db_session, program_id=pair.program_id, now=AFTER_THE_END)
    with session_factory.begin() as db_session:
        summary = close_out(db_session, pair_id=pair.pair_id)
    assert summary is not None
    assert summary.sessions_held == 1
    assert summary.topics_covered == ["generative_ai"]
    # The mentee rated herself 1 in Generative AI at sign-up, 4 now; social media unrated
    # since, so not shown. The mentor answered no survey: no growth of his is made up.
    assert [(g.user_id, g.topic, g.before, g.after) for g in summary.growth] == [
        (MENTEE_USER, "generative_ai", 1, 4)
    ]


def _pair_with_sessions(
    session_factory: sessionmaker[Session], n: int, sessions: int
) -> tuple[int, str, str]:
    """Pair number n (its own two people), introduced, with `sessions` that happened."""
    mentor_user, mentee_user = f"U0BOARDM{n}", f"U0BOARDE{n}"
    with session_factory.begin() as db_session:
        mentor = save_profile(
            db_session, team_id=TEAM, user_id=mentor_user, profile=MENTOR, timezone="UTC", now=NOW
        ).participant
        mentee = save_profile(
            db_session, team_id=TEAM, user_id=mentee_user, profile=MENTEE, timezone="UTC", now=NOW
        ).participant
        pair = create_pair(
            db_session, mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE, now=NOW
        )
        pair.intro_channel, pair.intro_sent_at = f"G0BOARD{n}", NOW
        pair_id = pair.id
    for k in range(sessions):
        starts = NOW + timedelta(days=7 * (k + 1))
        with session_factory.begin() as db_session:
            found = session_rules.pair_for(db_session, pair_id=pair_id, user_id=mentor_user)
            session_id = session_rules.schedule(
                db_session,
                pair=found,
                user_id=mentor_user,
                starts_at=starts,
                minutes=45,
                agenda="",
                now=NOW,
            ).id
        held(
            session_factory,
            session_id,
            by=mentor_user,
            values=CheckInInput(rating=2, private_note=PRIVATE),
        )
    return pair_id, mentor_user, mentee_user


def test_the_participation_board_shows_only_pairs_that_agreed_and_only_from_three(
    session_factory: sessionmaker[Session],
) -> None:
    pairs = [_pair_with_sessions(session_factory, n, held) for n, held in enumerate((1, 3, 2, 4))]
    with session_factory.begin() as db_session:
        program_id = db_session.get(Pair, pairs[0][0]).program_id
        close_program(db_session, program_id=program_id, now=AFTER_THE_END)

    def both_agree(pair: tuple[int, str, str]) -> None:
        with session_factory.begin() as db_session:
            for user in pair[1:]:
                agree_to_recognition(
                    db_session, team_id=TEAM, pair_id=pair[0], user_id=user, now=AFTER_THE_END
                )

    def board() -> Board:
        with session_factory.begin() as db_session:
            return participation_board(db_session, program_id=program_id)

    both_agree(pairs[0])
    both_agree(pairs[1])
    with session_factory.begin() as db_session:  # pair 3: only its mentor says yes
        agree_to_recognition(
            db_session, team_id=TEAM, pair_id=pairs[3][0], user_id=pairs[3][1], now=AFTER_THE_END
        )
    assert board() == Board(rows=[], agreed=2)  # two are too few to show
    both_agree(pairs[2])
    shown = board()
    # Most sessions first; the pair with 4 sessions never agreed, so it is not there.
    assert [(r.mentor_user, r.sessions_held) for r in shown.rows] == [
        ("U0BOARDM1", 3),
        ("U0BOARDM2", 2),
        ("U0BOARDM0", 1),
    ]
    nobody = StatusReport(
        program=None, profile=None, left=False, partners=[], poll_answers=0, paused_until=None
    )
    dashboard = Dashboard(program=None, poll=None, poll_tallies=None, pairs={}, board=shown)
    text = json.dumps(home_view(nobody, dashboard).to_dict())
    assert "Participation board" in text and "U0BOARDM3" not in text
    assert PRIVATE not in text and "rating" not in text.lower()
