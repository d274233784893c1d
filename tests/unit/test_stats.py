"""The coordinator's report on a small program with known numbers, built through the services."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import sessions as session_rules
from bot.services.agreements import (
    AgreementInput,
    GoalInput,
    RulesInput,
    membership_of,
    save_agreement,
    set_goal_status,
)
from bot.services.checkins import CheckInInput, record_outcome
from bot.services.closing import close_program
from bot.services.enrollment import save_profile
from bot.services.pair_health import after_session_outcome, close_missed_sessions
from bot.services.pairs import create_pair
from bot.services.participation import forget
from bot.services.polls import record_vote, start_poll
from bot.services.programs import get_or_create_open_program
from bot.services.sessions import session_with_pair
from bot.services.stats import program_stats
from bot.services.surveys import SurveyInput, save_response
from bot.views.stats import results_message, stats_blocks
from models import MentoringSession, Pair, Participant, Program, SurveyResponse
from models.enums import (
    Cadence,
    CheckInOutcome,
    GoalStatus,
    PairStatus,
    PollAnswer,
    ProgramStatus,
    Role,
    SessionStatus,
    SurveyKind,
)
from tests.factories import BOOKED_AT, MENTEE, MENTEE_USER, MENTOR, TEAM
from tests.scenarios import CHART_NOW, seed_sessions

T = BOOKED_AT - timedelta(days=40)  # when the program started
NOW = BOOKED_AT
PRIVATE = "this private note must never surface"
CONFIGURED = frozenset({"U0COORD"})


def when(days: float):
    return T + timedelta(days=days)


@pytest.fixture
def program(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Seven people, three pairs, eight sessions, three surveys, a poll; ids by name."""
    ids: dict[str, int] = {}
    with session_factory.begin() as db:
        get_or_create_open_program(db, team_id=TEAM, now=T)
        poll = start_poll(db, team_id=TEAM, channel_id="C0ALL", created_by="U0COORD", now=T)
        votes = {
            "U0M1": PollAnswer.MENTOR,
            "U0M2": PollAnswer.MENTOR,
            "U0E1": PollAnswer.MENTEE,
            "U0E2": PollAnswer.MORE,
            "U0X1": PollAnswer.MORE,  # interested, never signed up
            "U0X2": PollAnswer.NO,
        }
        for user, answer in votes.items():
            record_vote(db, team_id=TEAM, poll_id=poll.id, user_id=user, answer=answer, now=T)
        people = {
            "U0M1": replace(MENTOR, department="Marketing", location="Lisbon"),
            "U0M2": replace(MENTOR, department="Marketing", location="Lisbon"),
            "U0M3": replace(MENTOR, department="Marketing", location="Berlin"),
            "U0M4": replace(MENTOR, department="Legal", location="Lisbon"),
            "U0E1": replace(MENTEE, department="Finance", location="Lisbon"),
            "U0E2": replace(MENTEE, department="Finance", location="London"),
            "U0E3": replace(MENTEE, department="Finance", location="London"),
        }
        for user, profile in people.items():
            enrolled = save_profile(
                db, team_id=TEAM, user_id=user, profile=profile, timezone="UTC", now=T
            )
            ids[user] = enrolled.participant.id
        for n in (1, 2, 3):
            pair = create_pair(
                db,
                mentor=db.get(Participant, ids[f"U0M{n}"]),
                mentee=db.get(Participant, ids[f"U0E{n}"]),
                status=PairStatus.ACTIVE,
                now=T,
            )
            pair.intro_channel, pair.intro_sent_at = f"G0PAIR{n}", T
            ids[f"pair{n}"] = pair.id
        ids["program"] = pair.program_id

    def book(n: int, day: float) -> int:
        with session_factory.begin() as db:
            pair = session_rules.pair_for(db, pair_id=ids[f"pair{n}"], user_id=f"U0M{n}")
            return session_rules.schedule(
                db,
                pair=pair,
                user_id=f"U0M{n}",
                starts_at=when(day),
                minutes=45,
                agenda="",
                now=T,
            ).id

    def check_in(session_id: int, user: str, rating: int, topics: list[str], note: str = ""):
        with session_factory.begin() as db:
            session = session_rules.session_for(db, session_id=session_id, user_id=user)
            record_outcome(
                db,
                session=session,
                user_id=user,
                outcome=CheckInOutcome.HAPPENED,
                values=CheckInInput(rating=rating, topics=topics, private_note=note),
                now=session.starts_at + timedelta(hours=1),
            )

    def cancel(session_id: int, user: str) -> None:
        with session_factory.begin() as db:
            session = session_rules.session_for(db, session_id=session_id, user_id=user)
            session_rules.cancel(db, session=session, user_id=user, reason="", now=T)
            after_session_outcome(db, pair=session.pair, configured=CONFIGURED, now=T)

    # Pair 1: two held (both check in on the first, one on the second), one cancelled by the
    # mentee. Pair 2: one held, then two cancelled by the mentor (at risk). Pair 3: one missed,
    # one upcoming.
    s1, s2, s3 = book(1, 7), book(1, 14), book(1, 21)
    check_in(s1, "U0M1", 5, ["generative_ai", "social_media"], note=PRIVATE)
    check_in(s1, "U0E1", 4, ["generative_ai"])
    check_in(s2, "U0E1", 3, ["generative_ai"])
    cancel(s3, "U0E1")
    s4, s5, s6 = book(2, 7), book(2, 14), book(2, 21)
    check_in(s4, "U0E2", 4, ["social_media"])
    cancel(s5, "U0M2")
    cancel(s6, "U0M2")
    book(3, 10)
    book(3, 45)  # after NOW: upcoming
    with session_factory.begin() as db:
        close_missed_sessions(db, configured=CONFIGURED, now=NOW)
    _answer_surveys(session_factory, ids)
    _set_goals_of_pair_one(session_factory, ids)
    return ids


def _answer_surveys(session_factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    # Surveys: mentees' latest answers; generative_ai re-rated by all three (signed up at 1).
    with session_factory.begin() as db:
        for n, effectiveness, rating in ((1, 5, 3), (2, 4, 4), (3, 3, 2)):
            person = db.get(Participant, ids[f"U0E{n}"])
            pair = db.get(Pair, ids[f"pair{n}"])
            save_response(
                db,
                pair=pair,
                person=person,
                kind=SurveyKind.MIDPOINT,
                values=SurveyInput(
                    effectiveness=effectiveness - 1,
                    would_recommend=True,
                    ratings={"generative_ai": 2},
                ),
                now=when(20),
            )
            save_response(
                db,
                pair=pair,
                person=person,
                kind=SurveyKind.FINAL,
                values=SurveyInput(
                    effectiveness=effectiveness,
                    would_recommend=True,
                    ratings={"generative_ai": rating, "social_media": 5}
                    if n < 3
                    else {"generative_ai": rating},
                ),
                now=when(38),
            )


def _set_goals_of_pair_one(session_factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    # Goals: the pair 1 mentee sets two and achieves one.
    with session_factory.begin() as db:
        membership = membership_of(db, team_id=TEAM, user_id="U0E1", pair_id=ids["pair1"])
        save_agreement(
            db,
            membership=membership,
            values=AgreementInput(
                goals=(
                    GoalInput(topic="generative_ai", text="Draft with AI"),
                    GoalInput(topic="social_media", text="Post weekly"),
                ),
                rules=RulesInput(
                    confidentiality=True,
                    meeting_mode="video",
                    cadence=Cadence.BIWEEKLY,
                    ends_on=date(2027, 3, 1),
                ),
            ),
            goal_ids=(None, None),
            now=when(2),
        )
    with session_factory.begin() as db:
        from bot.services.agreements import pair_goals

        first = pair_goals(db, pair_id=ids["pair1"])[0]
        set_goal_status(
            db,
            team_id=TEAM,
            user_id="U0E1",
            goal_id=first.id,
            status=GoalStatus.ACHIEVED,
            now=when(30),
        )


def report(session_factory: sessionmaker[Session], program_id: int):
    with session_factory.begin() as db:
        found = db.get(Program, program_id)
        assert found is not None
        return program_stats(db, program=found, now=NOW)


def test_every_figure_of_the_report(
    session_factory: sessionmaker[Session], program: dict[str, int]
) -> None:
    stats = report(session_factory, program["program"])
    p = stats.participation
    assert p.poll_answers == {
        PollAnswer.MENTOR: 2,
        PollAnswer.MENTEE: 1,
        PollAnswer.MORE: 2,
        PollAnswer.NO: 1,
    }
    assert p.by_role == {Role.MENTOR: 4, Role.MENTEE: 3, Role.BOTH: 0}
    # Legal has one person, Berlin one: groups under three are not shown as numbers.
    assert p.by_department == {"Marketing": 3, "Finance": 3, "Legal": None}
    assert p.by_location == {"Lisbon": 4, "London": None, "Berlin": None}
    assert (p.interested, p.interested_signed_up) == (5, 4)
    assert p.conversion == pytest.approx(0.8)

    pairs = stats.pairs
    # Pair 2's two cancellations in a row put it at risk; one missed session does not.
    assert pairs.by_status[PairStatus.ACTIVE] == 2
    assert pairs.by_status[PairStatus.AT_RISK] == 1
    [flagged] = pairs.at_risk
    assert (flagged.mentor_user, flagged.mentee_user) == ("U0M2", "U0E2")
    assert flagged.reason is not None
    assert "cancelled by the reverse mentor: 2" in flagged.reason

    s = stats.sessions
    assert s.held == 3
    assert s.cancelled_by == {"mentor": 2, "mentee": 1, "not said": 0}
    assert s.missed == 1
    assert s.upcoming == 1
    assert s.held_per_pair == pytest.approx(1.0)
    assert s.planned_per_pair == 6
    # Started and not cancelled: 3 held + 1 missed = 4 sessions, 8 check-ins due, 4 given.
    assert (s.checkins_given, s.checkins_expected) == (4, 8)
    assert s.checkin_rate == pytest.approx(0.5)

    o = stats.outcomes
    assert o.ratings_given == 4
    assert o.session_rating == pytest.approx((5 + 4 + 3 + 4) / 4)
    assert o.survey_respondents == 3
    assert o.effective_share == pytest.approx(2 / 3)  # final answers 5, 4, 3
    assert o.extremely_effective_share == pytest.approx(1 / 3)
    growth = {g.topic: g for g in o.skill_growth}
    genai = growth["generative_ai"]
    assert genai.people == 3
    assert genai.at_signup == pytest.approx(1.0) and genai.latest == pytest.approx(3.0)
    assert growth["social_media"].suppressed and growth["social_media"].at_signup is None
    assert o.goals == {GoalStatus.ACHIEVED: 1, GoalStatus.OPEN: 1, GoalStatus.DROPPED: 0}
    assert o.top_topics == [("generative_ai", 3), ("social_media", 2)]


def test_the_rendered_report_shows_them_and_never_a_private_note(
    session_factory: sessionmaker[Session], program: dict[str, int]
) -> None:
    blocks = stats_blocks(report(session_factory, program["program"]))
    text = json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)
    assert PRIVATE not in text
    assert "Legal fewer than 3" in text
    assert "Poll interest to sign-up: 4 of 5 (80%)" in text
    assert "by the reverse mentor 2, by the mentee 1" in text
    assert "Generative AI: 1.0 → 3.0 (3 people)" in text
    assert "Social media: fewer than 3 people" in text
    assert "<@U0M2> & <@U0E2>: 2 sessions in a row cancelled or missed" in text


def test_a_forgotten_person_leaves_no_trace_in_the_report(
    session_factory: sessionmaker[Session], program: dict[str, int]
) -> None:
    with session_factory.begin() as db:
        forget(db, team_id=TEAM, user_id="U0M2", now=NOW)
    stats = report(session_factory, program["program"])
    text = json.dumps([b.to_dict() for b in stats_blocks(stats)], ensure_ascii=False)
    assert "U0M2" not in text
    assert stats.participation.by_role[Role.MENTOR] == 3


def test_a_check_in_without_topics_counts_its_rating_and_no_topic(
    session_factory: sessionmaker[Session], program: dict[str, int]
) -> None:
    # Pair 2's held session: the reverse mentor checks in too, rating it but ticking no topic.
    with session_factory.begin() as db:
        held = db.scalars(
            select(MentoringSession).where(
                MentoringSession.pair_id == program["pair2"],
                MentoringSession.status == SessionStatus.HAPPENED,
            )
        ).one()
        held = session_with_pair(db, session_id=held.id)
        assert held is not None
        record_outcome(
            db,
            session=held,
            user_id="U0M2",
            outcome=CheckInOutcome.HAPPENED,
            values=CheckInInput(rating=2, topics=[]),
            now=held.starts_at + timedelta(hours=1),
        )
    o = report(session_factory, program["program"]).outcomes
    assert o.ratings_given == 5
    assert o.session_rating == pytest.approx((5 + 4 + 3 + 4 + 2) / 5)
    assert o.top_topics == [("generative_ai", 3), ("social_media", 2)]


def test_session_figures_count_the_program_s_own_rows_only(
    session_factory: sessionmaker[Session],
) -> None:
    # One pair: six held, two cancelled, one moved after the fact ("missed", rescheduled), one
    # awaiting check-ins; and another workspace's held session with its check-in.
    pair = seed_sessions(session_factory)
    with session_factory.begin() as db:
        cancelled = db.scalars(
            select(MentoringSession)
            .where(
                MentoringSession.pair_id == pair.pair_id,
                MentoringSession.status == SessionStatus.CANCELLED,
            )
            .order_by(MentoringSession.starts_at)
        ).first()
        assert cancelled is not None
        cancelled = session_with_pair(db, session_id=cancelled.id)
        assert cancelled is not None
        # A check-in on a cancelled session is owed nothing: its rating counts, not as given.
        record_outcome(
            db,
            session=cancelled,
            user_id=MENTEE_USER,
            outcome=CheckInOutcome.CANCELLED,
            values=CheckInInput(rating=2, topics=["social_media"]),
            now=CHART_NOW,
        )
    with session_factory.begin() as db:
        found = db.get(Program, pair.program_id)
        assert found is not None
        stats = program_stats(db, program=found, now=CHART_NOW)
    s = stats.sessions
    assert s.held == 6
    assert s.cancelled_by == {"mentor": 2, "mentee": 0, "not said": 0}
    assert (s.missed, s.upcoming) == (0, 0)  # a rescheduled session was not missed
    # Started and not cancelled: six held, the rescheduled one and the one awaiting answers.
    assert (s.checkins_given, s.checkins_expected) == (7, 16)
    assert (stats.outcomes.ratings_given, stats.outcomes.session_rating) == (1, None)
    assert stats.outcomes.top_topics == [("social_media", 1)]


def test_a_finished_program_reports_completion_and_would_recommend_from_known_numbers(
    session_factory: sessionmaker[Session], program: dict[str, int]
) -> None:
    """Three introduced pairs; the mentees' final surveys: effectiveness 5, 4 and 3, and the
    third would not recommend it. The program ends: all three pairs complete."""
    with session_factory.begin() as db:
        third = db.scalars(
            select(SurveyResponse).where(
                SurveyResponse.participant_id == program["U0E3"],
                SurveyResponse.kind == SurveyKind.FINAL,
            )
        ).one()
        third.would_recommend = False
    before = report(session_factory, program["program"]).outcomes
    assert before.completion_rate == 0.0  # all three still active
    with session_factory.begin() as db:
        assert len(close_program(db, program_id=program["program"], now=NOW)) == 3
    outcomes = report(session_factory, program["program"]).outcomes
    assert outcomes.completion_rate == 1.0
    assert outcomes.would_recommend_share == pytest.approx(2 / 3)
    assert outcomes.extremely_effective_share == pytest.approx(1 / 3)
    assert outcomes.effective_share == pytest.approx(2 / 3)
    with session_factory.begin() as db:
        found = db.get(Program, program["program"])
        assert found is not None
        text = json.dumps(
            [b.to_dict() for b in stats_blocks(program_stats(db, program=found, now=NOW))]
        )
    assert "Would recommend it: 67%" in text
    assert "Pairs that completed the program: 100% of those introduced" in text
    assert "extremely effective (5): 33%" in text

    # Finished, the report opens with the results a sponsor asks for, and they go to the
    # coordinators as one message of their own.
    with session_factory.begin() as db:
        found = db.get(Program, program["program"])
        assert found is not None
        found.status = ProgramStatus.FINISHED
        finished = program_stats(db, program=found, now=NOW)
    expected = [
        "*3 of 3 pairs* completed the program (100%), holding 3 sessions",
        "*1 goal achieved*",
        "*33%* rate the program extremely effective; 67% effective (3 survey respondents)",
        "*67%* would recommend it",
        "Skill growth by topic (own ratings, sign-up → final survey): Generative AI 1.0 → "
        "3.0 (3 people)",
    ]
    report_blocks = [b.to_dict() for b in stats_blocks(finished)]
    assert report_blocks[0]["text"]["text"].startswith("Program results: ")
    assert report_blocks[1]["text"]["text"] == "*Results*\n" + "\n".join(expected)
    text, blocks = results_message(finished)
    assert text.endswith(": 3 of 3 pairs completed, 33% rate it extremely effective.")
    assert blocks[1].to_dict()["text"]["text"] == "\n".join(expected)
    assert PRIVATE not in json.dumps([b.to_dict() for b in blocks])
