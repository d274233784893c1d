"""The figures behind the charts, built through the services, on SQLite and Postgres.

The charts are drawn on Wednesday 25 November 2026; the last twelve ISO weeks run from Monday
7 September to Sunday 29 November 2026 (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import sessions as session_rules
from bot.services.chart_data import TopicGrowth, WeekCounts, sessions_per_week, skill_growth
from bot.services.checkins import record_outcome
from bot.services.enrollment import save_profile
from bot.services.errors import DomainError
from bot.services.pairs import create_pair
from bot.services.programs import ProgramInput, create_program, find_program
from bot.services.surveys import SurveyInput, save_response
from models import Pair, Participant
from models.enums import CheckInOutcome, PairStatus, ProgramStatus, SurveyKind
from tests.pairs import MENTEE, MENTOR_USER, SeededPair, seed_pair
from tests.test_enrollment import MENTOR, TEAM

CHART_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
ENROLLED = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
OTHER_TEAM = "T0OTHER"
MIDPOINT_AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
FINAL_AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


# -- building data through the services -----------------------------------------------------------


def add_session(
    session_factory: sessionmaker[Session], pair: SeededPair, starts: datetime, outcome: str
) -> None:
    """A session of the pair at `starts`: "held", "cancelled", "missed" or "scheduled"."""
    with session_factory.begin() as db_session:
        found = session_rules.pair_for(db_session, pair_id=pair.pair_id, user_id=MENTOR_USER)
        session = session_rules.schedule(
            db_session,
            pair=found,
            user_id=MENTOR_USER,
            starts_at=starts,
            minutes=45,
            agenda="",
            now=starts - timedelta(days=7),
        )
        after = starts + timedelta(hours=2)
        if outcome == "held":
            record_outcome(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                outcome=CheckInOutcome.HAPPENED,
                now=after,
            )
        elif outcome == "missed":
            record_outcome(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                outcome=CheckInOutcome.RESCHEDULED,
                now=after,
            )
        elif outcome == "cancelled":
            session_rules.cancel(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                reason="clash",
                now=starts - timedelta(days=1),
            )


def seed_sessions(session_factory: sessionmaker[Session]) -> SeededPair:
    """Sessions in known weeks, a few right on the edges, and another workspace's session."""
    pair = seed_pair(session_factory, now=ENROLLED)
    berlin = ZoneInfo("Europe/Berlin")
    for starts, outcome in [
        (datetime(2026, 9, 6, 23, 59, tzinfo=UTC), "held"),  # the Sunday before the window
        (datetime(2026, 9, 7, 0, 0, tzinfo=UTC), "held"),  # the window's first instant
        (datetime(2026, 11, 9, 0, 0, tzinfo=UTC), "cancelled"),  # Monday 00:00
        (datetime(2026, 11, 10, 10, 0, tzinfo=UTC), "held"),
        # Monday 00:30 in Berlin is still Sunday 15 Nov in UTC: the week of 9 Nov.
        (datetime(2026, 11, 16, 0, 30, tzinfo=berlin), "held"),
        (datetime(2026, 11, 16, 0, 0, tzinfo=UTC), "held"),  # Monday 00:00: the week of 16 Nov
        (datetime(2026, 11, 18, 15, 0, tzinfo=UTC), "missed"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "held"),  # this week, before now
        (datetime(2026, 11, 24, 20, 0, tzinfo=UTC), "scheduled"),  # nobody checked in yet
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), "cancelled"),  # later this week, called off
    ]:
        add_session(session_factory, pair, starts, outcome)
    with session_factory.begin() as db_session:
        mentor = save_profile(
            db_session,
            team_id=OTHER_TEAM,
            user_id="U0OM",
            profile=MENTOR,
            timezone=None,
            now=ENROLLED,
        ).participant
        mentee = save_profile(
            db_session,
            team_id=OTHER_TEAM,
            user_id="U0OE",
            profile=MENTEE,
            timezone=None,
            now=ENROLLED,
        ).participant
        other = create_pair(
            db_session, mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE, now=ENROLLED
        )
        session = session_rules.schedule(
            db_session,
            pair=other,
            user_id="U0OM",
            starts_at=datetime(2026, 11, 10, 10, 0, tzinfo=UTC),
            minutes=45,
            agenda="",
            now=ENROLLED,
        )
        record_outcome(
            db_session,
            session=session,
            user_id="U0OM",
            outcome=CheckInOutcome.HAPPENED,
            now=CHART_NOW,
        )
    return pair


@dataclass(frozen=True)
class Person:
    user: str
    learn: dict[str, int]  # topic -> self-rating at sign-up
    midpoint: dict[str, int] | None = None
    final: dict[str, int] | None = None
    team: str = TEAM


def enrol_pair(db_session: Session, mentee: Person, mentor_user: str) -> tuple[Pair, Participant]:
    profile = replace(MENTEE, learn_topics=list(mentee.learn), self_ratings=dict(mentee.learn))
    learner = save_profile(
        db_session,
        team_id=mentee.team,
        user_id=mentee.user,
        profile=profile,
        timezone=None,
        now=ENROLLED,
    ).participant
    mentor = save_profile(
        db_session,
        team_id=mentee.team,
        user_id=mentor_user,
        profile=MENTOR,  # wants to learn leadership, rated 2
        timezone=None,
        now=ENROLLED,
    ).participant
    pair = create_pair(
        db_session, mentor=mentor, mentee=learner, status=PairStatus.ACTIVE, now=ENROLLED
    )
    pair.mentor, pair.mentee = mentor, learner
    return pair, learner


def answer(
    db_session: Session, pair: Pair, person: Participant, kind: SurveyKind, ratings: dict[str, int]
) -> None:
    save_response(
        db_session,
        pair=pair,
        person=person,
        kind=kind,
        values=SurveyInput(effectiveness=4, would_recommend=True, ratings=ratings),
        now=FINAL_AT if kind == SurveyKind.FINAL else MIDPOINT_AT,
    )


# Three people re-rated Generative AI (one of them twice: the final answer counts), two
# re-rated Social media, one mentor re-rated Leadership; Dee never answered a survey, and
# the other workspace's answer is another program's.
PEOPLE = [
    Person(
        "U0ANN",
        {"generative_ai": 1, "social_media": 2},
        midpoint={"generative_ai": 3, "social_media": 3},
        final={"generative_ai": 4, "social_media": 4},
    ),
    Person(
        "U0BEN",
        {"generative_ai": 2, "social_media": 3},
        midpoint={"generative_ai": 3, "social_media": 5},
    ),
    Person("U0CAT", {"generative_ai": 2}, final={"generative_ai": 5}),
    Person("U0DEE", {"generative_ai": 5}),
    Person("U0EVA", {"generative_ai": 5}, final={"generative_ai": 1}, team=OTHER_TEAM),
]


def seed_growth(session_factory: sessionmaker[Session]) -> int:
    """The people above, each paired with a mentor of their own; returns the program id."""
    with session_factory.begin() as db_session:
        program_id = 0
        for n, person in enumerate(PEOPLE):
            pair, learner = enrol_pair(db_session, person, mentor_user=f"U0MENTOR{n}")
            if person.team == TEAM:
                program_id = pair.program_id
            if person.midpoint is not None:
                answer(db_session, pair, learner, SurveyKind.MIDPOINT, person.midpoint)
            if person.final is not None:
                answer(db_session, pair, learner, SurveyKind.FINAL, person.final)
            if n == 0:
                assert pair.mentor is not None
                answer(db_session, pair, pair.mentor, SurveyKind.FINAL, {"leadership": 4})
        return program_id


# -- sessions per week ----------------------------------------------------------------------------


def test_sessions_are_counted_per_iso_week_by_what_became_of_them(
    session_factory: sessionmaker[Session],
) -> None:
    pair = seed_sessions(session_factory)
    with session_factory() as db_session:
        weeks = sessions_per_week(db_session, program_id=pair.program_id, now=CHART_NOW)
    assert len(weeks) == 12
    assert [w.week_start for w in weeks] == [
        date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)
    ]
    assert all(w.week_start.weekday() == 0 for w in weeks)
    by_week = {w.week_start: w for w in weeks if w.total}
    assert by_week == {
        date(2026, 9, 7): WeekCounts(date(2026, 9, 7), held=1, cancelled=0, missed=0),
        date(2026, 11, 9): WeekCounts(date(2026, 11, 9), held=2, cancelled=1, missed=0),
        date(2026, 11, 16): WeekCounts(date(2026, 11, 16), held=1, cancelled=0, missed=1),
        date(2026, 11, 23): WeekCounts(date(2026, 11, 23), held=1, cancelled=1, missed=0),
    }
    assert sum(w.held for w in weeks) == 5  # not the one before the window, nor the other team's


def test_fewer_weeks_and_a_program_without_sessions(
    session_factory: sessionmaker[Session],
) -> None:
    pair = seed_sessions(session_factory)
    with session_factory() as db_session:
        [this_week] = sessions_per_week(
            db_session, program_id=pair.program_id, now=CHART_NOW, weeks=1
        )
        assert this_week == WeekCounts(date(2026, 11, 23), held=1, cancelled=1, missed=0)
        # Seen from the Sunday of the week of 16 Nov, the current week is that one.
        sunday = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
        last_two = sessions_per_week(db_session, program_id=pair.program_id, now=sunday, weeks=2)
        assert [(w.week_start, w.held, w.cancelled, w.missed) for w in last_two] == [
            (date(2026, 11, 9), 2, 1, 0),
            (date(2026, 11, 16), 1, 0, 1),
        ]
        # A `now` given in another zone means the same instant.
        tokyo_monday = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Sun in UTC
        [same_week] = sessions_per_week(
            db_session, program_id=pair.program_id, now=tokyo_monday, weeks=1
        )
        assert same_week.week_start == date(2026, 11, 16)
    with session_factory.begin() as db_session:
        empty, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="Spring cohort"), now=CHART_NOW
        )
        weeks = sessions_per_week(db_session, program_id=empty.id, now=CHART_NOW)
    assert len(weeks) == 12 and all(w.total == 0 for w in weeks)


# -- skill growth ---------------------------------------------------------------------------------


def test_skill_growth_compares_the_same_people_and_hides_small_groups(
    session_factory: sessionmaker[Session],
) -> None:
    program_id = seed_growth(session_factory)
    with session_factory() as db_session:
        growth = skill_growth(db_session, program_id=program_id)
    assert [t.topic for t in growth] == ["social_media", "generative_ai", "leadership"]
    social, ai, leadership = growth
    # Ann, Ben and Cat: sign-up 1, 2, 2; latest 4 (Ann's final, not her midpoint 3), 3, 5.
    assert ai.suppressed is False
    assert ai.people == 3
    assert ai.at_signup == pytest.approx(5 / 3)
    assert ai.latest == pytest.approx(4.0)
    # Two people (Ann and Ben) and one mentor: no figures at all.
    assert social == TopicGrowth(topic="social_media", suppressed=True)
    assert leadership == TopicGrowth(topic="leadership", suppressed=True)
    assert social.people is None and social.at_signup is None and social.latest is None


def test_skill_growth_before_any_survey_is_all_suppressed(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as db_session:
        pair, _ = enrol_pair(db_session, Person("U0ANN", {"generative_ai": 2}), "U0MENTOR")
        program_id = pair.program_id
    with session_factory() as db_session:
        growth = skill_growth(db_session, program_id=program_id)
    assert growth == [
        TopicGrowth(topic="generative_ai", suppressed=True),
        TopicGrowth(topic="leadership", suppressed=True),
    ]


def test_a_third_answer_reveals_a_topic(session_factory: sessionmaker[Session]) -> None:
    program_id = seed_growth(session_factory)
    with session_factory.begin() as db_session:
        dee = db_session.scalars(
            select(Participant).where(Participant.slack_user_id == "U0DEE")
        ).one()
        pair = db_session.scalars(select(Pair).where(Pair.mentee_id == dee.id)).one()
        answer(db_session, pair, dee, SurveyKind.MIDPOINT, {"generative_ai": 4})
    with session_factory() as db_session:
        ai = skill_growth(db_session, program_id=program_id)[1]
    assert (ai.people, ai.at_signup, ai.latest) == (4, pytest.approx(2.5), pytest.approx(4.0))


# -- which program --------------------------------------------------------------------------------


def test_a_program_is_found_by_name_or_is_the_open_one(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as db_session:
        with pytest.raises(DomainError, match="no program yet"):
            find_program(db_session, team_id=TEAM, name="")
        first, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="Pilot 2026"), now=ENROLLED
        )
        second, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="R&D cohort"), now=CHART_NOW
        )
        assert find_program(db_session, team_id=TEAM, name="") == second
        assert find_program(db_session, team_id=TEAM, name="  pilot 2026 ") == first
        assert find_program(db_session, team_id=TEAM, name='"r&d COHORT"') == second
        with pytest.raises(DomainError, match="no program called “Pilot 2025”"):
            find_program(db_session, team_id=TEAM, name="Pilot 2025")
        second.status = ProgramStatus.CLOSED
        db_session.flush()
        assert find_program(db_session, team_id=TEAM, name="") == second  # the newest
